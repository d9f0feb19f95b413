"""What the weekly digest says: a pure function from a period's figures to Telegram HTML messages.

A period runs from one run of ``DIGEST_SCHEDULE`` to the next (``0 8 * * mon``: Monday 08:00 to
Monday 08:00), compared with the schedule's period before it; /ringkasan shows the current week so
far against the same span a week earlier.
Every value from the database is HTML-escaped by :meth:`bot.core.i18n.Texts.get`; the text is cut
into messages at section, then line, boundaries, each under Telegram's 4,096 characters.

The digest goes to a group: an idea appears only as its code, pillar and first words, with phone
numbers, e-mail addresses and @-names in those words blanked out. No Telegram id, name or
username of a resident is ever part of it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.core.catalogue import Catalogue
from bot.core.i18n import MESSAGE_LIMIT, Texts
from storage.digest_figures import DigestFigures, Listed

if TYPE_CHECKING:  # the figures come from the SKPD service; the words need only their fields
    from bot.domain.units import UnitFigures

EXCERPT_WORDS = 12
EXCERPT_CHARS = 90
TOP_KECAMATAN = 5
LISTED_IDEAS = 40
MINUS = "\u2212"
BLANK = "[…]"
PRIVATE_BITS = re.compile(
    r"\+?\d[\d .-]{6,}\d"  # phone numbers: eight digits or more
    r"|[\w.+-]+@[\w-]+\.[\w.-]+"  # e-mail addresses
    r"|@\w{4,}"  # Telegram @-names
)


# Periods ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Period:
    """``[start, end)`` and the span it is compared with, all aware UTC."""

    start: datetime
    end: datetime
    previous_start: datetime
    previous_end: datetime
    so_far: bool = False


def _midnight(day, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def week_before(moment: datetime, zone: ZoneInfo) -> Period:
    """The full week, Monday to Monday in ``zone``, before the week that holds ``moment``."""
    local = moment.astimezone(zone)
    monday = local.date() - timedelta(days=local.weekday())
    week = timedelta(days=7)
    return Period(
        start=_midnight(monday - week, zone),
        end=_midnight(monday, zone),
        previous_start=_midnight(monday - 2 * week, zone),
        previous_end=_midnight(monday - week, zone),
    )


def between_runs(fires: Sequence[datetime]) -> Period | None:
    """The period from the schedule's run before the latest to the latest, against the period
    before that; ``fires`` are the schedule's latest runs, newest first."""
    if len(fires) < 2:
        return None
    latest, previous = fires[0], fires[1]
    earlier = fires[2] if len(fires) > 2 else previous - (latest - previous)
    return Period(start=previous, end=latest, previous_start=earlier, previous_end=previous)


def since_last_run(fires: Sequence[datetime], now: datetime) -> Period | None:
    """The period from the schedule's latest run until ``now``, against as long a span from the
    run before; ``fires`` are the schedule's latest runs, newest first."""
    if len(fires) < 2:
        return None
    latest, previous = fires[0], fires[1]
    return Period(
        start=latest,
        end=now,
        previous_start=previous,
        previous_end=previous + (now - latest),
        so_far=True,
    )


def week_so_far(now: datetime, zone: ZoneInfo) -> Period:
    """This week from Monday 00:00 in ``zone`` until ``now``, against the same span a week ago."""
    local = now.astimezone(zone)
    monday = local.date() - timedelta(days=local.weekday())
    week = timedelta(days=7)
    return Period(
        start=_midnight(monday, zone),
        end=now,
        previous_start=_midnight(monday - week, zone),
        previous_end=(local - week).astimezone(UTC),
        so_far=True,
    )


# Words ------------------------------------------------------------------------------------------


def without_contacts(text: str) -> str:
    """The text with phone numbers, e-mail addresses and @-names blanked out."""
    return PRIVATE_BITS.sub(BLANK, text)


def excerpt(text: str) -> str:
    """The first words of an idea, without phone numbers, e-mail addresses or @-names."""
    words = without_contacts(" ".join(text.split())).split(" ")
    short = " ".join(words[:EXCERPT_WORDS])
    if len(short) > EXCERPT_CHARS:
        short = short[:EXCERPT_CHARS].rsplit(" ", 1)[0]
    return short + "…" if short != " ".join(words) else short


def signed(change: int) -> str:
    if change > 0:
        return f"+{change}"
    return f"{MINUS}{-change}" if change < 0 else "±0"


def change_with_percent(now: int, then: int) -> str:
    """``+4 · +50%``; without the percentage when there was nothing to compare with."""
    if not then:
        return signed(now - then)
    return f"{signed(now - then)} · {signed(round(100 * (now - then) / then))}%"


# The digest -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Context:
    """Everything besides the figures that the words depend on."""

    texts: Texts
    catalogue: Catalogue
    language: str
    region: str
    sla_days: int
    now: datetime

    def t(self, key: str, /, **params: object) -> str:
        return self.texts.get(self.language, key, **params)


def is_quiet(figures: DigestFigures) -> bool:
    """Nothing came in, nothing moved and nobody supported anything."""
    return not (figures.new_total or figures.status_changes or figures.supported)


def render_digest(
    figures: DigestFigures,
    period: Period,
    context: Context,
    by_unit: Sequence[UnitFigures] = (),
) -> list[str]:
    """The digest as Telegram HTML messages, each under :data:`MESSAGE_LIMIT` characters; with
    a section on the SKPD (``by_unit``) that forwarded, implemented or are overdue."""
    c = context
    head = [
        c.t("digest.title_so_far" if period.so_far else "digest.title", region=c.region),
        c.t(
            "digest.period",
            start=c.texts.datetime(c.language, period.start),
            end=c.texts.datetime(c.language, period.end),
        ),
    ]
    if is_quiet(figures):
        return split_messages(
            ["\n".join([*head, "", c.t("digest.quiet"), _backlog_line(figures, c)])]
        )
    sections = [
        "\n".join(head),
        c.t(
            "digest.new_total",
            count=figures.new_total,
            previous=figures.previous_total,
            change=change_with_percent(figures.new_total, figures.previous_total),
        ),
        _pillars(figures, c),
    ]
    if figures.top_kecamatan:
        sections.append(
            "\n".join(
                [c.t("digest.kecamatan")]
                + [
                    c.t(
                        "digest.kecamatan_line",
                        rank=rank,
                        name=c.catalogue.kecamatan_name(key),
                        count=count,
                    )
                    for rank, (key, count) in enumerate(figures.top_kecamatan, start=1)
                ]
            )
        )
    sections.append(_status_changes(figures, c))
    sections.append(_backlog(figures, c))
    units = _units(by_unit, c)
    if units:
        sections.append(units)
    if figures.supported:
        sections.append(
            "\n".join(
                [c.t("digest.supported")]
                + [
                    c.t(
                        "digest.supported_line",
                        code=item.code,
                        pillar=c.catalogue.pillar_short_name(item.pillar, c.language),
                        supports=item.supports,
                        excerpt=excerpt(item.excerpt),
                    )
                    for item in figures.supported
                ]
            )
        )
    if figures.new_ideas:
        sections.append(_new_ideas(figures, c))
    return split_messages(sections)


def _units(by_unit: Sequence[UnitFigures], c: Context) -> str:
    """Per SKPD with something to show: new forwards, implemented, overdue; empty if none."""
    lines = [
        c.t(
            "digest.units_line",
            unit=unit.short,
            forwarded=unit.forwarded,
            implemented=unit.implemented,
            overdue=unit.overdue,
        )
        for unit in by_unit
        if unit.forwarded or unit.implemented or unit.overdue
    ]
    return "\n".join([c.t("digest.units"), *lines]) if lines else ""


def _pillars(figures: DigestFigures, c: Context) -> str:
    keys = list(c.catalogue.pillar_keys)
    keys += sorted((set(figures.new_by_pillar) | set(figures.previous_by_pillar)) - set(keys))
    order = sorted(
        keys,
        key=lambda key: (-figures.new_by_pillar.get(key, 0), keys.index(key)),
    )
    lines = [c.t("digest.pillars")]
    for key in order:
        now, then = figures.new_by_pillar.get(key, 0), figures.previous_by_pillar.get(key, 0)
        lines.append(
            c.t(
                "digest.pillar_line",
                pillar=c.catalogue.pillar_short_name(key, c.language),
                count=now,
                change=signed(now - then),
            )
        )
    return "\n".join(lines)


def _status_changes(figures: DigestFigures, c: Context) -> str:
    total = sum(figures.status_changes.values())
    lines = [c.t("digest.changes", count=total)]
    statuses = sorted(figures.status_changes.items(), key=lambda item: (-item[1], item[0]))
    lines += [
        c.t("digest.change_line", status=c.t(f"status.{status}"), count=count)
        for status, count in statuses
    ]
    return "\n".join(lines)


def _backlog_line(figures: DigestFigures, c: Context) -> str:
    if not figures.waiting:
        return c.t("digest.backlog_empty")
    return c.t("digest.backlog_short", count=figures.waiting, overdue=figures.overdue)


def _local_day(moment: datetime, c: Context) -> date:
    return moment.astimezone(c.texts.timezone).date()


def _backlog(figures: DigestFigures, c: Context) -> str:
    lines = [c.t("digest.backlog")]
    if not figures.waiting or figures.oldest_at is None:
        return "\n".join([*lines, c.t("digest.backlog_empty")])
    lines.append(c.t("digest.backlog_waiting", count=figures.waiting))
    lines.append(
        c.t(
            "digest.backlog_oldest",
            code=figures.oldest_code or "",
            date=c.texts.date(c.language, figures.oldest_at),
            days=max(0, (_local_day(c.now, c) - _local_day(figures.oldest_at, c)).days),
        )
    )
    lines.append(c.t("digest.backlog_overdue", sla=c.sla_days, count=figures.overdue))
    return "\n".join(lines)


def _idea_line(item: Listed, c: Context) -> str:
    return c.t(
        "digest.idea_line",
        code=item.code,
        pillar=c.catalogue.pillar_short_name(item.pillar, c.language),
        excerpt=excerpt(item.excerpt),
    )


def _new_ideas(figures: DigestFigures, c: Context) -> str:
    lines = [c.t("digest.ideas")] + [_idea_line(item, c) for item in figures.new_ideas]
    more = figures.new_total - len(figures.new_ideas)
    if more > 0:
        lines.append(c.t("digest.more_ideas", count=more))
    return "\n".join(lines)


# Splitting --------------------------------------------------------------------------------------


def telegram_length(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units); markup counted too, to stay on the safe
    side."""
    return len(text.encode("utf-16-le")) // 2


def split_messages(sections: list[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Pack sections (joined by a blank line) into messages under ``limit``.

    A section too long for one message is cut between lines; a single line too long for one
    message (none the digest makes) is cut into pieces that each fill a message.
    """
    pieces: list[tuple[str, str]] = []  # (what joins it to the piece before, the piece)
    for section in sections:
        lines = [section] if telegram_length(section) < limit else _lines(section, limit)
        pieces.append(("\n\n", lines[0]))
        pieces += [("\n", line) for line in lines[1:]]
    messages: list[str] = []
    current = ""
    for joint, piece in pieces:
        candidate = f"{current}{joint}{piece}" if current else piece
        if telegram_length(candidate) < limit:
            current = candidate
        else:
            messages.append(current)
            current = piece
    if current:
        messages.append(current)
    return messages


def _lines(section: str, limit: int) -> list[str]:
    lines = []
    for line in section.split("\n"):
        while telegram_length(line) >= limit:
            fits = len(line.encode("utf-16-le")[: 2 * (limit - 1)].decode("utf-16-le", "ignore"))
            lines.append(line[:fits])
            line = line[fits:]
        lines.append(line)
    return lines
