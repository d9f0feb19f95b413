"""Every user-facing text, per language, looked up by key; dates and times in the configured zone.

The catalogues are ``bot/locales/<language>.toml``; both must have the same keys (checked at load).
Texts are Telegram HTML. Parameters are HTML-escaped when filled in, unless they are :class:`Html`
(markup the bot built itself), so user text can never break a message.
"""

from __future__ import annotations

import html
import string
import tomllib
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from zoneinfo import ZoneInfo

LANGUAGES = ("id", "en")
MESSAGE_LIMIT = 4096  # the longest message text Telegram takes, in UTF-16 code units

MONTHS = {
    "id": ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}
ZONE_ABBREVIATIONS = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}


class Html(str):
    """Markup built by the bot itself: inserted into a text without escaping."""

    __slots__ = ()


class TextsError(ValueError):
    """A locale file is missing, malformed, or its keys differ from the other language's."""


def _flatten(table: dict, prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        elif isinstance(value, str):
            flat[name] = value
        else:
            raise TextsError(f"{name}: texts must be strings")
    return flat


def resolve_language(chosen: str | None, telegram_code: str | None, default: str) -> str:
    """The resident's choice, else their Telegram language when we have it, else the default."""
    if chosen in LANGUAGES:
        return chosen
    if telegram_code:
        base = telegram_code.split("-")[0].lower()
        if base in LANGUAGES:
            return base
    return default


@dataclass(frozen=True, slots=True)
class Texts:
    catalogues: dict[str, dict[str, str]]
    timezone: ZoneInfo
    # Filled into every text that names them, unless the caller gives them: {region}, and
    # {example_code}, a tracking code as this bot writes them.
    constants: dict[str, Html]

    @classmethod
    def load(cls, timezone: ZoneInfo, *, region: str, code_prefix: str) -> Texts:
        catalogues = {}
        for language in LANGUAGES:
            source = resources.files("bot") / "locales" / f"{language}.toml"
            try:
                catalogues[language] = _flatten(tomllib.loads(source.read_text("utf-8")))
            except (OSError, tomllib.TOMLDecodeError) as error:
                raise TextsError(f"locales/{language}.toml: {error}") from error
        reference = set(catalogues[LANGUAGES[0]])
        for language in LANGUAGES[1:]:
            difference = reference ^ set(catalogues[language])
            if difference:
                raise TextsError(
                    f"locales: keys differ between languages: {', '.join(sorted(difference))}"
                )
        constants = {"region": region, "example_code": f"{code_prefix}-0001"}
        escaped = {name: Html(html.escape(value, quote=False)) for name, value in constants.items()}
        return cls(catalogues, timezone, escaped)

    def get(self, language: str, key: str, /, **params: object) -> str:
        """The text ``key`` in ``language`` with ``params`` filled in (escaped unless Html)."""
        template = self.catalogues[language][key]
        if not params and "{" not in template:
            return template
        safe = {
            name: value if isinstance(value, Html) else html.escape(str(value), quote=False)
            for name, value in {**self.constants, **params}.items()
        }
        return string.Formatter().vformat(template, (), safe)

    def keys(self, language: str) -> set[str]:
        return set(self.catalogues[language])

    def zone_name(self) -> str:
        return ZONE_ABBREVIATIONS.get(self.timezone.key, self.timezone.key)

    def date(self, language: str, moment: datetime) -> str:
        """``28 Nov 2026`` in the configured zone."""
        local = moment.astimezone(self.timezone)
        return f"{local.day} {MONTHS[language][local.month - 1]} {local.year}"

    def datetime(self, language: str, moment: datetime) -> str:
        """``28 Nov 2026 10:05 WITA`` in the configured zone."""
        local = moment.astimezone(self.timezone)
        return f"{self.date(language, moment)} {local:%H:%M} {self.zone_name()}"
