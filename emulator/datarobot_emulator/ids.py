"""Deterministic DataRobot-style ids: 24 lowercase hex characters, like DataRobot's MongoDB ObjectIds."""

from __future__ import annotations

# A fixed "timestamp" prefix keeps ids looking like ObjectIds while a counter makes them reproducible: the same
# sequence of calls after a reset yields the same ids, which keeps test failures and benchmark logs comparable.
ID_PREFIX = "66e1d0a0"
ID_PATTERN = r"[0-9a-f]{24}"


def make_id(counter: int) -> str:
    """The id for the ``counter``-th object created since the last reset."""
    if counter < 0 or counter >= 16**16:
        raise ValueError(f"id counter out of range: {counter}")
    return f"{ID_PREFIX}{counter:016x}"


def is_id(value: object) -> bool:
    return isinstance(value, str) and len(value) == 24 and all(c in "0123456789abcdef" for c in value)
