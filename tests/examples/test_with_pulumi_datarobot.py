"""The pulumi_datarobot composition example end to end, with the official provider's resources mocked."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi

from datarobot_emulator import seed
from datarobot_emulator.server import EmulatorServer
from datarobot_retraining.client import DataRobotClient
from tests.examples.conftest import RunnerFactory, writes

MOCKED_IDS = {
    "datarobot:index/deployment:Deployment": seed.DEMO_DEPLOYMENT_2_ID,
    "datarobot:index/predictionEnvironment:PredictionEnvironment": seed.DEMO_PREDICTION_ENVIRONMENT_ID,
}


def official_provider_mocks(args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
    """The emulator's demo deployment stands in for the one pulumi_datarobot would create."""
    return MOCKED_IDS.get(args.typ, f"{args.name}-id"), dict(args.inputs)


def test_composed_stack(example: Callable[[str], Path], runner: RunnerFactory, emulator: EmulatorServer) -> None:
    run = runner(
        example("with-pulumi-datarobot"),
        project="churn-retraining",
        config={
            "registeredModelVersionId": "6523f1a0c8b2d4e6f8a0b9f1",
            "datasetId": seed.DEMO_DATASET_ID,
            "retrainingUserId": seed.DEMO_RETRAINING_USER_ID,
        },
    )
    run.mock_outputs = official_provider_mocks
    first = run.up()
    deployment = seed.DEMO_DEPLOYMENT_2_ID
    assert first.outputs["deployment_id"] == deployment
    with DataRobotClient(emulator.api_url, emulator.token) as client:
        names = {p.name: p for p in client.retraining_policies.list(deployment)}
        assert set(names) == {"Challenger on drift", "Monthly model package"}
        assert names["Challenger on drift"].trigger.min_interval_between_runs == "P7D"
        settings = client.retraining_settings.get(deployment)
        assert settings.prediction_environment is not None
        assert settings.prediction_environment.id == seed.DEMO_PREDICTION_ENVIRONMENT_ID
        assert first.outputs["policies"]["drift"] == names["Challenger on drift"].id

        emulator.control.clear_requests()
        assert run.up().count("same") >= 4
        assert writes(emulator) == []

        run.destroy()
        assert list(client.retraining_policies.list(deployment)) == []
