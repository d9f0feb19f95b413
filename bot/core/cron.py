"""Cron arithmetic: when a schedule last fired, and the runs before that."""

from __future__ import annotations

from datetime import datetime, timedelta

from apscheduler.triggers.cron import CronTrigger

LOOK_BACKS = tuple(timedelta(days=days) for days in (1, 8, 32, 367, 4 * 366))
RESOLUTION = timedelta(seconds=1)


def last_fire_time(trigger: CronTrigger, now: datetime) -> datetime | None:
    """The schedule's latest moment at or before ``now`` (looking back up to four years)."""
    for look_back in LOOK_BACKS:
        fire = trigger.get_next_fire_time(None, now - look_back)
        if fire is None or fire > now:
            continue
        while (following := trigger.get_next_fire_time(fire, fire + RESOLUTION)) and (
            following <= now
        ):
            fire = following
        return fire
    return None


def last_fire_times(trigger: CronTrigger, now: datetime, count: int) -> list[datetime]:
    """The schedule's latest ``count`` moments at or before ``now``, newest first (fewer if the
    schedule has fewer in the four years before each)."""
    fires: list[datetime] = []
    moment = now
    while len(fires) < count and (fire := last_fire_time(trigger, moment)) is not None:
        fires.append(fire)
        moment = fire - RESOLUTION
    return fires
