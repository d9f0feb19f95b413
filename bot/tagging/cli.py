"""``python -m bot tag``: tag one message per input line, answer one JSON object per line.

Every input line gets exactly one output line, in order, so the output can be pasted beside the
input (for example when importing ideas gathered offline). A blank line is answered too: it is
tagged like any other text and comes back with ``"is_idea": false`` and no reasons.
``"intent"`` is what the message is (idea, complaint, question, small_talk, spam, gibberish,
abuse) and ``"intent_probability"`` the intent model's probability for it.
"""

from __future__ import annotations

import json
from typing import TextIO

from bot.tagging.tagger import Tagger


def run_tag(stdin: TextIO, stdout: TextIO, tagger: Tagger) -> int:
    """Read ``stdin`` to its end, write one JSON object per line to ``stdout``; return 0."""
    encode = json.JSONEncoder(ensure_ascii=False).encode
    for line in stdin:
        result = tagger.tag(line.rstrip("\r\n"))
        record = {
            "pillar": result.pillar,
            "confidence": round(result.confidence, 4),
            "runner_up": result.runner_up,
            "is_idea": result.is_idea,
            "looks_like_complaint": result.looks_like_complaint,
            "reasons": list(result.reasons),
            "intent": str(result.intent),
            "intent_probability": round(result.intent_probability, 4),
        }
        stdout.write(encode(record) + "\n")
        stdout.flush()
    return 0
