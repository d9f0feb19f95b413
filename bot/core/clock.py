"""Time as the bot sees it: an injectable clock returning aware UTC datetimes."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

Clock = Callable[[], datetime]

DAY_SHAPE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

# How long a conversation waits for the person's next step: a resident's draft, a resident's
# answer to an officer's question, an officer's words for an action. Then it is put aside.
IDLE_LIMIT = timedelta(minutes=30)


def utc_now() -> datetime:
    return datetime.now(UTC)


def start_of_local_day(moment: datetime, zone: ZoneInfo) -> datetime:
    """Midnight of ``moment``'s calendar day in ``zone``, as aware UTC."""
    local = moment.astimezone(zone)
    return datetime.combine(local.date(), time(), tzinfo=zone).astimezone(UTC)


def local_day_bounds(moment: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    start = start_of_local_day(moment, zone)
    return start, start_of_local_day(start + timedelta(hours=36), zone)


def parse_day(text: str) -> date:
    """The calendar day written ``YYYY-MM-DD``; ValueError for anything else, including the
    other forms ``date.fromisoformat`` reads (``20261101``, ``2026-W44-7``)."""
    if not DAY_SHAPE.fullmatch(text):
        raise ValueError(f"not a YYYY-MM-DD date: {text!r}")
    return date.fromisoformat(text)


def day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime | None, datetime | None]:
    """When ``day`` begins and ends in ``zone``, as aware UTC; None for a bound ``datetime``
    cannot hold (the start of 0001-01-01 east of UTC, the end of 9999-12-31)."""
    bounds: list[datetime | None] = []
    for ordinal in (day.toordinal(), day.toordinal() + 1):
        try:
            midnight = datetime.combine(date.fromordinal(ordinal), time(), tzinfo=zone)
            bounds.append(midnight.astimezone(UTC))
        except (OverflowError, ValueError):
            bounds.append(None)
    return bounds[0], bounds[1]
