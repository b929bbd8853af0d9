"""Run lifecycle on a frozen clock: steps, outputs, side effects, failures and the cancel rules."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from emulator_helpers import configure, create_policy, freeze_at_t0, policies_url

from datarobot_emulator.seed import DEMO_DEPLOYMENT_ID, DEMO_USE_CASE_ID
from datarobot_emulator.server import EmulatorServer

STEP = 10.0
RUN_KEYS = {
    "id",
    "status",
    "startTime",
    "finishTime",
    "challengerId",
    "errorMessage",
    "modelPackageId",
    "projectId",
    "registeredModelId",
    "useCaseId",
}


@pytest.fixture
def frozen(emulator: EmulatorServer, api: httpx.Client) -> EmulatorServer:
    """A frozen clock, 10 s steps, and runs that show the emulator's `currentStep` (these tests follow the steps)."""
    freeze_at_t0(emulator)
    emulator.control.set_step_seconds(STEP)
    emulator.control.set_variants(runSteps="shown")
    configure(api)
    return emulator


def start(api: httpx.Client, policy_id: str) -> dict[str, Any]:
    response = api.post(f"{policies_url()}{policy_id}/runs/")
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def get_run(api: httpx.Client, policy_id: str, run_id: str) -> dict[str, Any]:
    result: dict[str, Any] = api.get(f"{policies_url()}{policy_id}/runs/{run_id}/").json()
    return result


def test_create_challenger_run_walks_every_step(frozen: EmulatorServer, api: httpx.Client) -> None:
    policy = create_policy(api, action="create_challenger")
    run = start(api, policy["id"])
    assert set(run) >= RUN_KEYS
    assert (run["status"], run["startTime"], run["finishTime"], run["projectId"]) == ("scheduled", None, None, None)
    seen = []
    for _ in range(4):
        frozen.control.advance_clock(STEP)
        current = get_run(api, policy["id"], run["id"])
        seen.append((current["status"], current["currentStep"]))
    assert seen == [
        ("running", "building project"),
        ("running", "running autopilot"),
        ("running", "creating challenger"),
        ("succeeded", None),
    ]
    done = get_run(api, policy["id"], run["id"])
    assert done["startTime"] == "2025-01-01T00:00:10.000000Z"
    assert done["finishTime"] == "2025-01-01T00:00:40.000000Z"
    for key in ("challengerId", "projectId", "modelPackageId", "registeredModelId"):
        assert len(done[key]) == 24
    assert done["errorMessage"] is None
    assert api.get(f"{policies_url()}{policy['id']}/").json()["latestRun"] == done


def test_by_default_a_run_has_the_public_keys_only(frozen: EmulatorServer, api: httpx.Client) -> None:
    frozen.control.set_variants(runSteps="hidden")
    policy = create_policy(api, useCaseId=DEMO_USE_CASE_ID)
    run = start(api, policy["id"])
    frozen.control.advance_clock(STEP)
    current = get_run(api, policy["id"], run["id"])
    assert set(current) == RUN_KEYS  # no `currentStep`: the public run object has none
    assert current["useCaseId"] == DEMO_USE_CASE_ID
    assert api.get(f"{policies_url()}{policy['id']}/").json()["latestRun"]["useCaseId"] == DEMO_USE_CASE_ID


@pytest.mark.parametrize(
    ("spelling", "statuses"),
    [
        ("lowercase", ["scheduled", "running", "succeeded", "cancelled"]),
        ("alternate", ["QUEUED", "RUNNING", "COMPLETED", "CANCELED"]),
        ("opaque", ["stage-1", "stage-2", "stage-3", "stage-5"]),
    ],
)
def test_run_statuses_are_spelled_as_the_variant_says(
    frozen: EmulatorServer, api: httpx.Client, spelling: str, statuses: list[str]
) -> None:
    frozen.control.set_variants(runStatuses=spelling)
    policy = create_policy(api)
    run = start(api, policy["id"])
    seen = [run["status"]]
    frozen.control.advance_clock(STEP)
    seen.append(get_run(api, policy["id"], run["id"])["status"])
    frozen.control.advance_clock(3 * STEP)
    seen.append(get_run(api, policy["id"], run["id"])["status"])
    second = start(api, policy["id"])
    # The cancel body is accepted in either spelling, whatever the variant.
    cancelled = api.patch(f"{policies_url()}{policy['id']}/runs/{second['id']}/", json={"status": "Canceled"})
    assert cancelled.status_code == 200, cancelled.text
    seen.append(cancelled.json()["status"])
    assert seen == statuses


def test_model_replacement_replaces_the_champion(frozen: EmulatorServer, api: httpx.Client) -> None:
    before = api.get(f"/deployments/{DEMO_DEPLOYMENT_ID}/").json()
    policy = create_policy(api, action="model_replacement")
    run = start(api, policy["id"])
    frozen.control.advance_clock(3 * STEP)
    assert get_run(api, policy["id"], run["id"])["currentStep"] == "replacing model"
    frozen.control.advance_clock(STEP)
    done = get_run(api, policy["id"], run["id"])
    assert done["status"] == "succeeded"
    assert done["challengerId"] is None
    after = api.get(f"/deployments/{DEMO_DEPLOYMENT_ID}/").json()
    assert after["model"]["id"] != before["model"]["id"]
    assert after["model"]["projectId"] == done["projectId"]
    assert after["modelPackage"]["id"] == done["modelPackageId"]


def test_create_model_package_run_has_no_challenger(frozen: EmulatorServer, api: httpx.Client) -> None:
    policy = create_policy(api, action="create_model_package")
    run = start(api, policy["id"])
    frozen.control.advance_clock(3 * STEP)
    assert get_run(api, policy["id"], run["id"])["currentStep"] == "saving model package"
    frozen.control.advance_clock(STEP)
    done = get_run(api, policy["id"], run["id"])
    assert (done["status"], done["challengerId"]) == ("succeeded", None)
    assert done["modelPackageId"] is not None


def test_fail_next_runs(frozen: EmulatorServer, api: httpx.Client) -> None:
    policy = create_policy(api)
    frozen.control.fail_next_runs(1, "Autopilot ran out of memory.")
    failing = start(api, policy["id"])
    frozen.control.advance_clock(3 * STEP)
    failed = get_run(api, policy["id"], failing["id"])
    assert failed["status"] == "failed"
    assert failed["errorMessage"] == "Autopilot ran out of memory."
    assert failed["finishTime"] == "2025-01-01T00:00:30.000000Z"
    assert failed["challengerId"] is None
    assert failed["projectId"] is not None
    # Only the next one failed.
    second = start(api, policy["id"])
    frozen.control.advance_clock(4 * STEP)
    assert get_run(api, policy["id"], second["id"])["status"] == "succeeded"


@pytest.mark.parametrize("steps", [0, 1, 2])
def test_cancel_before_the_action_step(frozen: EmulatorServer, api: httpx.Client, steps: int) -> None:
    policy = create_policy(api)
    run = start(api, policy["id"])
    frozen.control.advance_clock(steps * STEP)
    url = f"{policies_url()}{policy['id']}/runs/{run['id']}/"
    cancelled = api.patch(url, json={"status": "cancelled"})
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["finishTime"] is not None
    frozen.control.advance_clock(10 * STEP)
    assert api.get(url).json()["status"] == "cancelled"
    again = api.patch(url, json={"status": "cancelled"})
    assert again.status_code == 409


@pytest.mark.parametrize("action", ["create_challenger", "model_replacement"])
def test_cancel_refused_once_the_run_touches_the_deployment(
    frozen: EmulatorServer, api: httpx.Client, action: str
) -> None:
    policy = create_policy(api, action=action)
    run = start(api, policy["id"])
    frozen.control.advance_clock(3 * STEP)
    url = f"{policies_url()}{policy['id']}/runs/{run['id']}/"
    refused = api.patch(url, json={"status": "cancelled"})
    assert refused.status_code == 409
    assert "message" in refused.json()
    frozen.control.advance_clock(STEP)
    assert api.get(url).json()["status"] == "succeeded"
    assert api.patch(url, json={"status": "cancelled"}).status_code == 409


def test_run_patch_accepts_only_cancel(frozen: EmulatorServer, api: httpx.Client) -> None:
    policy = create_policy(api)
    run = start(api, policy["id"])
    url = f"{policies_url()}{policy['id']}/runs/{run['id']}/"
    assert api.patch(url, json={"status": "succeeded"}).status_code == 422
    assert api.patch(url, json={"status": "cancelled", "x": 1}).status_code == 422


def test_no_delete_edit_or_second_start_while_a_run_is_in_progress(frozen: EmulatorServer, api: httpx.Client) -> None:
    policy = create_policy(api, action="create_model_package")
    url = f"{policies_url()}{policy['id']}/"
    run = start(api, policy["id"])
    assert api.delete(url).status_code == 409
    assert api.patch(url, json={"name": "new"}).status_code == 409
    assert api.post(f"{url}runs/").status_code == 409
    frozen.control.advance_clock(STEP)  # running now
    assert api.delete(url).status_code == 409
    frozen.control.advance_clock(3 * STEP)
    assert get_run(api, policy["id"], run["id"])["status"] == "succeeded"
    assert api.patch(url, json={"name": "new"}).status_code == 200
    assert api.delete(url).status_code == 204


def test_several_policies_of_one_deployment_run_at_once(frozen: EmulatorServer, api: httpx.Client) -> None:
    first, second = create_policy(api), create_policy(api, action="create_model_package")
    start(api, first["id"])
    start(api, second["id"])
    frozen.control.advance_clock(STEP)
    for policy in (first, second):
        assert api.get(f"{policies_url()}{policy['id']}/").json()["latestRun"]["status"] == "running"


def test_runs_progress_on_real_time_without_reads(emulator: EmulatorServer, api: httpx.Client) -> None:
    configure(api)
    policy = create_policy(api)
    run = start(api, policy["id"])
    # The ticker advances runs with nobody reading; the backend is inspected directly to avoid the lazy path.

    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        with emulator.backend.store.transaction() as tx:
            stored = tx.run_get(policy["id"], run["id"])
        assert stored is not None
        if stored["status"] == "succeeded":
            break
        time.sleep(0.02)
    assert stored["status"] == "succeeded"
