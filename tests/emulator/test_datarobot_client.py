"""The official ``datarobot`` Python client against the emulator: discovery, deployments, retraining, raw calls."""

from __future__ import annotations

import datarobot as dr
import pytest
from emulator_helpers import schedule

from datarobot_emulator.seed import (
    DEMO_DATASET_ID,
    DEMO_DEPLOYMENT_ID,
    DEMO_PREDICTION_ENVIRONMENT_ID,
    DEMO_USER_ID,
    NO_CHALLENGERS_DEPLOYMENT_ID,
)
from datarobot_emulator.server import EmulatorServer

# The client builds its urllib3 Retry in a way urllib3 deprecates; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning")


@pytest.fixture
def client(emulator: EmulatorServer) -> dr.rest.RESTClientObject:
    return dr.Client(endpoint=emulator.api_url, token=emulator.token)


def test_deployments(client: dr.rest.RESTClientObject) -> None:
    deployment = dr.Deployment.get(DEMO_DEPLOYMENT_ID)
    assert deployment.id == DEMO_DEPLOYMENT_ID
    assert deployment.label == "Churn classifier"
    assert deployment.model["target_name"] == "churn"
    assert deployment.accuracy_health["status"] == "passing"
    assert deployment.prediction_environment["id"] == DEMO_PREDICTION_ENVIRONMENT_ID
    labels = {d.label for d in dr.Deployment.list()}
    assert labels == {"Churn classifier", "Demand forecast", "Fraud detector"}


def test_retraining_settings(client: dr.rest.RESTClientObject) -> None:
    deployment = dr.Deployment.get(DEMO_DEPLOYMENT_ID)
    assert deployment.get_retraining_settings() == {}  # the client drops null keys
    deployment.update_retraining_settings(
        retraining_user_id=DEMO_USER_ID,
        dataset_id=DEMO_DATASET_ID,
        prediction_environment_id=DEMO_PREDICTION_ENVIRONMENT_ID,
    )
    settings = deployment.get_retraining_settings()
    assert settings["dataset"] == {"id": DEMO_DATASET_ID, "name": "churn_training.csv"}
    assert settings["retraining_user"]["id"] == DEMO_USER_ID
    assert settings["prediction_environment"]["id"] == DEMO_PREDICTION_ENVIRONMENT_ID
    deployment.update_retraining_settings(prediction_environment_id=None)
    assert "prediction_environment" not in deployment.get_retraining_settings()


def test_challenger_models_settings_with_status_polling(client: dr.rest.RESTClientObject) -> None:
    deployment = dr.Deployment.get(NO_CHALLENGERS_DEPLOYMENT_ID)
    assert deployment.get_challenger_models_settings() == {"enabled": False}
    deployment.update_challenger_models_settings(challenger_models_enabled=True, max_wait=5)
    assert deployment.get_challenger_models_settings() == {"enabled": True}


def test_raw_calls_on_the_retraining_policy_endpoints(client: dr.rest.RESTClientObject) -> None:
    dr.Deployment.get(DEMO_DEPLOYMENT_ID).update_retraining_settings(
        retraining_user_id=DEMO_USER_ID, dataset_id=DEMO_DATASET_ID
    )
    base = f"deployments/{DEMO_DEPLOYMENT_ID}/retrainingPolicies/"
    created = client.post(
        base,
        data={
            "name": "raw",
            "action": "create_model_package",
            "trigger": {"type": "schedule", "schedule": schedule(minute=[0], hour=[2])},
        },
    ).json()
    assert created["trigger"]["schedule"]["hour"] == [2]
    policy_id = created["id"]
    assert client.get(f"{base}{policy_id}/").json()["name"] == "raw"
    assert client.patch(f"{base}{policy_id}/", data={"description": "via raw patch"}).json()["description"] == (
        "via raw patch"
    )
    listed = client.get(base).json()
    assert [p["id"] for p in listed["data"]] == [policy_id]
    run = client.post(f"{base}{policy_id}/runs/").json()
    assert run["status"] == "scheduled"
    cancelled = client.patch(f"{base}{policy_id}/runs/{run['id']}/", data={"status": "cancelled"}).json()
    assert cancelled["status"] == "cancelled"
    assert client.get(f"{base}{policy_id}/runs/").json()["totalCount"] == 1
    assert client.delete(f"{base}{policy_id}/").status_code == 204
    with pytest.raises(dr.errors.ClientError) as raised:
        client.get(f"{base}{policy_id}/")
    assert raised.value.status_code == 404


def test_bad_token_is_reported_by_the_client(emulator: EmulatorServer) -> None:
    with pytest.raises(dr.errors.ClientError) as raised:
        dr.Client(endpoint=emulator.api_url, token="wrong")
    assert raised.value.status_code == 401
