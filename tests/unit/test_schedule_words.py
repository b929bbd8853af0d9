"""Cron shorthand, plain-English schedules and the messages for schedules written the way other tools write them."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone
from typing import Any

import pytest
from croniter import croniter

import pulumi_datarobot_retraining as retraining
from datarobot_retraining.inputs.retraining_policy import check_policy
from datarobot_retraining.schedule import describe_schedule, expand_cron, next_fire_times, normalize_value
from pulumi_datarobot_retraining._utilities import to_props

EVERY = ["*"]
MONDAY_NOON = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)  # a Monday


@pytest.mark.parametrize(
    ("line", "lists", "words"),
    [
        ("0 6 * * 1-5", {"minute": [0], "hour": [6], "day_of_week": [1, 2, 3, 4, 5]}, "weekdays at 06:00 UTC"),
        ("0 6 * * mon-fri", {"minute": [0], "hour": [6], "day_of_week": [1, 2, 3, 4, 5]}, "weekdays at 06:00 UTC"),
        ("0 6,18 * * sat,sun", {"minute": [0], "hour": [6, 18], "day_of_week": [0, 6]},
         "weekends at 06:00 and 18:00 UTC"),
        ("*/15 * * * *", {"minute": [0, 15, 30, 45]}, "every 15 minutes"),
        ("30 6 * * 7", {"minute": [30], "hour": [6], "day_of_week": [0]}, "weekly on Sunday at 06:30 UTC"),
        ("0 0 1,15 * *", {"minute": [0], "hour": [0], "day_of_month": [1, 15]},
         "monthly on the 1st, 15th at 00:00 UTC"),
        ("0 3 * jan-mar *", {"minute": [0], "hour": [3], "month": [1, 2, 3]}, "on cron schedule '0 3 * 1,2,3 *' (UTC)"),
        ("0 0 * * *", {"minute": [0], "hour": [0]}, "daily at 00:00 UTC"),
    ],
)  # fmt: skip
def test_a_cron_line_expands_into_the_five_lists_and_reads_the_same(
    line: str, lists: dict[str, list[Any]], words: str
) -> None:
    expected = {"minute": EVERY, "hour": EVERY, "day_of_month": EVERY, "month": EVERY, "day_of_week": EVERY, **lists}
    assert expand_cron(line) == expected
    schedule = to_props(retraining.ScheduleArgs.from_cron(line))
    assert schedule == expected
    assert describe_schedule(schedule) == words
    # The next runs are the cron line's own next times.
    iterator = croniter(line, MONDAY_NOON)
    cron_times = [iterator.get_next(datetime).strftime("%Y-%m-%dT%H:%M:%SZ") for _ in range(3)]
    assert next_fire_times(schedule, after=MONDAY_NOON) == cron_times


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        ("0 24 * * *", "the hour field '24' is not valid: use 0-23"),
        ("0 6 * * mon-fry", "the day of week field 'mon-fry' is not valid: use 0-6, names such as"),
        ("0 6 32 * *", "the day of month field '32' is not valid: use 1-31"),
        ("x 6 * * *", "the minute field 'x' is not valid"),
        ("0 6 L * *", "the day of month field 'L' is not valid: use 1-31, \"*\", ranges (1-5), steps (*/15) or lists "
                      "(1,15); the schedule's lists cannot express it"),
        ("0 6 * * 5#3", "the day of week field '5#3' is not valid"),
        ("0 6 * *", "a cron line has five fields (minute hour day-of-month month day-of-week), got 4"),
        ("0 6 * * * 2026", "got 6"),
    ],
)  # fmt: skip
def test_a_wrong_cron_line_names_the_field(line: str, fragment: str) -> None:
    with pytest.raises(ValueError) as caught:
        expand_cron(line)
    assert fragment in str(caught.value)
    with pytest.raises(retraining.ScheduleError) as from_cron:
        retraining.ScheduleArgs.from_cron(line)
    assert str(from_cron.value) == f"ScheduleArgs.from_cron({line!r}): {caught.value}."
    assert isinstance(from_cron.value, ValueError)  # and a pulumi.RunError: the engine shows it without a traceback


@pytest.mark.parametrize(
    ("field", "entry", "written"),
    [
        ("day_of_week", "1-5", "[1, 2, 3, 4, 5]"),
        ("day_of_week", "mon-fri", "[1, 2, 3, 4, 5]"),
        ("minute", "*/20", "[0, 20, 40]"),
        ("hour", "6,18", "[6, 18]"),
    ],
)
def test_a_cron_range_in_a_list_entry_says_what_to_write(field: str, entry: str, written: str) -> None:
    with pytest.raises(ValueError) as caught:
        normalize_value(field, entry)
    assert f"for {entry!r} write {written}, or build the whole schedule with ScheduleArgs.from_cron(...)" in str(
        caught.value
    )
    _, failures = check_policy(
        {"deployment_id": "d", "name": "n", "trigger": {"type": "schedule", "schedule": {field: [entry]}}}
    )
    assert [(f.property, written in f.reason) for f in failures] == [(f"trigger.schedule.{field}[0]", True)]


PULUMI_DATAROBOT_SCHEDULE = {"minutes": ["0"], "hours": ["2"], "day_of_months": ["*"], "months": ["*"],
                             "day_of_weeks": ["*"]}  # fmt: skip


def test_pulumi_datarobot_schedule_keys_get_the_key_to_write() -> None:
    _, failures = check_policy(
        {"deployment_id": "d", "name": "n", "trigger": {"type": "schedule", "schedule": PULUMI_DATAROBOT_SCHEDULE}}
    )
    reasons = {f.property: f.reason for f in failures}
    assert reasons["trigger.schedule.day_of_weeks"] == (
        "day_of_weeks is not a property of trigger.schedule: write day_of_week (day_of_weeks is pulumi_datarobot's "
        "plural; the keys here are singular, as in the API)"
    )
    assert {key.rsplit(".", 1)[1] for key in reasons} == set(PULUMI_DATAROBOT_SCHEDULE)
    _, camel = check_policy(
        {"deployment_id": "d", "name": "n", "trigger": {"type": "schedule", "schedule": {"dayOfWeek": [1]}}}
    )
    assert [f.reason for f in camel] == [
        "dayOfWeek is not a property of trigger.schedule: write day_of_week (dayOfWeek is the REST API's camelCase; "
        "inputs are snake_case)"
    ]


def test_schedule_args_with_plural_keys_say_which_key_to_write() -> None:
    with pytest.raises(retraining.ScheduleError) as caught:
        retraining.ScheduleArgs(**PULUMI_DATAROBOT_SCHEDULE)  # type: ignore[arg-type]
    message = str(caught.value)
    assert not isinstance(caught.value, TypeError)
    assert message.startswith(
        "ScheduleArgs has no field 'minutes': write minute (minutes is pulumi_datarobot's plural; the keys here are "
        "singular, as in the API); ScheduleArgs has no field 'hours': write hour"
    )
    assert message.count("has no field") == 5 and message.endswith(".")
    with pytest.raises(retraining.ScheduleError, match="ScheduleArgs has no field 'hourz': the closest field is hour"):
        retraining.ScheduleArgs(hourz=[1])  # type: ignore[call-arg]
    # The class is still an ordinary dataclass.
    schedule = retraining.ScheduleArgs(minute=[0])
    assert dataclasses.replace(schedule, hour=[6]) == retraining.ScheduleArgs(minute=[0], hour=[6])
