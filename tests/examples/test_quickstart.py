"""The quickstart run end to end through the offline runner: create, no-op, edit, replace, remove, destroy."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from datarobot_emulator import seed
from datarobot_emulator.server import EmulatorServer
from datarobot_retraining.client import DataRobotClient
from tests.examples.conftest import ROOT, RunnerFactory, writes

PROJECT = "datarobot-retraining-quickstart"


def policies_by_name(client: DataRobotClient, deployment_id: str) -> dict[str, object]:
    return {p.name: p for p in client.retraining_policies.list(deployment_id)}


def test_quickstart_lifecycle(example: Callable[[str], Path], runner: RunnerFactory, emulator: EmulatorServer) -> None:
    program = example("quickstart")
    run = runner(program, project=PROJECT, defaults_from=ROOT / "Pulumi.yaml")
    deployment = seed.DEMO_DEPLOYMENT_ID
    client = DataRobotClient(emulator.api_url, emulator.token)

    # First run: settings and three policies, exactly as declared.
    first = run.up()
    assert first.count("create") == 4
    settings = client.retraining_settings.get(deployment)
    assert settings.dataset is not None and settings.dataset.id == seed.DEMO_DATASET_ID
    assert settings.retraining_user is not None and settings.retraining_user.id == seed.DEMO_RETRAINING_USER_ID
    policies = client.retraining_policies.list(deployment)
    by_name = {p.name: p for p in policies}
    assert set(by_name) == {"MultiClass Drift Tracking Policy", "Weekly model package", "Replace on accuracy failure"}
    drift = by_name["MultiClass Drift Tracking Policy"]
    assert drift.trigger.type == "data_drift_decline" and drift.trigger.status_declines_to_warning is True
    assert drift.feature_list_strategy == "informative_features" and drift.autopilot_options.mode == "auto"
    assert drift.project_options.metric == "Accuracy"
    assert by_name["Weekly model package"].action == "create_model_package"
    assert by_name["Replace on accuracy failure"].trigger.min_interval_between_runs == "P1D"
    assert first.outputs["policy_ids"]["drift"] == drift.id
    assert len(first.outputs["next_scheduled_runs"]) == 3
    assert first.outputs["latest_run_status"] == {"drift": "no runs yet", "weekly": "no runs yet",
                                                  "accuracy": "no runs yet"}  # fmt: skip

    # Second run, nothing changed: not one write call.
    emulator.control.clear_requests()
    second = run.up()
    assert writes(emulator) == [] and second.count("same") == 4

    # Edited program: the weekly policy moves to 07:00 -> one PATCH, same ids.
    main = program / "__main__.py"
    main.write_text(main.read_text().replace("hour=[6]", "hour=[7]"))
    emulator.control.clear_requests()
    edited = run.up()
    assert edited.count("update") == 1
    weekly_id = first.outputs["policy_ids"]["weekly"]
    assert writes(emulator) == [("PATCH", f"/api/v2/deployments/{deployment}/retrainingPolicies/{weekly_id}/")]
    weekly = client.retraining_policies.get(deployment, weekly_id)
    assert weekly.trigger.schedule is not None and weekly.trigger.schedule.hour == [7]

    # Removing a policy from the program deletes it.
    source = main.read_text()
    source = re.sub(r"\n# When accuracy declines.*?\n\)\n", "\n", source, flags=re.S)
    main.write_text(source.replace(', "accuracy": accuracy', ""))
    removed = run.up()
    assert removed.count("delete") == 1
    assert set(policies_by_name(client, deployment)) == {"MultiClass Drift Tracking Policy", "Weekly model package"}

    # A deployment_id change replaces: the policies now live on the other deployment, none left behind.
    other = seed.DEMO_DEPLOYMENT_2_ID
    moved = runner(program, project=PROJECT, defaults_from=ROOT / "Pulumi.yaml", config={"deploymentId": other})
    result = moved.up()
    assert result.count("replace") == 3  # settings and both policies
    assert policies_by_name(client, deployment) == {}
    assert set(policies_by_name(client, other)) == {"MultiClass Drift Tracking Policy", "Weekly model package"}

    # Destroy leaves the deployment clean.
    moved.destroy()
    assert policies_by_name(client, other) == {}
    cleared = client.retraining_settings.get(other)
    assert cleared.dataset is None and cleared.retraining_user is None
    state = json.loads(Path(moved.state_file).read_text())
    assert state["resources"] == []
    client.close()


def test_quickstart_state_and_output_hold_no_token(
    example: Callable[[str], Path], runner: RunnerFactory, emulator: EmulatorServer, capsys: object
) -> None:
    program = example("quickstart")
    run = runner(program, project=PROJECT, defaults_from=ROOT / "Pulumi.yaml")
    run.up()
    assert emulator.token not in Path(run.state_file).read_text()
    run.destroy()
