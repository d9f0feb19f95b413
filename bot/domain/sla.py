"""The review promise (SP4N-LAPOR!'s verification time): ``REVIEW_SLA_DAYS`` working days.

Working days are Monday to Friday in the configured zone; something received on a weekend starts
counting on Monday at midnight. Public holidays are not known to the bot and count as working
days. The rule is used in both directions: the review desk asks when one submission becomes
overdue (:func:`sla_deadline`), the digest counts the overdue in SQL with the latest receipt
time that is already overdue (:func:`overdue_cutoff`).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo


def sla_deadline(received: datetime, zone: ZoneInfo, working_days: int) -> datetime:
    """When ``working_days`` working days (Monday to Friday in ``zone``) after ``received`` end.

    Something received on a weekend starts counting on Monday at midnight. Public holidays are
    not known to the bot and count as working days.
    """
    local = received.astimezone(zone)
    if local.weekday() >= 5:
        local = (local + timedelta(days=7 - local.weekday())).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
    for _ in range(working_days):
        local += timedelta(days=1)
        while local.weekday() >= 5:
            local += timedelta(days=1)
    return local


def overdue_cutoff(now: datetime, zone: ZoneInfo, working_days: int) -> datetime:
    """A submission still waiting at ``now`` is overdue exactly when received before this.

    Overdue means more than ``working_days`` working days (Monday to Friday in ``zone``) have
    passed since it was received; something received on a weekend counts from Monday 00:00, as
    the review desk counts. Weekends are squeezed out of the time line: step back that many
    working days from ``now`` (a weekend ``now`` stands at Friday midnight) and take the
    earliest instant with the same working time.
    """
    local = now.astimezone(zone)
    if local.weekday() >= 5:
        local = datetime.combine(
            local.date() - timedelta(days=local.weekday() - 5), time(), tzinfo=zone
        )
    for _ in range(working_days):
        local -= timedelta(days=1)
        while local.weekday() >= 5:
            local -= timedelta(days=1)
    if local.weekday() == 0 and local.time() == time():
        local -= timedelta(days=2)
    return local.astimezone(UTC)
