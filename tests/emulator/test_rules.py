"""Business rules (§5) and validation (422 with field paths), including the race on the five-policy limit."""

from __future__ import annotations

import threading
from typing import Any

import httpx
import pytest
from emulator_helpers import configure, create_policy, policies_url, schedule

from datarobot_emulator.seed import (
    DEMO_DATASET_ID,
    DEMO_DEPLOYMENT_2_ID,
    DEMO_DEPLOYMENT_ID,
    NO_CHALLENGERS_DEPLOYMENT_ID,
)
from datarobot_emulator.server import EmulatorServer


@pytest.mark.parametrize("status", [422, 400, 409])
def test_five_policies_per_deployment(emulator: EmulatorServer, api: httpx.Client, status: int) -> None:
    # The refusal's status is not public: the `policyLimitStatus` variant picks it, the body stays the same.
    emulator.control.set_variants(policyLimitStatus=str(status))
    configure(api)
    for i in range(5):
        create_policy(api, name=f"p{i}")
    sixth = api.post(policies_url(), json={"name": "sixth"})
    assert sixth.status_code == status
    assert "at most 5" in sixth.json()["message"]
    assert api.get(policies_url()).json()["totalCount"] == 5
    # The limit is per deployment.
    configure(api, DEMO_DEPLOYMENT_2_ID)
    create_policy(api, DEMO_DEPLOYMENT_2_ID, name="elsewhere")


def test_racing_creates_never_exceed_the_limit(emulator: EmulatorServer, api: httpx.Client) -> None:
    configure(api)
    for i in range(3):
        create_policy(api, name=f"p{i}")
    statuses: list[int] = []
    barrier = threading.Barrier(8)

    def create() -> None:
        with httpx.Client(headers={"Authorization": f"Token {emulator.token}"}) as client:
            barrier.wait()
            response = client.post(f"{emulator.api_url}{policies_url()}", json={"name": "racer"})
            statuses.append(response.status_code)

    threads = [threading.Thread(target=create) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 200] + [422] * 6
    assert api.get(policies_url()).json()["totalCount"] == 5


def test_a_policy_needs_no_dataset_unless_the_variant_says_so(emulator: EmulatorServer, api: httpx.Client) -> None:
    # Public programs (the Terraform acceptance test, DataRobot's templates) create policies without a dataset.
    assert create_policy(api, name="no dataset yet", action="create_model_package")["name"] == "no dataset yet"
    emulator.control.set_variants(policyNeedsDataset="true")
    response = api.post(policies_url(), json={"name": "too early"})
    assert response.status_code == 422
    assert "retrainingSettings.datasetId" in response.json()["errors"]


def test_triggered_policy_needs_a_retraining_user(api: httpx.Client) -> None:
    api.patch(f"/deployments/{DEMO_DEPLOYMENT_ID}/retrainingSettings/", json={"datasetId": DEMO_DATASET_ID})
    body = {"name": "t", "trigger": {"type": "accuracy_decline", "statusDeclinesToFailing": True}}
    response = api.post(policies_url(), json=body)
    assert response.status_code == 422
    assert "trigger.type" in response.json()["errors"]
    manual = create_policy(api, name="manual")
    # Turning a manual policy into a triggered one is held to the same rule.
    turned = api.patch(
        f"{policies_url()}{manual['id']}/", json={"trigger": {"type": "schedule", "schedule": schedule()}}
    )
    assert turned.status_code == 422
    assert "trigger.type" in turned.json()["errors"]
    configure(api)
    assert api.post(policies_url(), json=body).status_code == 200


def test_create_challenger_needs_challenger_models(emulator: EmulatorServer, api: httpx.Client) -> None:
    configure(api, NO_CHALLENGERS_DEPLOYMENT_ID)
    response = api.post(policies_url(NO_CHALLENGERS_DEPLOYMENT_ID), json={"name": "c"})  # default action
    assert response.status_code == 422
    assert "challengerModels.enabled" in response.json()["message"]
    assert response.json()["errors"] == {"action": "needs deployment setting challengerModels.enabled = true"}
    ok = create_policy(api, NO_CHALLENGERS_DEPLOYMENT_ID, action="model_replacement")
    assert (
        api.patch(
            f"{policies_url(NO_CHALLENGERS_DEPLOYMENT_ID)}{ok['id']}/", json={"action": "create_challenger"}
        ).status_code
        == 422
    )
    emulator.control.set_challengers_enabled(NO_CHALLENGERS_DEPLOYMENT_ID, True)
    assert api.post(policies_url(NO_CHALLENGERS_DEPLOYMENT_ID), json={"name": "c"}).status_code == 200


def test_name_and_description_limits(api: httpx.Client) -> None:
    configure(api)
    assert api.post(policies_url(), json={"name": "n" * 512, "description": "d" * 10000}).status_code == 200
    too_long = api.post(policies_url(), json={"name": "n" * 513})
    assert too_long.status_code == 422
    assert set(too_long.json()["errors"]) == {"name"}
    assert set(api.post(policies_url(), json={"name": "n", "description": "d" * 10001}).json()["errors"]) == {
        "description"
    }
    assert set(api.post(policies_url(), json={}).json()["errors"]) == {"name"}
    assert set(api.post(policies_url(), json={"name": ""}).json()["errors"]) == {"name"}


INVALID: list[tuple[dict[str, Any], str]] = [
    ({"action": "retrain"}, "action"),
    ({"featureListStrategy": "all"}, "featureListStrategy"),
    ({"modelSelectionStrategy": "best"}, "modelSelectionStrategy"),
    ({"projectOptionsStrategy": "mine"}, "projectOptionsStrategy"),
    ({"autopilotOptions": {"mode": "slow"}}, "autopilotOptions.mode"),
    ({"autopilotOptions": {"blendBestModels": "yes"}}, "autopilotOptions.blendBestModels"),
    ({"autopilotOptions": {"blendBestModels": True, "shapOnlyMode": True}}, "autopilotOptions.blendBestModels"),
    ({"projectOptions": {"cvMethod": "KFold"}}, "projectOptions.cvMethod"),
    ({"projectOptions": {"validationType": "holdout"}}, "projectOptions.validationType"),
    ({"projectOptions": {"metric": "Accuracy2"}}, "projectOptions.metric"),
    ({"projectOptions": {"holdoutPct": 99}}, "projectOptions.holdoutPct"),
    ({"projectOptions": {"holdoutPct": -1}}, "projectOptions.holdoutPct"),
    ({"projectOptions": {"validationPct": 0}}, "projectOptions.validationPct"),
    ({"projectOptions": {"validationPct": 100}}, "projectOptions.validationPct"),
    ({"projectOptions": {"reps": 1}}, "projectOptions.reps"),
    ({"projectOptions": {"reps": 51}}, "projectOptions.reps"),
    ({"projectOptions": {"reps": 2.5}}, "projectOptions.reps"),
    ({"timeSeriesOptions": {"exponentiallyWeightedMovingAlpha": 1.5}}, "timeSeriesOptions.exponentiallyWeightedMovingAlpha"),  # noqa: E501
    ({"timeSeriesOptions": {"differencingMethod": "seasonal"}}, "timeSeriesOptions.periodicities"),
    ({"timeSeriesOptions": {"treatAsExponential": "sometimes"}}, "timeSeriesOptions.treatAsExponential"),
    ({"timeSeriesOptions": {"periodicities": [{"timeSteps": -1, "timeUnit": "DAY"}]}}, "timeSeriesOptions.periodicities.0.timeSteps"),  # noqa: E501
    ({"timeSeriesOptions": {"periodicities": [{"timeSteps": 1, "timeUnit": "FORTNIGHT"}]}}, "timeSeriesOptions.periodicities.0.timeUnit"),  # noqa: E501
    ({"trigger": {"type": "weekly"}}, "trigger.type"),
    ({"trigger": {"type": "schedule"}}, "trigger.schedule"),
    ({"trigger": {"type": "custom_job"}}, "trigger.customJobId"),
    ({"trigger": {"statusStillInDecline": 1}}, "trigger.statusStillInDecline"),
    ({"trigger": {"minIntervalBetweenRuns": "1 day"}}, "trigger.minIntervalBetweenRuns"),
    ({"trigger": {"minIntervalBetweenRuns": "P"}}, "trigger.minIntervalBetweenRuns"),
    ({"trigger": {"minIntervalBetweenRuns": "PT"}}, "trigger.minIntervalBetweenRuns"),
    ({"trigger": {"schedule": {"minute": [60]}}}, "trigger.schedule.minute.0"),
    ({"trigger": {"schedule": {"hour": [0, 24]}}}, "trigger.schedule.hour.1"),
    ({"trigger": {"schedule": {"dayOfMonth": [0]}}}, "trigger.schedule.dayOfMonth.0"),
    ({"trigger": {"schedule": {"month": ["Smarch"]}}}, "trigger.schedule.month.0"),
    ({"trigger": {"schedule": {"month": [13]}}}, "trigger.schedule.month.0"),
    ({"trigger": {"schedule": {"dayOfWeek": [7]}}}, "trigger.schedule.dayOfWeek.0"),
    ({"trigger": {"schedule": {"dayOfWeek": ["funday"]}}}, "trigger.schedule.dayOfWeek.0"),
    ({"trigger": {"schedule": {"hour": []}}}, "trigger.schedule.hour"),
    ({"trigger": {"schedule": {"hour": 3}}}, "trigger.schedule.hour"),
    ({"trigger": {"schedule": {"second": [0]}}}, "trigger.schedule.second"),
    ({"useCaseId": "f" * 24}, "useCaseId"),
]  # fmt: skip


@pytest.mark.parametrize(("body", "path"), INVALID, ids=[p for _, p in INVALID])
def test_invalid_fields_answer_422_naming_the_field(api: httpx.Client, body: dict[str, Any], path: str) -> None:
    configure(api)
    response = api.post(policies_url(), json={"name": "bad", **body})
    assert response.status_code == 422, response.text
    payload = response.json()
    assert path in payload["errors"], payload
    assert isinstance(payload["message"], str)
    assert "\n" not in payload["message"]
    assert path in payload["message"]


VALID: list[dict[str, Any]] = [
    {"trigger": {"type": "schedule", "schedule": schedule(month=["JAN", "february", "Mar", 12], dayOfWeek=["sun", "SATURDAY", 0, 6])}},  # noqa: E501
    {"trigger": {"type": "schedule", "schedule": schedule(minute=[0, 59], hour=[0, 23], dayOfMonth=[1, 31])}},
    {"trigger": {"type": "data_drift_decline", "minIntervalBetweenRuns": "PT12H"}},
    {"trigger": {"type": "accuracy_decline", "minIntervalBetweenRuns": "P1DT6H30M"}},
    {"trigger": {"type": "accuracy_decline", "minIntervalBetweenRuns": "P2W"}},
    {"trigger": {"type": "custom_job", "customJobId": "abc"}, "modelSelectionStrategy": "custom_job"},
    {"projectOptions": {"holdoutPct": 0, "validationPct": 99, "reps": 50}},
    {"projectOptions": {"holdoutPct": 98, "validationPct": 1, "reps": 2, "metric": "Rate@Top5%"}},
    {"timeSeriesOptions": {"exponentiallyWeightedMovingAlpha": 0, "periodicities": [{"timeSteps": 0, "timeUnit": "ROW"}]}},  # noqa: E501
    {"autopilotOptions": {"blendBestModels": True, "shapOnlyMode": False}},
]  # fmt: skip


@pytest.mark.parametrize("body", VALID)
def test_valid_edge_values_are_accepted(api: httpx.Client, body: dict[str, Any]) -> None:
    configure(api)
    response = api.post(policies_url(), json={"name": "edge", **body})
    assert response.status_code == 200, response.text


def test_update_cannot_sneak_past_cross_field_rules(api: httpx.Client) -> None:
    configure(api)
    policy = create_policy(api, autopilotOptions={"shapOnlyMode": True})
    response = api.patch(f"{policies_url()}{policy['id']}/", json={"autopilotOptions": {"blendBestModels": True}})
    assert response.status_code == 422
    assert "autopilotOptions.blendBestModels" in response.json()["errors"]
    assert api.patch(f"{policies_url()}{policy['id']}/", json={"name": None}).status_code == 422
    assert (
        api.get(f"{policies_url()}{policy['id']}/").json()["autopilotOptions"]["blendBestModels"] is None
    )  # left out of the object sent: null
