"""Message formatting: Telegram's HTML parse mode, entity lists and whitespace trimming.

The HTML parser follows Telegram's documented rules (https://core.telegram.org/bots/api#html-style)
and the error texts its server gives: only the documented tags are accepted, every other ``<``
fails the whole message with "can't parse entities", ``&lt; &gt; &amp; &quot;`` and numeric
character references are decoded, unknown ``&name;`` sequences stay as they are. Entity offsets
and lengths are counted in UTF-16 code units, as in the Bot API.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .protocol import ApiError, utf16_len

TAG_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
    "tg-time": "date_time",
}
NAMED_CHARACTERS = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
CHARACTER_REFERENCE = re.compile(r"&(?:#([0-9]{1,10})|#[xX]([0-9a-fA-F]{1,8})|([a-zA-Z]+));?")
DATE_TIME_FORMAT = re.compile(r"r|w?[dD]?[tT]?")
SPACES = " \t\r\n\f\v"


@dataclass
class _OpenTag:
    """A start tag waiting for its end tag."""

    name: str
    attributes: dict[str, str]
    offset: int  # UTF-16 offset of the tag's content in the parsed text
    expandable: bool = False
    language: str = ""


def _decode_reference(text: str, pos: int) -> tuple[str, int] | None:
    """Decode the character reference starting at ``text[pos] == '&'``: (character, end)."""
    match = CHARACTER_REFERENCE.match(text, pos)
    if match is None:
        return None
    decimal, hexadecimal, name = match.groups()
    if name is not None:
        char = NAMED_CHARACTERS.get(name)
        return (char, match.end()) if char else None
    code = int(decimal) if decimal is not None else int(hexadecimal, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), match.end()


def _unescape(value: str) -> str:
    """Decode the character references inside a quoted attribute value."""
    out, pos = [], 0
    while pos < len(value):
        decoded = _decode_reference(value, pos) if value[pos] == "&" else None
        if decoded:
            out.append(decoded[0])
            pos = decoded[1]
        else:
            out.append(value[pos])
            pos += 1
    return "".join(out)


class _HtmlParser:
    """One pass over an HTML-formatted text, producing plain text and entities."""

    def __init__(self, source: str):
        self.src = source
        self.pos = 0
        self.out: list[str] = []
        self.offset = 0  # UTF-16 length of the text produced so far
        self.entities: list[dict[str, Any]] = []
        self.open: list[_OpenTag] = []

    def fail(self, message: str) -> ApiError:
        return ApiError.bad_request(f"can't parse entities: {message}")

    def byte_offset(self, pos: int) -> int:
        return len(self.src[:pos].encode("utf-8"))

    def at(self, pos: int) -> str:
        return self.src[pos] if pos < len(self.src) else ""

    def skip_spaces(self, pos: int) -> int:
        while pos < len(self.src) and self.src[pos] in SPACES:
            pos += 1
        return pos

    def emit(self, text: str) -> None:
        self.out.append(text)
        self.offset += utf16_len(text)

    def parse(self) -> tuple[str, list[dict[str, Any]]]:
        while self.pos < len(self.src):
            char = self.src[self.pos]
            decoded = _decode_reference(self.src, self.pos) if char == "&" else None
            if decoded:
                self.emit(decoded[0])
                self.pos = decoded[1]
            elif char != "<":
                self.emit(char)
                self.pos += 1
            elif self.at(self.pos + 1) == "/":
                self.end_tag()
            else:
                self.start_tag()
        if self.open:
            name = self.open[-1].name
            raise self.fail(f'Can\'t find end tag corresponding to start tag "{name}"')
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.out), self.entities

    def start_tag(self) -> None:
        begin = self.pos
        where = f"at byte offset {self.byte_offset(begin)}"
        pos = begin + 1
        while pos < len(self.src) and self.src[pos] not in SPACES + ">":
            pos += 1
        if pos >= len(self.src):
            raise self.fail(f"Unclosed start tag {where}")
        name = self.src[begin + 1 : pos].lower()
        if name not in TAG_ENTITY_TYPES:
            raise self.fail(f'Unsupported start tag "{name}" {where}')
        tag = _OpenTag(name, {}, self.offset)
        while True:
            pos = self.skip_spaces(pos)
            if pos >= len(self.src):
                raise self.fail(f'Unclosed start tag "{name}" {where}')
            if self.src[pos] == ">":
                break
            pos = self.attribute(tag, pos, where)
        self.pos = pos + 1
        self.check_start_tag(tag, where)
        self.open.append(tag)

    def attribute(self, tag: _OpenTag, pos: int, where: str) -> int:
        """Parse one attribute of ``tag`` starting at ``pos``; return the position after it."""
        begin = pos
        while pos < len(self.src) and self.src[pos] not in SPACES + "=>":
            pos += 1
        attr = self.src[begin:pos]
        if not attr:
            raise self.fail(f'Empty attribute name in the tag "{tag.name}" {where}')
        pos = self.skip_spaces(pos)
        if self.at(pos) != "=":
            if tag.name == "blockquote" and attr == "expandable":
                tag.expandable = True
                return pos
            raise self.fail(
                "Expected equal sign in declaration of an attribute of the tag "
                f'"{tag.name}" {where}'
            )
        pos = self.skip_spaces(pos + 1)
        if pos >= len(self.src):
            raise self.fail(f'Unclosed start tag "{tag.name}" {where}')
        quote = self.src[pos]
        if quote in "'\"":
            end = self.src.find(quote, pos + 1)
            if end < 0:
                raise self.fail(f"Unclosed start tag {where}")
            tag.attributes[attr] = _unescape(self.src[pos + 1 : end])
            return end + 1
        begin = pos
        while pos < len(self.src) and (self.src[pos].isalnum() or self.src[pos] in ".-"):
            pos += 1
        if self.at(pos) not in tuple(SPACES + ">"):
            raise self.fail(
                f"Unexpected end of name token at byte offset {self.byte_offset(begin)}"
            )
        tag.attributes[attr] = self.src[begin:pos].lower()
        return pos

    def check_start_tag(self, tag: _OpenTag, where: str) -> None:
        """Reject tags that lack the attribute that gives them meaning."""
        attrs = tag.attributes
        if tag.name == "span" and attrs.get("class") != "tg-spoiler":
            raise self.fail(f'Tag "span" must have class "tg-spoiler" {where}')
        if tag.name == "code" and attrs.get("class", "").startswith("language-"):
            tag.language = attrs["class"].removeprefix("language-")
        if tag.name == "tg-emoji" and not attrs.get("emoji-id", "").isdigit():
            raise self.fail(f'Tag "tg-emoji" must have a valid attribute "emoji-id" {where}')
        if tag.name == "tg-time":
            if not attrs.get("unix", "").isdigit():
                raise self.fail(f'Tag "tg-time" must have a valid attribute "unix" {where}')
            if not DATE_TIME_FORMAT.fullmatch(attrs.get("format", "")):
                raise self.fail(f"Invalid date-time format {where}")

    def end_tag(self) -> None:
        begin = self.pos
        where = f"at byte offset {self.byte_offset(begin)}"
        if not self.open:
            raise self.fail(f"Unexpected end tag {where}")
        pos = begin + 2
        while pos < len(self.src) and self.src[pos] not in SPACES + ">":
            pos += 1
        end_name = self.src[begin + 2 : pos].lower()
        pos = self.skip_spaces(pos)
        if self.at(pos) != ">":
            raise self.fail(f"Unclosed end tag {where}")
        tag = self.open.pop()
        if end_name and end_name != tag.name:
            raise self.fail(
                f'Unmatched end tag {where}, expected "</{tag.name}>", found "</{end_name}>"'
            )
        self.pos = pos + 1
        if self.offset > tag.offset:
            self.close_entity(tag)

    def close_entity(self, tag: _OpenTag) -> None:
        entity: dict[str, Any] = {
            "type": TAG_ENTITY_TYPES[tag.name],
            "offset": tag.offset,
            "length": self.offset - tag.offset,
        }
        if tag.name == "a":
            if not tag.attributes.get("href"):
                return
            entity["url"] = tag.attributes["href"]
        elif tag.name == "blockquote" and tag.expandable:
            entity["type"] = "expandable_blockquote"
        elif tag.name == "tg-emoji":
            entity["custom_emoji_id"] = tag.attributes["emoji-id"]
        elif tag.name == "tg-time":
            entity["unix_time"] = int(tag.attributes["unix"])
            if tag.attributes.get("format"):
                entity["date_time_format"] = tag.attributes["format"]
        elif tag.name == "code":
            entity["_language"] = tag.language
        elif tag.name == "pre" and self.entities:
            inner = self.entities[-1]  # <pre><code class="language-x">...</code></pre>
            same_range = (inner["offset"], inner["length"]) == (entity["offset"], entity["length"])
            if inner["type"] == "code" and same_range:
                self.entities.pop()
                if inner["_language"]:
                    entity["language"] = inner["_language"]
        self.entities.append(entity)


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram HTML into (plain text, entities); ApiError 400 if it can't be parsed."""
    text, entities = _HtmlParser(source).parse()
    for entity in entities:
        entity.pop("_language", None)
    return text, entities


def _trim(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Strip leading and trailing whitespace as Telegram does, keeping entities aligned."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    shift = utf16_len(text[: len(text) - len(text.lstrip())])
    limit = utf16_len(stripped)
    kept = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, limit)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return stripped, kept


def format_text(raw: Any, parse_mode: Any, entities: Any) -> tuple[str, list[dict[str, Any]]]:
    """Turn a text or caption parameter into the (text, entities) Telegram stores.

    ``parse_mode`` is matched case-insensitively. Only HTML is implemented: MarkdownV2 and
    Markdown are refused with a 400 naming this stand-in, so a test never passes by accident.
    """
    text = "" if raw is None else str(raw)
    mode = str(parse_mode or "").lower()
    if mode == "html":
        text, parsed = parse_html(text)
    elif mode in {"markdownv2", "markdown"}:
        raise ApiError.bad_request(
            f"can't parse entities: parse_mode {parse_mode} is not implemented by the stand-in"
        )
    elif mode:
        raise ApiError.bad_request("unsupported parse_mode")
    else:
        parsed = _check_entities(entities)
    return _trim(text, parsed)


def _check_entities(entities: Any) -> list[dict[str, Any]]:
    """Validate an explicit ``entities``/``caption_entities`` list."""
    if entities is None:
        return []
    if not isinstance(entities, list) or not all(
        isinstance(e, dict) and {"type", "offset", "length"} <= e.keys() for e in entities
    ):
        raise ApiError.bad_request("can't parse entities JSON object")
    return [dict(entity) for entity in entities]
