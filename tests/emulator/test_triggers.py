"""Schedule and decline triggers on a controlled clock (T0 = Wednesday 2025-01-01 00:00 UTC)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import httpx
import pytest
from emulator_helpers import T0, configure, create_policy, freeze_at_t0, policies_url

from datarobot_emulator.schedule import next_fire, parse_duration
from datarobot_emulator.seed import DEMO_DEPLOYMENT_ID
from datarobot_emulator.server import EmulatorServer

EVERY = ["*"]


@pytest.fixture
def frozen(emulator: EmulatorServer, api: httpx.Client) -> EmulatorServer:
    freeze_at_t0(emulator)
    emulator.control.set_step_seconds(1)
    configure(api)
    return emulator


def run_count(api: httpx.Client, policy_id: str) -> int:
    return int(api.get(f"{policies_url()}{policy_id}/runs/").json()["totalCount"])


def test_weekly_schedule_fires_on_monday_only(frozen: EmulatorServer, api: httpx.Client) -> None:
    schedule = {"minute": [0], "hour": [3], "dayOfMonth": EVERY, "month": EVERY, "dayOfWeek": ["monday"]}
    policy = create_policy(api, action="create_model_package", trigger={"type": "schedule", "schedule": schedule})
    assert frozen.control.advance_clock(timedelta(days=4).total_seconds()) == []  # Wed → Sun: nothing
    started = frozen.control.advance_clock(timedelta(days=1, hours=3).total_seconds())  # Mon 03:00
    assert len(started) == 1
    assert api.get(f"{policies_url()}{policy['id']}/").json()["latestRun"]["id"] == started[0]
    assert frozen.control.advance_clock(3600) == []
    assert run_count(api, policy["id"]) == 1


def test_crossing_many_ticks_starts_one_run(frozen: EmulatorServer, api: httpx.Client) -> None:
    schedule = {"minute": [0], "hour": EVERY, "dayOfMonth": EVERY, "month": EVERY, "dayOfWeek": EVERY}
    policy = create_policy(api, action="create_model_package", trigger={"type": "schedule", "schedule": schedule})
    assert len(frozen.control.advance_clock(10 * 3600)) == 1
    assert run_count(api, policy["id"]) == 1
    # The next hour fires again (the previous run finished long ago on this clock).
    assert len(frozen.control.advance_clock(3600)) == 1


def test_schedule_does_not_start_a_second_run_while_one_is_in_progress(
    frozen: EmulatorServer, api: httpx.Client
) -> None:
    frozen.control.set_step_seconds(3600)
    schedule = {"minute": [0, 30], "hour": EVERY, "dayOfMonth": EVERY, "month": EVERY, "dayOfWeek": EVERY}
    policy = create_policy(api, action="create_model_package", trigger={"type": "schedule", "schedule": schedule})
    assert len(frozen.control.advance_clock(1800)) == 1
    assert frozen.control.advance_clock(1800) == []  # first run still running
    assert run_count(api, policy["id"]) == 1


def test_day_of_month_and_day_of_week_union_when_both_restricted(frozen: EmulatorServer, api: httpx.Client) -> None:
    # The 15th OR Mondays: from Wed 1 Jan, the next ticks are Mon 6, Mon 13, Wed 15.
    schedule = {"minute": [0], "hour": [0], "dayOfMonth": [15], "month": EVERY, "dayOfWeek": ["Mon"]}
    policy = create_policy(api, action="create_model_package", trigger={"type": "schedule", "schedule": schedule})
    fired_days = []
    for day in range(1, 16):
        if frozen.control.advance_clock(86400):
            fired_days.append(day + 1)
    assert fired_days == [6, 13, 15]
    assert run_count(api, policy["id"]) == 3


def test_set_clock_jumps_and_fires(frozen: EmulatorServer, api: httpx.Client) -> None:
    schedule = {"minute": [0], "hour": [12], "dayOfMonth": [1], "month": ["feb"], "dayOfWeek": EVERY}
    create_policy(api, action="create_model_package", trigger={"type": "schedule", "schedule": schedule})
    assert frozen.control.set_clock(datetime(2025, 1, 31, tzinfo=timezone.utc)) == []
    assert len(frozen.control.set_clock(datetime(2025, 2, 1, 12, 0, 1, tzinfo=timezone.utc))) == 1
    assert frozen.control.now() == datetime(2025, 2, 1, 12, 0, 1, tzinfo=timezone.utc)


def decline_policy(api: httpx.Client, kind: str, **trigger: object) -> str:
    body = {"type": kind, **trigger}
    return str(create_policy(api, action="create_model_package", trigger=body)["id"])


def test_accuracy_decline_fires_on_the_flagged_transitions(frozen: EmulatorServer, api: httpx.Client) -> None:
    to_warning = decline_policy(api, "accuracy_decline", statusDeclinesToWarning=True)
    to_failing = decline_policy(api, "accuracy_decline", statusDeclinesToFailing=True)
    drift = decline_policy(api, "data_drift_decline", statusDeclinesToWarning=True, statusDeclinesToFailing=True)
    control = frozen.control
    started = control.set_health(DEMO_DEPLOYMENT_ID, "accuracy", "warning")
    assert len(started) == 1
    assert run_count(api, to_warning) == 1
    control.advance_clock(10)  # let the run finish
    assert len(control.set_health(DEMO_DEPLOYMENT_ID, "accuracy", "failing")) == 1
    assert run_count(api, to_failing) == 1
    control.advance_clock(10)
    # Improving, or staying put, is no decline.
    assert control.set_health(DEMO_DEPLOYMENT_ID, "accuracy", "warning") == []
    assert control.set_health(DEMO_DEPLOYMENT_ID, "accuracy", "warning") == []
    assert run_count(api, drift) == 0
    assert api.get(f"/deployments/{DEMO_DEPLOYMENT_ID}/").json()["accuracyHealth"]["status"] == "warning"
    assert len(control.set_health(DEMO_DEPLOYMENT_ID, "data_drift", "failing")) == 1
    assert api.get(f"/deployments/{DEMO_DEPLOYMENT_ID}/").json()["modelHealth"]["status"] == "failing"


def test_min_interval_between_runs_is_honoured(frozen: EmulatorServer, api: httpx.Client) -> None:
    policy = decline_policy(api, "data_drift_decline", statusDeclinesToWarning=True, minIntervalBetweenRuns="PT12H")
    control = frozen.control
    assert len(control.set_health(DEMO_DEPLOYMENT_ID, "data_drift", "warning")) == 1
    control.advance_clock(3600)
    control.set_health(DEMO_DEPLOYMENT_ID, "data_drift", "passing")
    assert control.set_health(DEMO_DEPLOYMENT_ID, "data_drift", "warning") == []  # 1 h < 12 h
    control.advance_clock(12 * 3600)
    control.set_health(DEMO_DEPLOYMENT_ID, "data_drift", "passing")
    assert len(control.set_health(DEMO_DEPLOYMENT_ID, "data_drift", "warning")) == 1
    assert run_count(api, policy) == 2


def test_still_in_decline_fires_at_schedule_ticks(frozen: EmulatorServer, api: httpx.Client) -> None:
    schedule = {"minute": [0], "hour": [6], "dayOfMonth": EVERY, "month": EVERY, "dayOfWeek": EVERY}
    still = decline_policy(api, "accuracy_decline", statusStillInDecline=True, schedule=schedule)
    not_still = decline_policy(api, "accuracy_decline", statusDeclinesToFailing=True, schedule=schedule)
    control = frozen.control
    assert control.advance_clock(7 * 3600) == []  # healthy at 06:00: nothing
    assert len(control.set_health(DEMO_DEPLOYMENT_ID, "accuracy", "failing")) == 1  # not_still fires on decline
    assert len(control.advance_clock(24 * 3600)) == 1  # still failing at the next 06:00
    assert run_count(api, still) == 1
    assert run_count(api, not_still) == 1


def test_manual_policy_with_a_schedule_never_fires(frozen: EmulatorServer, api: httpx.Client) -> None:
    schedule = {"minute": EVERY, "hour": EVERY, "dayOfMonth": EVERY, "month": EVERY, "dayOfWeek": EVERY}
    policy = create_policy(api, action="create_model_package", trigger={"type": None, "schedule": schedule})
    assert frozen.control.advance_clock(3600) == []
    assert run_count(api, policy["id"]) == 0


def test_schedule_helpers() -> None:
    every_monday = {"minute": [0], "hour": [3], "dayOfMonth": EVERY, "month": EVERY, "dayOfWeek": [1]}
    assert next_fire(every_monday, T0) == datetime(2025, 1, 6, 3, 0, tzinfo=timezone.utc)
    sunday = {"minute": [0], "hour": [0], "dayOfMonth": EVERY, "month": EVERY, "dayOfWeek": ["SUN"]}
    assert next_fire(sunday, T0) == datetime(2025, 1, 5, tzinfo=timezone.utc)
    impossible = {"minute": [0], "hour": [0], "dayOfMonth": [30], "month": ["February"], "dayOfWeek": EVERY}
    assert next_fire(impossible, T0) is None
    assert parse_duration("P1D") == timedelta(days=1)
    assert parse_duration("PT12H") == timedelta(hours=12)
    assert parse_duration("P1DT1H30M15S") == timedelta(days=1, hours=1, minutes=30, seconds=15)
    assert parse_duration("P1W") == timedelta(weeks=1)
    for bad in ("P", "PT", "1D", "P1H", "P1DT", "pt1h"):
        assert parse_duration(bad) is None, bad
