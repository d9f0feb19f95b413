"""The filter language of /cari, /statistik and /ekspor.

``banjir pilar:environment status:new kec:martapura skpd:pupr sejak:2026-11-01 sampai:2026-11-30``:
words
must all appear in the text (or one may be a tracking code); filters are ``name:value``, with
Indonesian and English names. Dates are calendar days in the configured zone, both ends included.
A bad filter raises :class:`FilterError`, which says what is wrong and what is valid.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from bot.core.catalogue import Catalogue
from bot.core.clock import day_bounds, parse_day
from storage.models import Status
from storage.records import Criteria

MAX_WORDS = 10


class Filter(enum.StrEnum):
    PILLAR = "pilar"
    STATUS = "status"
    KECAMATAN = "kec"
    UNIT = "skpd"
    SINCE = "sejak"
    UNTIL = "sampai"


ALIASES = {
    "pilar": Filter.PILLAR,
    "pillar": Filter.PILLAR,
    "status": Filter.STATUS,
    "kec": Filter.KECAMATAN,
    "kecamatan": Filter.KECAMATAN,
    "skpd": Filter.UNIT,
    "opd": Filter.UNIT,
    "unit": Filter.UNIT,
    "sejak": Filter.SINCE,
    "since": Filter.SINCE,
    "dari": Filter.SINCE,
    "from": Filter.SINCE,
    "sampai": Filter.UNTIL,
    "until": Filter.UNTIL,
    "to": Filter.UNTIL,
}
FILTER_SHAPE = re.compile(r"^([A-Za-z]+):(.*)$")


class Problem(enum.StrEnum):
    UNKNOWN_FILTER = "unknown_filter"
    BAD_VALUE = "bad_value"
    BAD_DATE = "bad_date"
    DATE_ORDER = "date_order"
    REPEATED = "repeated"


@dataclass
class FilterError(ValueError):
    """A filter could not be read; ``valid`` lists what would have been accepted."""

    problem: Problem
    name: str
    value: str
    valid: tuple[str, ...] = ()


def parse(query: str, catalogue: Catalogue, zone: ZoneInfo) -> Criteria:
    """Read the words and filters of ``query`` into :class:`Criteria`."""
    words: list[str] = []
    values: dict[Filter, str] = {}
    for token in query.split():
        shape = FILTER_SHAPE.match(token)
        if shape is None:
            words.append(token)
            continue
        name, value = shape.group(1).lower(), shape.group(2).strip().lower()
        kind = ALIASES.get(name)
        if kind is None:
            raise FilterError(Problem.UNKNOWN_FILTER, name, value, tuple(Filter))
        if kind in values:
            raise FilterError(Problem.REPEATED, name, value)
        values[kind] = _checked(kind, name, value, catalogue)
    since = values.get(Filter.SINCE)
    until = values.get(Filter.UNTIL)
    if since and until and since > until:
        raise FilterError(Problem.DATE_ORDER, Filter.UNTIL, until, (since,))
    return Criteria(
        words=tuple(words[:MAX_WORDS]),
        pillar=values.get(Filter.PILLAR),
        status=values.get(Filter.STATUS),
        kecamatan=values.get(Filter.KECAMATAN),
        unit=values.get(Filter.UNIT),
        # A bound at the very ends of the calendar is no bound: nothing lies beyond it.
        since=day_bounds(date.fromisoformat(since), zone)[0] if since else None,
        until=day_bounds(date.fromisoformat(until), zone)[1] if until else None,
    )


def _checked(kind: Filter, name: str, value: str, catalogue: Catalogue) -> str:
    if kind in (Filter.SINCE, Filter.UNTIL):
        try:
            return parse_day(value).isoformat()
        except ValueError:
            raise FilterError(Problem.BAD_DATE, name, value, ("2026-11-01",)) from None
    if kind is Filter.PILLAR:
        valid = catalogue.pillar_keys
    elif kind is Filter.STATUS:
        valid = tuple(Status)
    elif kind is Filter.UNIT:
        valid = tuple(unit.key for unit in catalogue.units)
    else:
        valid = tuple(k.key for k in catalogue.kecamatan)
    if value not in valid:
        raise FilterError(Problem.BAD_VALUE, name, value, tuple(valid))
    return value
