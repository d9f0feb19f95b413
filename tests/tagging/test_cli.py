"""``python -m bot tag`` output format: one JSON object per input line, exactly these keys."""

from __future__ import annotations

import io
import json
import subprocess
import sys

from bot.tagging import Tagger
from bot.tagging.cli import run_tag

KEYS = {
    "pillar",
    "confidence",
    "runner_up",
    "is_idea",
    "looks_like_complaint",
    "reasons",
    "intent",
    "intent_probability",
}
INTENTS = {"idea", "complaint", "question", "small_talk", "spam", "gibberish", "abuse"}
PILLARS = {"governance", "branding", "economy", "living", "society", "environment"}
PROGRAM = (
    "import sys; from bot.core.catalogue import load_catalogue; from bot.tagging import Tagger; "
    "from bot.tagging.cli import run_tag; "
    "sys.exit(run_tag(sys.stdin, sys.stdout, Tagger.from_catalogue(load_catalogue())))"
)
LINES = [
    "Lampu jalan di Martapura banyak yg mati 💡, tlg diganti",
    "",
    "terima kasih min",
    "Sampah di sungai Martapura makin banyak, usul bank sampah",
]


def check(records: list[dict]) -> None:
    assert len(records) == len(LINES)
    for record in records:
        assert set(record) == KEYS
        assert record["pillar"] in PILLARS
        assert record["runner_up"] in PILLARS - {record["pillar"]}
        assert 0.0 <= record["confidence"] <= 1.0
        assert isinstance(record["is_idea"], bool)
        assert isinstance(record["looks_like_complaint"], bool)
        assert all(isinstance(reason, str) for reason in record["reasons"])
        assert record["intent"] in INTENTS
        assert 1 / len(INTENTS) <= record["intent_probability"] <= 1.0
    assert [r["pillar"] for r in records[::3]] == ["living", "environment"]
    assert [r["is_idea"] for r in records] == [True, False, False, True]
    assert records[1]["reasons"] == records[2]["reasons"] == []
    assert [r["intent"] for r in records[::2]] == ["idea", "small_talk"]


def test_run_tag_answers_every_line_in_order(tagger: Tagger) -> None:
    stdout = io.StringIO()
    assert run_tag(io.StringIO("\n".join(LINES) + "\n"), stdout, tagger) == 0
    check([json.loads(line) for line in stdout.getvalue().splitlines()])


def test_tag_command_end_to_end_is_utf8_json_lines() -> None:
    completed = subprocess.run(
        [sys.executable, "-c", PROGRAM],
        input=("\n".join(LINES) + "\n").encode("utf-8"),
        capture_output=True,
        timeout=60,
        check=True,
    )
    output = completed.stdout.decode("utf-8")
    check([json.loads(line) for line in output.splitlines()])
    assert "\\u" not in output
    assert json.loads(output.splitlines()[0])["reasons"][0] == "lampu jalan"
