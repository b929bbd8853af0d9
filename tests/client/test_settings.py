"""Retraining settings against the emulator: read, set, clear (reference §2 rows 1-2, §3.8)."""

from __future__ import annotations

import pytest

from datarobot_emulator.seed import (
    DEMO_CREDENTIAL_ID,
    DEMO_DATASET_ID,
    DEMO_DEPLOYMENT_ID,
    DEMO_PREDICTION_ENVIRONMENT_ID,
    DEMO_RETRAINING_USER_ID,
)
from datarobot_emulator.server import EmulatorServer
from datarobot_retraining.client import DataRobotClient
from datarobot_retraining.errors import NotFoundError, UnprocessableEntityError
from datarobot_retraining.models import RetrainingSettingsUpdate


def test_fresh_deployment_has_no_settings(client: DataRobotClient) -> None:
    settings = client.retraining_settings.get(DEMO_DEPLOYMENT_ID)
    assert (settings.dataset, settings.prediction_environment, settings.retraining_user, settings.credential) == (
        None,
        None,
        None,
        None,
    )


def test_set_read_back_and_clear(client: DataRobotClient, emulator: EmulatorServer) -> None:
    client.retraining_settings.update(
        DEMO_DEPLOYMENT_ID,
        RetrainingSettingsUpdate(
            dataset_id=DEMO_DATASET_ID,
            prediction_environment_id=DEMO_PREDICTION_ENVIRONMENT_ID,
            retraining_user_id=DEMO_RETRAINING_USER_ID,
            credential_id=DEMO_CREDENTIAL_ID,
        ),
    )
    settings = client.retraining_settings.get(DEMO_DEPLOYMENT_ID)
    assert settings.dataset is not None and settings.dataset.id == DEMO_DATASET_ID
    assert settings.dataset.name == "churn_training.csv"
    assert settings.prediction_environment is not None
    assert settings.prediction_environment.id == DEMO_PREDICTION_ENVIRONMENT_ID
    assert settings.retraining_user is not None and settings.retraining_user.id == DEMO_RETRAINING_USER_ID
    assert settings.retraining_user.username == "retraining-bot@example.com"
    # No `credential` in the answer (no public source shows one): absent, which the model tells from null.
    assert settings.credential is None and "credential" not in settings.model_fields_set

    # Sparse PATCH: only the explicit null is sent, so only the prediction environment is cleared.
    client.retraining_settings.update(DEMO_DEPLOYMENT_ID, RetrainingSettingsUpdate(prediction_environment_id=None))
    after = client.retraining_settings.get(DEMO_DEPLOYMENT_ID)
    assert after.prediction_environment is None
    assert after.dataset is not None and after.dataset.id == DEMO_DATASET_ID


def test_a_reported_credential_is_read(client: DataRobotClient, emulator: EmulatorServer) -> None:
    emulator.control.set_variants(settingsCredential="echoed")
    client.retraining_settings.update(DEMO_DEPLOYMENT_ID, RetrainingSettingsUpdate(credential_id=DEMO_CREDENTIAL_ID))
    settings = client.retraining_settings.get(DEMO_DEPLOYMENT_ID)
    assert settings.credential is not None and settings.credential.name == "Warehouse reader"
    client.retraining_settings.update(DEMO_DEPLOYMENT_ID, RetrainingSettingsUpdate(credential_id=None))
    cleared = client.retraining_settings.get(DEMO_DEPLOYMENT_ID)
    assert cleared.credential is None and "credential" in cleared.model_fields_set

    log = [(r["method"], r["path"], r["status"]) for r in emulator.control.requests()]
    path = f"/api/v2/deployments/{DEMO_DEPLOYMENT_ID}/retrainingSettings/"
    assert log == [("PATCH", path, 204), ("GET", path, 200), ("PATCH", path, 204), ("GET", path, 200)]


def test_unknown_deployment(client: DataRobotClient) -> None:
    with pytest.raises(NotFoundError) as caught:
        client.retraining_settings.get("000000000000000000000000")
    assert str(caught.value).startswith(
        "GET /deployments/000000000000000000000000/retrainingSettings/ failed with 404: "
    )
    assert caught.value.server_message


def test_unknown_dataset_is_unprocessable(client: DataRobotClient) -> None:
    with pytest.raises((UnprocessableEntityError, NotFoundError)) as caught:
        client.retraining_settings.update(
            DEMO_DEPLOYMENT_ID, RetrainingSettingsUpdate(dataset_id="000000000000000000000000")
        )
    assert "PATCH /deployments/" in str(caught.value)
