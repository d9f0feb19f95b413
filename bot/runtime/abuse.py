"""Limits that keep one resident from drowning the bot: a sliding-window message flood guard."""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from datetime import timedelta
from enum import Enum

from bot.core.clock import Clock

# Senders remembered before idle ones are forgotten (each costs about 200 bytes: its times).
SENDERS_KEPT = 1000
# After one answer to a resident's spam, more spam from them within this time gets silence.
SPAM_MEMORY = timedelta(days=1)


class Verdict(Enum):
    """What to do with one more message from a sender."""

    PASS = "pass"
    WARN = "warn"  # the first message over the limit: answer once, politely
    DROP = "drop"  # further messages over the limit: silence


@dataclass
class FloodGuard:
    """At most ``limit`` messages per ``window`` per sender; one warning, then silence."""

    clock: Clock
    limit: int = 20
    window: timedelta = timedelta(minutes=1)
    # Each sender's message times within the window, oldest first, as POSIX seconds: an array of
    # doubles is a fifth of the size of a deque of datetimes, and a burst keeps thousands.
    _seen: dict[int, array] = field(default_factory=dict)
    _warned: set[int] = field(default_factory=set)
    _prune_at: int = SENDERS_KEPT

    def check(self, sender_id: int) -> Verdict:
        now = self.clock().timestamp()
        if len(self._seen) >= self._prune_at:
            # Every sender ever seen would otherwise stay: forget the idle ones, and look again
            # only when as many new ones have come (the cost stays constant per message).
            self.forget_idle()
            self._prune_at = max(SENDERS_KEPT, 2 * len(self._seen))
        times = self._seen.get(sender_id)
        if times is None:
            times = self._seen[sender_id] = array("d")
        start = now - self.window.total_seconds()
        expired = 0
        while expired < len(times) and times[expired] <= start:
            expired += 1
        del times[:expired]
        if len(times) < self.limit:
            times.append(now)
            self._warned.discard(sender_id)
            return Verdict.PASS
        if sender_id in self._warned:
            return Verdict.DROP
        self._warned.add(sender_id)
        return Verdict.WARN

    @property
    def senders(self) -> int:
        """How many senders are remembered."""
        return len(self._seen)

    def forget_idle(self) -> None:
        """Drop senders whose window is empty (keeps memory flat over a long run)."""
        start = self.clock().timestamp() - self.window.total_seconds()
        for sender_id in [s for s, t in self._seen.items() if not t or t[-1] <= start]:
            del self._seen[sender_id]
            self._warned.discard(sender_id)


@dataclass
class Throttle:
    """Lets one event through per ``interval`` and counts the ones held back since."""

    clock: Clock
    interval: timedelta
    _last: object = None
    suppressed: int = 0

    def allow(self) -> tuple[bool, int]:
        """Whether to act now, and how many events were held back before this one."""
        now = self.clock()
        if self._last is not None and now - self._last < self.interval:
            self.suppressed += 1
            return False, self.suppressed
        held_back, self.suppressed, self._last = self.suppressed, 0, now
        return True, held_back
