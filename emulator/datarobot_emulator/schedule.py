"""Schedule semantics: the five-key schedule as a cron expression (croniter does the calendar), ISO-8601 durations.

The durations are those of ``minIntervalBetweenRuns``.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any

from croniter import CroniterBadDateError, croniter

SCHEDULE_KEYS = ("minute", "hour", "dayOfMonth", "month", "dayOfWeek")
RANGES: dict[str, tuple[int, int]] = {
    "minute": (0, 59),
    "hour": (0, 23),
    "dayOfMonth": (1, 31),
    "month": (1, 12),
    "dayOfWeek": (0, 6),
}
MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
# Sunday = 0, as in cron and the reference.
DAY_NAMES = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")


def _name_table(names: tuple[str, ...], first: int) -> dict[str, int]:
    table: dict[str, int] = {}
    for index, name in enumerate(names):
        table[name] = index + first
        table[name[:3]] = index + first
    return table


_MONTHS = _name_table(MONTH_NAMES, 1)
_DAYS = _name_table(DAY_NAMES, 0)


def schedule_value(field: str, value: Any) -> int | str | None:
    """The cron value of one schedule element: an int in range, ``"*"``, or None when invalid.

    Accepts ints, integral floats (clients such as Pulumi send every number as a float), digit strings, and for
    ``month``/``dayOfWeek`` English names in any case, three-letter or full.
    """
    lo, hi = RANGES[field]
    number: int | None = None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str):
        text = value.strip().lower()
        if text == "*":
            return "*"
        if text.isdigit():
            number = int(text)
        elif field == "month":
            number = _MONTHS.get(text)
        elif field == "dayOfWeek":
            number = _DAYS.get(text)
    if number is None or not lo <= number <= hi:
        return None
    return number


def cron_expression(schedule: dict[str, list[Any]]) -> str:
    """``minute hour dayOfMonth month dayOfWeek``; ``["*"]`` (or any list holding ``"*"``) becomes ``*``.

    The day rule is standard cron (croniter's ``day_or``): dayOfMonth and dayOfWeek form a union only when both
    are restricted, so ``dayOfWeek=[1]`` with ``dayOfMonth=["*"]`` means every Monday.
    """
    parts = []
    for field in SCHEDULE_KEYS:
        values = [schedule_value(field, v) for v in schedule.get(field) or ["*"]]
        if "*" in values:
            parts.append("*")
        else:
            parts.append(",".join(str(v) for v in sorted({v for v in values if isinstance(v, int)})))
    return " ".join(parts)


def next_fire(schedule: dict[str, list[Any]], after: datetime) -> datetime | None:
    """The first schedule tick strictly after ``after`` (UTC), or None when the schedule can never fire.

    Impossible dates (30 February) are skipped, so a schedule of only impossible dates never fires.
    """
    try:
        result = croniter(cron_expression(schedule), after.astimezone(timezone.utc)).get_next(datetime)
    except CroniterBadDateError:
        return None
    assert isinstance(result, datetime)
    return result


_DURATION = re.compile(
    r"^P(?!$)(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)


def parse_duration(text: str) -> timedelta | None:
    """An ISO-8601 duration (``P1D``, ``PT12H``, ``P1DT6H``, ``P2W``) as a timedelta, or None when malformed.

    Years and months have no fixed length; they count as 365 and 30 days, which is all a minimum interval
    needs. A duration longer than a timedelta holds (``MAX_DURATION``, 999,999,999 days) is None too.
    """
    match = _DURATION.match(text)
    if match is None:
        return None
    parts = {k: float(v) for k, v in match.groupdict().items() if v is not None}
    days = parts.get("years", 0) * 365 + parts.get("months", 0) * 30 + parts.get("weeks", 0) * 7
    try:
        return timedelta(
            days=days + parts.get("days", 0),
            hours=parts.get("hours", 0),
            minutes=parts.get("minutes", 0),
            seconds=parts.get("seconds", 0),
        )
    except OverflowError:  # also what an infinite float (a number of thousands of digits) raises
        return None


MAX_DURATION = timedelta.max
