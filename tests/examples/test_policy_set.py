"""The policy-set component end to end: the standard set on two deployments, with overrides honoured."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from datarobot_emulator import seed
from datarobot_emulator.server import EmulatorServer
from datarobot_retraining.client import DataRobotClient
from tests.examples.conftest import RunnerFactory, writes


def test_policy_set(example: Callable[[str], Path], runner: RunnerFactory, emulator: EmulatorServer) -> None:
    program = example("policy-set")
    config = {
        "churnDeploymentId": seed.DEMO_DEPLOYMENT_ID,
        "upsellDeploymentId": seed.DEMO_DEPLOYMENT_2_ID,
        "datasetId": seed.DEMO_DATASET_ID,
        "retrainingUserId": seed.DEMO_RETRAINING_USER_ID,
    }
    run = runner(program, project="retraining-policy-set", config=config)
    first = run.up()
    assert first.count("create") == 7  # the component, two settings, four policies
    with DataRobotClient(emulator.api_url, emulator.token) as client:
        churn = {p.name: p for p in client.retraining_policies.list(seed.DEMO_DEPLOYMENT_ID)}
        upsell = {p.name: p for p in client.retraining_policies.list(seed.DEMO_DEPLOYMENT_2_ID)}
        assert set(churn) == set(upsell) == {"Challenger on drift", "Weekly model package"}
        churn_weekly = churn["Weekly model package"].trigger.schedule
        upsell_weekly = upsell["Weekly model package"].trigger.schedule
        assert churn_weekly is not None and churn_weekly.hour == [6] and churn_weekly.day_of_week == ["mon"]
        assert upsell_weekly is not None and upsell_weekly.hour == [3] and upsell_weekly.day_of_week == ["thu"]
        assert upsell["Challenger on drift"].trigger.status_declines_to_failing is True
        assert upsell["Challenger on drift"].trigger.status_declines_to_warning is None  # not sent: null
        assert first.outputs["policy_ids"]["upsell"]["weekly"] == upsell["Weekly model package"].id

        emulator.control.clear_requests()
        run.up()
        assert writes(emulator) == []

        # Leave the weekly policy out on the churn deployment: exactly that policy is deleted.
        main = program / "__main__.py"
        main.write_text(main.read_text().replace("overrides={", 'overrides={\n        "churn": {"weekly": None},', 1))
        removed = run.up()
        assert removed.count("delete") == 1
        assert {p.name for p in client.retraining_policies.list(seed.DEMO_DEPLOYMENT_ID)} == {"Challenger on drift"}

        run.destroy()
        assert list(client.retraining_policies.list(seed.DEMO_DEPLOYMENT_ID)) == []
        assert list(client.retraining_policies.list(seed.DEMO_DEPLOYMENT_2_ID)) == []
