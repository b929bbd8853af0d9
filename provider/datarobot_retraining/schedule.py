"""Schedule semantics of retraining triggers: value rules, canonical form, next fire times and plain-English text."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

SCHEDULE_FIELDS = ("minute", "hour", "day_of_month", "month", "day_of_week")
EVERY = "*"

_MONTH_NAMES = [
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
]
_DAY_NAMES = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]


@dataclass(frozen=True)
class FieldRule:
    """What one schedule field accepts: an integer range and, for months and weekdays, names."""

    label: str
    low: int
    high: int
    names: tuple[str, ...] = ()
    # Months are named from 1, weekdays from 0 (Sunday).
    first_named: int = 0

    def number_for_name(self, text: str) -> int | None:
        lowered = text.strip().lower()
        for offset, full in enumerate(self.names):
            if lowered in (full, full[:3]):
                return self.first_named + offset
        return None


FIELD_RULES: dict[str, FieldRule] = {
    "minute": FieldRule("minute", 0, 59),
    "hour": FieldRule("hour", 0, 23),
    "day_of_month": FieldRule("day of month", 1, 31),
    "month": FieldRule("month", 1, 12, tuple(_MONTH_NAMES), first_named=1),
    "day_of_week": FieldRule("day of week", 0, 6, tuple(_DAY_NAMES), first_named=0),
}


def _camel(field: str) -> str:
    head, *rest = field.split("_")
    return head + "".join(word.capitalize() for word in rest)


#: Schedule keys as other tools spell them → (our key, whose spelling it is). Only check's messages use this: one
#: spelling per field keeps programs, state, diffs and outputs alike (aliases would make two).
_PLURAL = "pulumi_datarobot's plural; the keys here are singular, as in the API"
SCHEDULE_KEY_SPELLINGS: dict[str, tuple[str, str]] = {
    **{f"{field}s": (field, _PLURAL) for field in SCHEDULE_FIELDS},
    **{_camel(f"{field}s"): (field, _PLURAL) for field in SCHEDULE_FIELDS if "_" in field},
    **{
        _camel(field): (field, "the REST API's camelCase; inputs are snake_case")
        for field in SCHEDULE_FIELDS
        if "_" in field
    },
}


def schedule_key_hint(key: str) -> str | None:
    """What to write instead of a schedule key spelled the way another tool spells it, or None."""
    found = SCHEDULE_KEY_SPELLINGS.get(key)
    return None if found is None else f"write {found[0]} ({key} is {found[1]})"


def normalize_value(field: str, value: Any) -> int | str:
    """One schedule entry as we keep it: an int, `"*"`, or a month/day name as the user spelled it.

    Raises ValueError with a sentence naming the rule when the entry is not something the API accepts; a cron
    range, step or list inside one entry (`"1-5"`) gets a sentence saying which entries to write instead.
    """
    rule = FIELD_RULES[field]
    allowed = f"{rule.low} to {rule.high}" + (", a name such as " + _example_name(rule) if rule.names else "")
    problem = f'{rule.label} values must be {allowed}, or "*" for every {rule.label}'
    if isinstance(value, str) and any(mark in value for mark in "-/,") and not value.strip().lstrip("-").isdigit():
        raise ValueError(_cron_entry_problem(field, value, problem))
    if isinstance(value, bool):
        raise ValueError(f"{problem}; got {value!r}")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(f"{problem}; got {value!r}")
        value = int(value)
    if isinstance(value, str):
        text = value.strip()
        if text == EVERY:
            return EVERY
        if text.lstrip("-").isdigit():
            value = int(text)
        elif rule.number_for_name(text) is not None:
            return text
        else:
            raise ValueError(f"{problem}; got {value!r}")
    if isinstance(value, int):
        if not rule.low <= value <= rule.high:
            raise ValueError(f"{problem}; got {value}")
        return value
    raise ValueError(f"{problem}; got {value!r}")


def _cron_entry_problem(field: str, text: str, problem: str) -> str:
    try:
        expanded = _expand_field(field, text.strip())
    except ValueError:
        return f"{problem}; got {text!r} (one value per entry: ranges, steps and lists are cron syntax)"
    listed = "[" + ", ".join(repr(v) if isinstance(v, str) else str(v) for v in expanded) + "]"
    return (
        f"{FIELD_RULES[field].label} entries are single values, not cron ranges, steps or lists: for {text!r} write "
        f"{listed}, or build the whole schedule with ScheduleArgs.from_cron(...)"
    )


def _expand_field(field: str, text: str) -> list[int | str]:
    """One cron field (`"1-5"`, `"*/15"`, `"mon-fri"`, `"1,15"`) as the list of values the API takes."""
    position = SCHEDULE_FIELDS.index(field)
    parts = ["*"] * len(SCHEDULE_FIELDS)
    parts[position] = text
    rule = FIELD_RULES[field]
    names = f", names such as {_example_name(rule)}" if rule.names else ""
    problem = (
        f'the {rule.label} field {text!r} is not valid: use {rule.low}-{rule.high}{names}, "*", ranges (1-5), '
        "steps (*/15) or lists (1,15)"
    )
    # croniter is imported where it is used: validating a schedule (the provider's `check`) never needs it.
    from croniter import croniter
    from croniter.croniter import CroniterError

    try:
        expanded, nth_weekday = croniter.expand(" ".join(parts))
    except (CroniterError, ValueError, KeyError) as error:
        raise ValueError(problem) from error
    values: list[int | str] = list(expanded[position])
    if nth_weekday or any(isinstance(v, str) and v != EVERY for v in values):
        # "L", "5#3" and the like: croniter knows them, the API's five lists cannot say them.
        raise ValueError(f"{problem}; the schedule's lists cannot express it")
    return values


def expand_cron(expression: str) -> dict[str, list[int | str]]:
    """A five-field cron line (`"0 6 * * 1-5"`) as the five lists the API takes, ranges, steps and names expanded.

    Raises ValueError naming the field that is wrong. Sunday may be 0 or 7; a field that covers everything is `["*"]`.
    """
    fields = expression.split()
    if len(fields) != len(SCHEDULE_FIELDS):
        raise ValueError(
            f"a cron line has five fields (minute hour day-of-month month day-of-week), got {len(fields)} in "
            f"{expression!r}"
        )
    return {field: _expand_field(field, text) for field, text in zip(SCHEDULE_FIELDS, fields, strict=True)}


def _example_name(rule: FieldRule) -> str:
    return '"jan" or "January"' if rule.first_named == 1 else '"sun" or "Sunday" (Sunday = 0)'


def same_schedule(want: Mapping[str, Any] | None, have: Mapping[str, Any] | None) -> bool:
    """Whether two schedules fire at the same times, however their values are spelled and ordered."""
    return canonical(want) == canonical(have)


def canonical(schedule: Mapping[str, Any] | None) -> dict[str, tuple[int, ...] | str] | None:
    """A form in which two schedules that fire at the same times compare equal (names → numbers, order, `*`)."""
    if schedule is None:
        return None
    result: dict[str, tuple[int, ...] | str] = {}
    for field in SCHEDULE_FIELDS:
        raw = schedule.get(field)
        values: Sequence[Any] = [EVERY] if raw is None else raw
        numbers: set[int] = set()
        every = False
        for item in values:
            try:
                normalized = normalize_value(field, item)
            except ValueError:
                # Not ours to judge here (the server accepted it); compare it as text.
                result[field] = repr(sorted(map(str, values)))
                break
            if normalized == EVERY:
                every = True
            elif isinstance(normalized, str):
                numbers.add(FIELD_RULES[field].number_for_name(normalized) or 0)
            else:
                numbers.add(normalized)
        else:
            result[field] = EVERY if every else tuple(sorted(numbers))
    return result


def cron_expression(schedule: Mapping[str, Any]) -> str | None:
    """The five-field cron line for a schedule, or None when the schedule cannot be expressed."""
    shape = canonical(schedule)
    if shape is None:
        return None
    parts: list[str] = []
    for field in SCHEDULE_FIELDS:
        value = shape[field]
        if value == EVERY:
            parts.append("*")
        elif isinstance(value, tuple) and value:
            parts.append(",".join(str(v) for v in value))
        else:
            return None
    return " ".join(parts)


def next_fire_times(schedule: Mapping[str, Any] | None, *, after: datetime | None = None, count: int = 3) -> list[str]:
    """The next `count` UTC times (ISO 8601, `Z`) the schedule fires after `after` (default: now).

    Standard cron day rule: when both day of month and day of week are restricted they add up (union);
    when one of them is `*`, only the other one restricts. Impossible dates (Feb 30) are skipped.
    """
    if not schedule:
        return []
    expression = cron_expression(schedule)
    if expression is None:
        return []
    start = (after or datetime.now(timezone.utc)).astimezone(timezone.utc)
    from croniter import croniter
    from croniter.croniter import CroniterBadDateError

    try:
        iterator = croniter(expression, start, day_or=True)
        times = [iterator.get_next(datetime) for _ in range(count)]
    except (CroniterBadDateError, ValueError, KeyError):
        return []
    return [t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") for t in times]


#: At most this many times of day are spelled out ("at 06:00 and 18:00 UTC"); more read better as the cron line.
_MAX_TIMES_IN_WORDS = 4
_WEEKDAYS = (1, 2, 3, 4, 5)
_WEEKEND = (0, 6)


def describe_schedule(schedule: Mapping[str, Any] | None) -> str:
    """Plain English for a schedule: "daily at 00:00 UTC", "weekdays at 06:00 UTC", "weekly on Monday at 06:30 UTC",
    "every 15 minutes", or the cron line."""
    shape = canonical(schedule)
    if shape is None:
        return "no schedule"
    minute, hour, dom, month, dow = (shape[f] for f in SCHEDULE_FIELDS)
    at = _times_of_day(minute, hour)
    if at is not None and month == EVERY:
        if dom == EVERY and dow == EVERY:
            return f"daily {at}"
        if dom == EVERY and isinstance(dow, tuple):
            return f"{_days_of_week(dow)} {at}"
        if dow == EVERY and isinstance(dom, tuple):
            days = ", ".join(_ordinal(d) for d in dom)
            return f"monthly on the {days} {at}"
    if isinstance(minute, tuple) and minute and all(v == EVERY for v in (hour, dom, month, dow)):
        if len(minute) == 1:
            return f"hourly at minute {minute[0]}"
        step = minute[1] - minute[0]
        if minute[0] == 0 and 60 % step == 0 and minute == tuple(range(0, 60, step)):
            return f"every {step} minutes"
    expression = cron_expression(schedule or {})
    return f"on cron schedule '{expression}' (UTC)" if expression else "on a custom schedule"


def _times_of_day(minute: tuple[int, ...] | str, hour: tuple[int, ...] | str) -> str | None:
    """ "at 06:00 UTC", "at 06:00 and 18:00 UTC"; None when there are too many (or every hour or minute)."""
    if not (isinstance(minute, tuple) and isinstance(hour, tuple)) or not minute or not hour:
        return None
    times = [f"{h:02d}:{m:02d}" for h in hour for m in minute]
    if len(times) > _MAX_TIMES_IN_WORDS:
        return None
    listed = times[0] if len(times) == 1 else ", ".join(times[:-1]) + f" and {times[-1]}"
    return f"at {listed} UTC"


def _days_of_week(days: tuple[int, ...]) -> str:
    if days == _WEEKDAYS:
        return "weekdays"
    if days == _WEEKEND:
        return "weekends"
    return "weekly on " + ", ".join(_DAY_NAMES[d].capitalize() for d in days)


def _ordinal(day: int) -> str:
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def describe_trigger(trigger: Mapping[str, Any] | None) -> str:
    """Plain English for a trigger: "daily at 00:00 UTC", "when data drift declines to warning", "manual only"."""
    if not trigger or trigger.get("type") in (None, "None", "none"):
        return "manual only"
    kind = trigger.get("type")
    if kind == "schedule":
        return describe_schedule(trigger.get("schedule"))
    if kind == "custom_job":
        return f"by custom job {trigger.get('custom_job_id') or '(unset)'}"
    if kind in ("data_drift_decline", "accuracy_decline"):
        subject = "data drift" if kind == "data_drift_decline" else "accuracy"
        levels = [
            label
            for key, label in (
                ("status_declines_to_warning", "declines to warning"),
                ("status_declines_to_failing", "declines to failing"),
                ("status_still_in_decline", "is still in decline"),
            )
            if trigger.get(key)
        ]
        text = f"when {subject} " + (" or ".join(levels) if levels else "health declines")
        if trigger.get("schedule"):
            text += f" (checked {describe_schedule(trigger.get('schedule'))})"
        return text
    return str(kind)
