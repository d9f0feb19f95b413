"""Generate the templated half of the intent training set: ``bot/data/intent_generated.toml``.

The hand-written half (``bot/data/intent_examples.toml``) carries most of the real phrasing; this
adds variety the model should not have to learn from a few sentences: other documents, amounts,
durations, relatives, places, phone numbers and links, keyboard noise, chat spelling. It is seeded,
so running it again writes the same file::

    python -m bot.tagging.intent_generator

Both files are read by :mod:`bot.tagging.intent_training`. Neither may share a message with the
frozen evaluation set (``tests/data/intent_eval.jsonl``, a test checks it): a template that happens
to produce one of its messages ("ksksksks", "zzzzz") has that line dropped here, which is the only
use this script makes of the evaluation set. Lines the hand-written file already has are dropped
too.
"""

from __future__ import annotations

import json
import random
import string
import sys
from collections.abc import Callable

from bot.tagging.intent_training import (
    DATA,
    EVALUATION,
    load_evaluation,
    load_examples,
    message_key,
)

OUTPUT = DATA / "intent_generated.toml"
HAND_WRITTEN = DATA / "intent_examples.toml"
SEED = 17
PER_CLASS = 190

# The words the templates are filled with: data, in bot/data/intent_templates.json.
TEMPLATES = json.loads((DATA / "intent_templates.json").read_text(encoding="utf-8"))
KECAMATAN = TEMPLATES["kecamatan"]
PROPOSALS = TEMPLATES["proposals"]
IDEA_FORMS = TEMPLATES["idea_forms"]
RELATIVES = TEMPLATES["relatives"]
DOCUMENTS = TEMPLATES["documents"]
UNITS = TEMPLATES["units"]
COMPLAINT_FORMS = TEMPLATES["complaint_forms"]
UTILITIES = TEMPLATES["utilities"]
AIDS = TEMPLATES["aids"]
QUESTION_FORMS = TEMPLATES["question_forms"]
OFFICES = TEMPLATES["offices"]
EVENTS = TEMPLATES["events"]
MEDIA = TEMPLATES["media"]
SMALL_TALK = TEMPLATES["small_talk"]
EMOJI = TEMPLATES["emoji"]
SPAM_PRODUCTS = TEMPLATES["spam_products"]
SPAM_PITCH = TEMPLATES["spam_pitch"]
SPAM_CALL = TEMPLATES["spam_call"]
TLDS = TEMPLATES["tlds"]
INSULTS = TEMPLATES["insults"]
TARGETS = TEMPLATES["targets"]
ABUSE_FORMS = TEMPLATES["abuse_forms"]
KEY_ROWS = TEMPLATES["key_rows"]


def _chat(text: str, rng: random.Random) -> str:
    """Informal spelling now and then: lower case, no final full stop, a stretched letter."""
    if rng.random() < 0.5:
        text = text.lower().rstrip(".")
    if rng.random() < 0.15:
        index = rng.randrange(len(text))
        if text[index].isalpha():
            text = text[: index + 1] + text[index] * rng.randint(1, 3) + text[index + 1 :]
    return text


def ideas(rng: random.Random) -> list[tuple[str, str]]:
    found = []
    for _ in range(PER_CLASS):
        language = rng.choice(list(IDEA_FORMS))
        formal, informal, banjar, english = rng.choice(PROPOSALS)
        text = rng.choice(IDEA_FORMS[language]).format(
            p=formal, q=informal, b=banjar, e=english, k=rng.choice(KECAMATAN)
        )
        found.append((language, text[0].upper() + text[1:] if language in ("id", "en") else text))
    return found


def complaints(rng: random.Random) -> list[tuple[str, str]]:
    found = []
    for _ in range(PER_CLASS):
        language = rng.choice(list(COMPLAINT_FORMS))
        unit, low, high = rng.choice(UNITS[language])
        relative = rng.choice(RELATIVES[language])
        small = rng.choice([50, 75, 90, 100, 150, 200, 300])
        big = small * rng.choice([5, 8, 10, 12, 15])
        money = {
            "id": (f"{small}.000", f"{big}.000"),
            "en": (f"{small},000", f"{big * 1000:,}"),
        }.get(language, (f"{small}rb", f"{big / 1000:g} juta" if big >= 1000 else f"{big}rb"))
        text = rng.choice(COMPLAINT_FORMS[language]).format(
            d=rng.choice(DOCUMENTS[language]),
            r=relative,
            R=relative[0].upper() + relative[1:],
            n=rng.randint(low, high),
            u=unit,
            util=rng.choice(UTILITIES[language]),
            aid=rng.choice(AIDS),
            k=rng.choice(KECAMATAN),
            small=money[0],
            big=money[1],
        )
        found.append((language, _chat(text, rng) if language != "en" else text))
    return found


def questions(rng: random.Random) -> list[tuple[str, str]]:
    found = []
    for _ in range(PER_CLASS):
        language = rng.choice(list(QUESTION_FORMS))
        text = rng.choice(QUESTION_FORMS[language]).format(
            c=rng.randint(1, 999),
            media=rng.choice(MEDIA[language]),
            office=rng.choice(OFFICES[language]),
            k=rng.choice(KECAMATAN),
            d=rng.choice(DOCUMENTS[language]),
            event=rng.choice(EVENTS[language]),
        )
        found.append((language, _chat(text, rng) if language != "en" else text))
    return found


def small_talk(rng: random.Random) -> list[tuple[str, str]]:
    found = []
    for _ in range(PER_CLASS):
        language = rng.choice(list(SMALL_TALK))
        words, addresses = SMALL_TALK[language]
        text = rng.choice(words) + rng.choice(addresses)
        if rng.random() < 0.25:
            text += ", " + rng.choice(words).lower()
        found.append((language, _chat(text + rng.choice(EMOJI), rng)))
    return found


def _phone(rng: random.Random) -> str:
    digits = "".join(rng.choice(string.digits) for _ in range(8))
    prefix = rng.choice(["0812", "0813", "0821", "0852", "0857", "0878", "+62812", "62813"])
    return rng.choice([prefix + digits, f"{prefix}-{digits[:4]}-{digits[4:]}"])


def _link(rng: random.Random) -> str:
    name = "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(4, 9)))
    return rng.choice(
        [f"{name}{rng.randint(1, 99)}.{rng.choice(TLDS)}", f"bit.ly/{name}", f"t.me/{name}"]
    )


def spam(rng: random.Random) -> list[tuple[str, str]]:
    found = []
    for _ in range(PER_CLASS):
        language = rng.choice(["id", "id", "en"])
        pitch = rng.choice(SPAM_PITCH[language]).format(
            pct=rng.choice([50, 70, 100, 200]),
            amt=rng.choice(["1 juta", "500rb", "$300", "$1000"]),
            n=rng.choice([5, 10, 15]),
        )
        call = rng.choice(SPAM_CALL[language]).format(phone=_phone(rng), link=_link(rng))
        text = f"{rng.choice(SPAM_PRODUCTS[language])}, {pitch}. {call}"
        if rng.random() < 0.3:
            text = text.upper()
        found.append((language, text[0].upper() + text[1:]))
    return found


def gibberish(rng: random.Random) -> list[tuple[str, str]]:
    makers: list[Callable[[], str]] = [
        lambda: (lambda row, start: row[start : start + rng.randint(3, 8)])(
            rng.choice(KEY_ROWS), rng.randint(0, 4)
        ),
        lambda: "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(4, 12))),
        lambda: rng.choice("bcdfghjklmnpqrstvwxyz") * rng.randint(3, 9),
        lambda: (rng.choice(["ks", "wk", "hs", "jd", "sk", "hj", "gh"])) * rng.randint(3, 6),
        lambda: " ".join(
            "".join(rng.choice("qwrtypsdfghjklzxcvbnm") for _ in range(rng.randint(2, 6)))
            for _ in range(rng.randint(2, 4))
        ),
        lambda: rng.choice(".,?!;:-_") * rng.randint(2, 8),
        lambda: "".join(rng.choice(string.digits) for _ in range(rng.randint(2, 9))),
    ]
    found: list[tuple[str, str]] = []
    seen: set[str] = set()
    while len(found) < PER_CLASS:
        text = rng.choice(makers)()
        if text.strip() and text not in seen:
            seen.add(text)
            found.append(("none", text))
    return found


def abuse(rng: random.Random) -> list[tuple[str, str]]:
    found = []
    for _ in range(PER_CLASS):
        language = rng.choice(["id", "id", "bjn", "en"])
        text = rng.choice(ABUSE_FORMS[language]).format(
            t=rng.choice(TARGETS[language]),
            i=rng.choice(INSULTS[language]),
            i2=rng.choice(INSULTS[language]),
        )
        found.append(("id-informal" if language == "id" else language, _chat(text, rng)))
    return found


GENERATORS = {
    "idea": ideas,
    "complaint": complaints,
    "question": questions,
    "small_talk": small_talk,
    "spam": spam,
    "gibberish": gibberish,
    "abuse": abuse,
}


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def generate() -> str:
    """The generated examples as TOML: ``[class]`` tables of per-language lists, leaving out
    what the hand-written file, the evaluation set or an earlier line already says."""
    rng = random.Random(SEED)
    seen = {message_key(example.text) for example in load_evaluation(EVALUATION)}
    seen.update(message_key(example.text) for example in load_examples(HAND_WRITTEN))
    lines = [
        "# Generated by `python -m bot.tagging.intent_generator`; do not edit by hand.",
        "# Templated intent training examples; the hand-written ones are intent_examples.toml.",
    ]
    for label, make in GENERATORS.items():
        by_language: dict[str, list[str]] = {}
        for language, text in make(rng):
            if message_key(text) not in seen:
                seen.add(message_key(text))
                by_language.setdefault(language, []).append(text)
        lines.append(f"\n[{label}]")
        for language, texts in by_language.items():
            lines.append(f"{language} = [")
            lines.extend(f"  {_quote(text)}," for text in texts)
            lines.append("]")
    return "\n".join(lines) + "\n"


def main() -> int:
    OUTPUT.write_text(generate(), encoding="utf-8")
    print(f"wrote {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
