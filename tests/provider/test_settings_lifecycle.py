"""RetrainingSettingsProvider against the live emulator: check, create, diff, update, read, delete."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.output import Unknown

from datarobot_emulator import seed
from datarobot_emulator.server import EmulatorServer
from datarobot_retraining.client import DataRobotClient
from datarobot_retraining.models import RetrainingSettingsUpdate
from datarobot_retraining.resources import ResourceOperationError, RetrainingSettingsProvider
from tests.provider.helpers import DEPLOYMENT


def settings(**values: Any) -> dict[str, Any]:
    return {"deployment_id": DEPLOYMENT, **values}


def create(provider: RetrainingSettingsProvider, props: dict[str, Any]) -> dict[str, Any]:
    checked = provider.check({}, props)
    assert checked.failures == []
    result = provider.create(checked.inputs)
    assert result.id == props["deployment_id"]
    return result.outs or {}


def test_check_requires_the_deployment_and_rejects_unknown_keys() -> None:
    provider = RetrainingSettingsProvider()
    found = {f.property: f.reason for f in provider.check({}, {"dataset": "x"}).failures}
    assert "dataset" in found and "not a property of RetrainingSettings" in found["dataset"]
    found = {f.property: f.reason for f in provider.check({}, {"dataset_id": "x"}).failures}
    assert found == {"deployment_id": "deployment_id is required"}
    unknown = provider.check({}, {"deployment_id": Unknown(), "dataset_id": Unknown()})
    assert unknown.failures == [] and isinstance(unknown.inputs["deployment_id"], Unknown)


def test_create_is_one_patch_and_one_get_with_names_in_the_outputs(
    settings_provider: RetrainingSettingsProvider, emulator: EmulatorServer
) -> None:
    emulator.control.clear_requests()
    outs = create(
        settings_provider,
        settings(
            dataset_id=seed.DEMO_DATASET_ID,
            prediction_environment_id=seed.DEMO_PREDICTION_ENVIRONMENT_ID,
            retraining_user_id=seed.DEMO_RETRAINING_USER_ID,
            credential_id=seed.DEMO_CREDENTIAL_ID,
        ),
    )
    assert [r["method"] for r in emulator.control.requests()] == ["PATCH", "GET"]
    assert outs["dataset_id"] == seed.DEMO_DATASET_ID and outs["dataset_name"]
    assert outs["prediction_environment_name"] and outs["retraining_user_name"]
    # The server does not report the credential (no public source shows it): the output is what was written.
    assert outs["credential_id"] == seed.DEMO_CREDENTIAL_ID and outs["credential_name"] is None
    assert outs["managed_fields"] == [
        "credential_id",
        "dataset_id",
        "prediction_environment_id",
        "retraining_user_id",
    ]


def test_diff_update_and_clearing_a_removed_value(
    settings_provider: RetrainingSettingsProvider, client: DataRobotClient
) -> None:
    first = settings(dataset_id=seed.DEMO_DATASET_ID, retraining_user_id=seed.DEMO_RETRAINING_USER_ID)
    outs = create(settings_provider, first)
    assert settings_provider.diff(DEPLOYMENT, outs, first).changes is False

    second = settings(dataset_id=seed.DEMO_DATASET_2_ID)  # new dataset, retraining user no longer set
    assert settings_provider.diff(DEPLOYMENT, outs, second).changes is True
    new = settings_provider.update(DEPLOYMENT, outs, second).outs or {}
    server = client.retraining_settings.get(DEPLOYMENT)
    assert server.dataset is not None and server.dataset.id == seed.DEMO_DATASET_2_ID
    assert server.retraining_user is None and new["retraining_user_id"] is None
    assert settings_provider.diff(DEPLOYMENT, new, second).changes is False

    moved = settings(deployment_id=seed.DEMO_DEPLOYMENT_2_ID, dataset_id=seed.DEMO_DATASET_2_ID)
    assert settings_provider.diff(DEPLOYMENT, new, moved).replaces == ["deployment_id"]


def test_values_not_managed_are_left_alone_and_never_diff(
    settings_provider: RetrainingSettingsProvider, client: DataRobotClient
) -> None:
    client.retraining_settings.update(
        DEPLOYMENT, RetrainingSettingsUpdate(prediction_environment_id=seed.DEMO_PREDICTION_ENVIRONMENT_ID)
    )
    outs = create(settings_provider, settings(dataset_id=seed.DEMO_DATASET_ID))
    assert outs["prediction_environment_id"] == seed.DEMO_PREDICTION_ENVIRONMENT_ID
    assert settings_provider.diff(DEPLOYMENT, outs, settings(dataset_id=seed.DEMO_DATASET_ID)).changes is False


def test_read_detects_drift_and_returns_refreshed_inputs(
    settings_provider: RetrainingSettingsProvider, client: DataRobotClient
) -> None:
    wanted = settings(dataset_id=seed.DEMO_DATASET_ID)
    outs = create(settings_provider, wanted)
    client.retraining_settings.update(DEPLOYMENT, RetrainingSettingsUpdate(dataset_id=seed.DEMO_DATASET_2_ID))
    read = settings_provider.read(DEPLOYMENT, outs)
    assert read.id == DEPLOYMENT
    assert (read.outs or {})["dataset_id"] == seed.DEMO_DATASET_2_ID
    assert read.inputs == {"deployment_id": DEPLOYMENT, "dataset_id": seed.DEMO_DATASET_2_ID}
    assert settings_provider.diff(DEPLOYMENT, read.outs or {}, wanted).changes is True


def test_read_of_an_unknown_deployment_is_gone(settings_provider: RetrainingSettingsProvider) -> None:
    read = settings_provider.read("0" * 24, {"deployment_id": "0" * 24})
    assert read.id == "" and read.outs == {}


def test_delete_clears_what_it_set_only(settings_provider: RetrainingSettingsProvider, client: DataRobotClient) -> None:
    client.retraining_settings.update(
        DEPLOYMENT, RetrainingSettingsUpdate(prediction_environment_id=seed.DEMO_PREDICTION_ENVIRONMENT_ID)
    )
    outs = create(settings_provider, settings(dataset_id=seed.DEMO_DATASET_ID))
    settings_provider.delete(DEPLOYMENT, outs)
    server = client.retraining_settings.get(DEPLOYMENT)
    assert server.dataset is None
    assert server.prediction_environment is not None
    assert server.prediction_environment.id == seed.DEMO_PREDICTION_ENVIRONMENT_ID
    settings_provider.delete("0" * 24, {**outs, "deployment_id": "0" * 24})  # a deployment already gone


def test_unknown_deployment_on_create_is_a_sentence(settings_provider: RetrainingSettingsProvider) -> None:
    with pytest.raises(ResourceOperationError) as caught:
        create(settings_provider, settings(deployment_id="0" * 24, dataset_id=seed.DEMO_DATASET_ID))
    assert f"Cannot set the retraining settings of deployment {'0' * 24}" in str(caught.value)


def test_an_unknown_dataset_is_refused_with_the_servers_reason(settings_provider: RetrainingSettingsProvider) -> None:
    with pytest.raises(ResourceOperationError) as caught:
        create(settings_provider, settings(dataset_id="f" * 24))
    text = str(caught.value)
    assert f"deployment {DEPLOYMENT}" in text and "DataRobot answered" in text


@pytest.mark.parametrize("answer", ["absent", "echoed"])
def test_the_credential_never_diffs_nor_vanishes_whether_or_not_the_server_reports_it(
    settings_provider: RetrainingSettingsProvider, emulator: EmulatorServer, answer: str
) -> None:
    emulator.control.set_variants(settingsCredential=answer)
    wanted = settings(dataset_id=seed.DEMO_DATASET_ID, credential_id=seed.DEMO_CREDENTIAL_ID)
    outs = create(settings_provider, wanted)
    assert outs["credential_id"] == seed.DEMO_CREDENTIAL_ID
    assert outs["credential_name"] == ("Warehouse reader" if answer == "echoed" else None)
    assert settings_provider.diff(DEPLOYMENT, outs, wanted).changes is False
    # Refresh keeps it (in the outputs and in the refreshed desired state), so the next up shows nothing.
    read = settings_provider.read(DEPLOYMENT, outs)
    assert (read.outs or {})["credential_id"] == seed.DEMO_CREDENTIAL_ID
    assert (read.inputs or {})["credential_id"] == seed.DEMO_CREDENTIAL_ID
    assert settings_provider.diff(DEPLOYMENT, read.outs or {}, wanted).changes is False
    # An update of something else keeps it; removing it clears it (and the output says so).
    other = settings(dataset_id=seed.DEMO_DATASET_2_ID, credential_id=seed.DEMO_CREDENTIAL_ID)
    updated = settings_provider.update(DEPLOYMENT, read.outs or {}, other).outs or {}
    assert updated["credential_id"] == seed.DEMO_CREDENTIAL_ID
    unmanaged = settings(dataset_id=seed.DEMO_DATASET_2_ID)
    assert settings_provider.diff(DEPLOYMENT, updated, unmanaged).changes is True
    cleared = settings_provider.update(DEPLOYMENT, updated, unmanaged).outs or {}
    assert cleared["credential_id"] is None
    assert settings_provider.diff(DEPLOYMENT, cleared, unmanaged).changes is False
