"""Waiting for the API to reach a state: one bounded poll loop with backoff, on an injectable clock and sleep.

Every wait of the provider and the CLI (a run to end, a policy to have no run in progress) is this loop: read,
stop when the caller's predicate holds, otherwise report, give up at the deadline, sleep and read again. What counts
as done is the caller's to say (a predicate), so the loop knows nothing of run statuses. Tests pass a fake clock and
a sleep that advances it, so a wait of an hour costs no time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from ..errors import WaitTimeoutError

__all__ = ["DEFAULT_POLL_INTERVAL", "Clock", "Deadline", "Sleep", "WaitTimeoutError", "poll"]

T = TypeVar("T")

Clock = Callable[[], float]
"""Seconds on a monotonic clock (`time.monotonic`)."""
Sleep = Callable[[float], None]
"""Blocks for that many seconds (`time.sleep`)."""

#: The first pause between two reads, doubling up to the second: short at first, so a quick wait ends quickly.
DEFAULT_POLL_INTERVAL: tuple[float, float] = (0.2, 2.0)


@dataclass(frozen=True)
class Deadline:
    """The instant on `clock` by which a wait must end; `seconds` is what it was given (None: no limit).

    One deadline may bound several waits in a row (a busy policy, then the run it starts): each gets what is left.
    """

    seconds: float | None
    at: float | None
    clock: Clock = time.monotonic

    @classmethod
    def after(cls, seconds: float | None, clock: Clock = time.monotonic) -> Deadline:
        """A deadline `seconds` from now on `clock` (`None`: never)."""
        return cls(seconds, None if seconds is None else clock() + seconds, clock)

    def remaining(self) -> float | None:
        """Seconds left (never negative), or None without a limit."""
        return None if self.at is None else max(0.0, self.at - self.clock())

    def passed(self) -> bool:
        return self.at is not None and self.clock() >= self.at


_NOT_READ: Any = object()


def poll(
    read: Callable[[], T],
    *,
    until: Callable[[T], bool],
    deadline: Deadline,
    interval: tuple[float, float] = DEFAULT_POLL_INTERVAL,
    report: Callable[[T, float], None] | None = None,
    first: T = _NOT_READ,
    sleep: Sleep = time.sleep,
) -> T:
    """Call `read()` until `until(value)` holds and return that value; `WaitTimeoutError` once `deadline` passes first.

    `first` is a value the caller already read (no read before the first test). `report(value, elapsed)` sees each
    value that is not done yet, before the deadline is tested, with the seconds since `poll` began; progress lines
    belong there. Between two reads the pause starts at `interval[0]` and doubles up to `interval[1]`, never past
    the deadline. Whatever `read` raises goes to the caller unchanged.
    """
    clock = deadline.clock
    started = clock()
    pause, longest = interval
    value = read() if first is _NOT_READ else first
    while True:
        if until(value):
            return value
        if report is not None:
            report(value, clock() - started)
        left = deadline.remaining()
        if left == 0.0:
            raise WaitTimeoutError(value, deadline.seconds or 0.0)
        sleep(pause if left is None else min(pause, left))
        pause = min(pause * 2, longest)
        value = read()
