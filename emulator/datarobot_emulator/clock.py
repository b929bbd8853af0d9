"""The emulator's clock: UTC wall time plus an offset tests can move, optionally frozen."""

from __future__ import annotations

import time
from datetime import datetime, timezone


def to_datetime(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, tz=timezone.utc)


def iso(epoch: float | None) -> str | None:
    """DataRobot's timestamp format: ISO-8601 UTC with microseconds and a ``Z``."""
    if epoch is None:
        return None
    return to_datetime(epoch).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_iso(text: str) -> float:
    """An ISO-8601 timestamp as epoch seconds; a naive timestamp is taken as UTC."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.timestamp()


class Clock:
    """``now() = real time + offset``, or a fixed instant while frozen.

    Freezing makes run progress and schedules move only when a test says so (``advance``), which is what makes
    lifecycle tests deterministic instead of racing a timer.
    """

    def __init__(self, offset: float = 0.0, frozen_at: float | None = None) -> None:
        self.offset = offset
        self.frozen_at = frozen_at

    def now(self) -> float:
        if self.frozen_at is not None:
            return self.frozen_at
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        if self.frozen_at is not None:
            self.frozen_at += seconds
        else:
            self.offset += seconds

    def set(self, epoch: float) -> None:
        if self.frozen_at is not None:
            self.frozen_at = epoch
        else:
            self.offset = epoch - time.time()

    def freeze(self, frozen: bool) -> None:
        if frozen and self.frozen_at is None:
            self.frozen_at = self.now()
        elif not frozen and self.frozen_at is not None:
            # Unfreezing resumes from the frozen instant, so time never jumps.
            self.offset = self.frozen_at - time.time()
            self.frozen_at = None

    def state(self) -> dict[str, float | None]:
        return {"offset": self.offset, "frozenAt": self.frozen_at}
