"""`settings show`, `policies list`, `runs list` against the emulator, in both output modes; POLICY by id or name."""

from __future__ import annotations

import json
import time
from datetime import datetime

from datarobot_emulator import seed
from datarobot_emulator.control import EmulatorControl
from datarobot_emulator.server import EmulatorServer
from datarobot_retraining.client import DataRobotClient
from datarobot_retraining.models import (
    RetrainingPolicyCreate,
    RetrainingPolicyRun,
    RetrainingSettingsUpdate,
    outcome_of,
)
from pulumi_datarobot_retraining import ScheduleArgs
from pulumi_datarobot_retraining._utilities import to_props
from tests.cli.conftest import DEPLOYMENT, Cli, Policies

RUN_KEYS = {
    "id",
    "status",
    "start_time",
    "finish_time",
    "duration_seconds",
    "project_id",
    "model_package_id",
    "registered_model_id",
    "challenger_id",
    "error_message",
}


def finished_run(client: DataRobotClient, policy_id: str) -> RetrainingPolicyRun:
    run = client.retraining_policy_runs.start(DEPLOYMENT, policy_id)
    deadline = time.monotonic() + 10
    while not outcome_of(run.status).finished and time.monotonic() < deadline:
        time.sleep(0.02)
        run = client.retraining_policy_runs.get(DEPLOYMENT, policy_id, run.id)
    assert outcome_of(run.status).finished
    return run


# -- settings show --------------------------------------------------------------------------------------------------
def test_settings_show_as_json_names_each_reference(cli: Cli, policies: Policies) -> None:
    outcome = cli("settings", "show", DEPLOYMENT, "--json")
    assert outcome.exit_code == 0 and outcome.stderr == ""
    assert json.loads(outcome.stdout) == {
        "deployment_id": DEPLOYMENT,
        "dataset": {"id": seed.DEMO_DATASET_ID, "name": "churn_training.csv"},
        "prediction_environment": None,
        "retraining_user": {"id": seed.DEMO_RETRAINING_USER_ID, "username": "retraining-bot@example.com"},
    }  # no `credential`: the server did not report one (no public source shows it in this answer)


def test_settings_show_the_credential_when_the_server_reports_it(
    cli: Cli, policies: Policies, emulator: EmulatorServer
) -> None:
    emulator.control.set_variants(settingsCredential="echoed")
    assert json.loads(cli("settings", "show", DEPLOYMENT, "--json").stdout)["credential"] is None
    lines = {line.split("  ")[0]: line for line in cli("settings", "show", DEPLOYMENT).stdout.splitlines()}
    assert lines["Credential"].endswith("-")


def test_settings_show_as_a_table(cli: Cli, policies: Policies) -> None:
    outcome = cli("settings", "show", DEPLOYMENT)
    assert outcome.exit_code == 0
    lines = {line.split("  ")[0]: line for line in outcome.stdout.splitlines()}
    assert f"churn_training.csv ({seed.DEMO_DATASET_ID})" in lines["Dataset"]
    assert f"retraining-bot@example.com ({seed.DEMO_RETRAINING_USER_ID})" in lines["Retraining user"]
    assert lines["Credential"].endswith("(not reported by the server)")


def test_settings_of_an_unknown_deployment_is_one_error_line(cli: Cli) -> None:
    outcome = cli("settings", "show", "000000000000000000000000")
    assert outcome.exit_code == 1 and outcome.stdout == ""
    assert outcome.error_line == (
        "error: Deployment 000000000000000000000000 was not found (or the API token's user cannot see it)."
    )


# -- policies list --------------------------------------------------------------------------------------------------
def test_policies_list_as_json(cli: Cli, policies: Policies, client: DataRobotClient) -> None:
    run = finished_run(client, policies.manual)
    outcome = cli("policies", "list", DEPLOYMENT, "--json")
    assert outcome.exit_code == 0
    documents = json.loads(outcome.stdout)
    by_name = {d["name"]: d for d in documents}
    assert [d["id"] for d in documents] == [policies.nightly, policies.drift, policies.manual]
    assert set(by_name["Manual"]) == {
        "id",
        "name",
        "description",
        "action",
        "trigger",
        "trigger_description",
        "latest_run",
        "next_scheduled_runs",
    }
    nightly = by_name["Nightly retrain"]
    assert nightly["trigger_description"] == "daily at 00:00 UTC"
    assert nightly["action"] == "create_model_package"
    assert nightly["trigger"]["schedule"]["hour"] == [0]  # snake_case keys, the server's values
    assert len(nightly["next_scheduled_runs"]) == 3
    assert all(t.endswith("T00:00:00Z") for t in nightly["next_scheduled_runs"])
    assert nightly["latest_run"] is None
    drift = by_name["Drift tracking"]
    assert drift["trigger_description"] == "when data drift declines to warning (checked daily at 00:00 UTC)"
    assert drift["next_scheduled_runs"] == []  # only a schedule trigger has scheduled runs
    manual = by_name["Manual"]
    assert manual["trigger_description"] == "manual only"
    assert set(manual["latest_run"]) == RUN_KEYS
    assert manual["latest_run"]["id"] == run.id and manual["latest_run"]["status"] == "succeeded"


def test_policies_list_as_a_table(cli: Cli, policies: Policies, client: DataRobotClient) -> None:
    finished_run(client, policies.manual)
    outcome = cli("policies", "list", DEPLOYMENT)
    assert outcome.exit_code == 0
    lines = outcome.stdout.splitlines()
    assert lines[0].split() == ["Name", "ID", "Trigger", "Action", "Latest", "run", "Next", "runs"]
    nightly = next(line for line in lines if line.startswith("Nightly retrain"))
    assert policies.nightly in nightly and "daily at 00:00 UTC" in nightly and "create_model_package" in nightly
    assert nightly.rstrip().endswith("00:00 UTC")  # the first of the next scheduled runs
    manual = next(line for line in lines if line.startswith("Manual"))
    assert "manual only" in manual and "succeeded" in manual
    assert any("when data drift declines to warning" in line for line in lines)


def test_policies_list_of_a_deployment_without_policies(cli: Cli) -> None:
    assert json.loads(cli("policies", "list", DEPLOYMENT, "--json").stdout) == []
    outcome = cli("policies", "list", DEPLOYMENT)
    assert outcome.exit_code == 0
    assert outcome.stdout.strip() == f"Deployment {DEPLOYMENT} has no retraining policies."


# -- runs list ------------------------------------------------------------------------------------------------------
def test_runs_list_shows_the_history_in_both_modes(
    cli: Cli, policies: Policies, client: DataRobotClient, emulator_control: EmulatorControl
) -> None:
    succeeded = finished_run(client, policies.manual)
    emulator_control.fail_next_runs(1, "Autopilot ran out of memory.")
    failed = finished_run(client, policies.manual)

    documents = json.loads(cli("runs", "list", DEPLOYMENT, "Manual", "--json").stdout)
    assert [d["id"] for d in documents] == [succeeded.id, failed.id]
    assert all(set(d) == RUN_KEYS for d in documents)
    first, second = documents
    assert first["status"] == "succeeded" and first["model_package_id"] and first["project_id"]
    assert first["duration_seconds"] == 0.15  # three 50 ms steps from the start to the end
    assert first["start_time"].endswith("Z") and first["finish_time"] > first["start_time"]
    assert second["status"] == "failed" and second["error_message"] == "Autopilot ran out of memory."
    assert second["model_package_id"] is None and second["project_id"]  # a failed run still names its project

    outcome = cli("runs", "list", DEPLOYMENT, policies.manual)
    assert outcome.exit_code == 0
    header, _rule, *rows = outcome.stdout.splitlines()
    assert header.split() == ["Run", "Status", "Start", "End", "Duration", "Project", "Model", "package", "Error"]
    assert rows[0].startswith(succeeded.id) and "succeeded" in rows[0] and "0.15s" in rows[0]
    assert rows[1].startswith(failed.id) and rows[1].rstrip().endswith("Autopilot ran out of memory.")


def test_runs_list_of_a_policy_without_runs(cli: Cli, policies: Policies) -> None:
    assert json.loads(cli("runs", "list", DEPLOYMENT, policies.nightly, "--json").stdout) == []
    outcome = cli("runs", "list", DEPLOYMENT, policies.nightly)
    assert outcome.stdout.strip() == f"Policy 'Nightly retrain' ({policies.nightly}) has no runs yet."


# -- POLICY: id or exact name ---------------------------------------------------------------------------------------
def test_policy_by_id_and_by_exact_name_are_the_same_policy(
    cli: Cli, policies: Policies, client: DataRobotClient
) -> None:
    finished_run(client, policies.drift)
    by_id = json.loads(cli("runs", "list", DEPLOYMENT, policies.drift, "--json").stdout)
    by_name = json.loads(cli("runs", "list", DEPLOYMENT, "Drift tracking", "--json").stdout)
    assert by_id == by_name and len(by_id) == 1


def test_a_name_shared_by_two_policies_is_refused_with_their_ids(
    cli: Cli, policies: Policies, client: DataRobotClient
) -> None:
    twin = client.retraining_policies.create(DEPLOYMENT, RetrainingPolicyCreate(name="Manual")).id
    outcome = cli("runs", "start", DEPLOYMENT, "Manual")
    assert outcome.exit_code == 1
    assert outcome.error_line == (
        f"error: Policy name 'Manual' is ambiguous on deployment {DEPLOYMENT}: 2 policies have it "
        f"(ids {policies.manual}, {twin}); pass the id instead."
    )
    assert list(client.retraining_policy_runs.list(DEPLOYMENT, policies.manual)) == []
    assert cli("runs", "start", DEPLOYMENT, twin).exit_code == 0  # the id still picks one


def test_an_id_wins_over_a_policy_named_like_it(cli: Cli, policies: Policies, client: DataRobotClient) -> None:
    client.retraining_policies.create(DEPLOYMENT, RetrainingPolicyCreate(name=policies.manual))
    outcome = cli("runs", "start", DEPLOYMENT, policies.manual, "--json")
    assert outcome.exit_code == 0
    assert [r.id for r in client.retraining_policy_runs.list(DEPLOYMENT, policies.manual)] == [
        json.loads(outcome.stdout)["id"]
    ]


def test_an_unknown_policy_lists_the_deployments_policies(cli: Cli, policies: Policies) -> None:
    outcome = cli("runs", "list", DEPLOYMENT, "manual")  # names are exact: case counts
    assert outcome.exit_code == 1
    assert outcome.error_line == (
        f"error: Deployment {DEPLOYMENT} has no retraining policy with id or name 'manual' (its policies: "
        f"'Nightly retrain' ({policies.nightly}), 'Drift tracking' ({policies.drift}), 'Manual' ({policies.manual}))."
    )


def test_a_cron_shorthand_schedule_reads_as_the_cron_line_means(cli: Cli, client: DataRobotClient) -> None:
    client.retraining_settings.update(
        DEPLOYMENT,
        RetrainingSettingsUpdate(dataset_id=seed.DEMO_DATASET_ID, retraining_user_id=seed.DEMO_RETRAINING_USER_ID),
    )
    schedule = to_props(ScheduleArgs.from_cron("0 6 * * 1-5"))
    body = {"name": "Weekday mornings", "trigger": {"type": "schedule", "schedule": schedule}}
    client.retraining_policies.create(DEPLOYMENT, RetrainingPolicyCreate.model_validate(body))
    (document,) = json.loads(cli("policies", "list", DEPLOYMENT, "--json").stdout)
    assert document["trigger_description"] == "weekdays at 06:00 UTC"
    times = [datetime.fromisoformat(t.replace("Z", "+00:00")) for t in document["next_scheduled_runs"]]
    assert len(times) == 3 and all(t.weekday() < 5 and (t.hour, t.minute) == (6, 0) for t in times)
    assert "weekdays at 06:00 UTC" in cli("policies", "list", DEPLOYMENT).stdout
