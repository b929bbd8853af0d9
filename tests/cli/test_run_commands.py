"""`runs start [--wait]`, `runs cancel`, `runs watch` against the emulator: outcomes, exit codes, progress."""

from __future__ import annotations

import json
import time

import pytest

from datarobot_emulator.control import EmulatorControl
from datarobot_retraining.client import DataRobotClient
from datarobot_retraining.models import RetrainingPolicyRun, outcome_of
from tests.cli.conftest import DEPLOYMENT, Cli, Policies


def run_of(client: DataRobotClient, policy_id: str, run_id: str) -> RetrainingPolicyRun:
    return client.retraining_policy_runs.get(DEPLOYMENT, policy_id, run_id)


def wait_ended(client: DataRobotClient, policy_id: str, run_id: str) -> RetrainingPolicyRun:
    deadline = time.monotonic() + 10
    run = run_of(client, policy_id, run_id)
    while not outcome_of(run.status).finished and time.monotonic() < deadline:
        time.sleep(0.02)
        run = run_of(client, policy_id, run_id)
    return run


# -- runs start -----------------------------------------------------------------------------------------------------
def test_start_without_wait_returns_at_once_with_the_new_run(
    cli: Cli, policies: Policies, client: DataRobotClient, emulator_control: EmulatorControl
) -> None:
    emulator_control.set_step_seconds(30)  # the run stays scheduled for the whole test
    outcome = cli("runs", "start", DEPLOYMENT, "Manual", "--json")
    assert outcome.exit_code == 0 and outcome.stderr == ""
    document = json.loads(outcome.stdout)
    assert document["status"] == "scheduled" and document["finish_time"] is None
    assert document["duration_seconds"] is None
    assert [r.id for r in client.retraining_policy_runs.list(DEPLOYMENT, policies.manual)] == [document["id"]]


def test_start_in_words_names_the_run_and_the_policy(cli: Cli, policies: Policies, client: DataRobotClient) -> None:
    outcome = cli("runs", "start", DEPLOYMENT, policies.nightly)
    assert outcome.exit_code == 0
    (run,) = client.retraining_policy_runs.list(DEPLOYMENT, policies.nightly)
    assert outcome.stdout.strip().startswith(f"Started run {run.id} of policy 'Nightly retrain' ({policies.nightly}): ")


def test_start_wait_on_success_prints_the_ended_run(cli: Cli, policies: Policies) -> None:
    outcome = cli("runs", "start", DEPLOYMENT, "Manual", "--wait", "--json")
    assert outcome.exit_code == 0 and outcome.stderr == ""
    document = json.loads(outcome.stdout)  # one JSON document: no progress lines in --json mode
    assert document["status"] == "succeeded"
    assert document["project_id"] and document["model_package_id"] and document["challenger_id"]
    assert document["error_message"] is None


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        # What DataRobot's run object shows: the status alone.
        ("hidden", ["scheduled", "running", "succeeded"]),
        # The emulator's `currentStep`, when shown, is added in parentheses.
        (
            "shown",
            [
                "scheduled",
                "running (building project)",
                "running (running autopilot)",
                "running (saving model package)",
                "succeeded",
            ],
        ),
    ],
)
def test_start_wait_in_words_shows_progress_then_the_outcome(
    cli: Cli, policies: Policies, emulator_control: EmulatorControl, steps: str, expected: list[str]
) -> None:
    emulator_control.set_variants(runSteps=steps)
    emulator_control.set_step_seconds(0.2)  # longer than the longest poll pause: every step is seen
    outcome = cli("runs", "start", DEPLOYMENT, "Nightly retrain", "--wait")
    assert outcome.exit_code == 0 and outcome.stderr == ""
    lines = outcome.stdout.splitlines()
    run_id = lines[0].split()[2]
    assert lines[0] == f"Started run {run_id} of policy 'Nightly retrain' ({policies.nightly})."
    # Without a terminal, progress is plain lines on stdout, one per change of status or step.
    progress = [line.split(": ", 1)[1] for line in lines if line.startswith(f"Run {run_id} after ")]
    assert progress == expected
    assert f"Run {run_id} of policy 'Nightly retrain' succeeded in 0.6s." in lines
    assert any(line.startswith("Model package") and "-" not in line.split()[-1] for line in lines)


def test_start_wait_on_a_failed_run_exits_3_with_the_runs_error(
    cli: Cli, policies: Policies, emulator_control: EmulatorControl
) -> None:
    emulator_control.fail_next_runs(1, "Autopilot ran out of memory.")
    outcome = cli("runs", "start", DEPLOYMENT, "Manual", "--wait", "--json")
    assert outcome.exit_code == 3
    document = json.loads(outcome.stdout)  # the ended run is still reported, for scripts
    assert document["status"] == "failed" and document["error_message"] == "Autopilot ran out of memory."
    assert outcome.error_line == (
        f"error: Run {document['id']} of policy 'Manual' failed: Autopilot ran out of memory."
    )
    emulator_control.fail_next_runs(1, "Training data has no rows.")
    in_words = cli("runs", "start", DEPLOYMENT, "Manual", "--wait")
    assert in_words.exit_code == 3 and in_words.error_line.endswith("failed: Training data has no rows.")


def test_start_wait_gives_up_after_the_timeout_and_the_run_goes_on(
    cli: Cli, policies: Policies, client: DataRobotClient, emulator_control: EmulatorControl
) -> None:
    emulator_control.set_step_seconds(30)
    started = time.monotonic()
    outcome = cli("runs", "start", DEPLOYMENT, "Manual", "--wait", "--timeout", "0.3", "--json")
    assert 0.3 <= time.monotonic() - started < 5
    assert outcome.exit_code == 4
    (run,) = client.retraining_policy_runs.list(DEPLOYMENT, policies.manual)
    assert run.status == "scheduled"  # not cancelled
    assert outcome.error_line == (
        f"error: Run {run.id} is still scheduled after 0.3s; it goes on (not cancelled): follow it with "
        f"`datarobot-retraining runs watch {DEPLOYMENT} {policies.manual} {run.id}`."
    )


def test_start_while_a_run_is_in_progress_is_refused(
    cli: Cli, policies: Policies, client: DataRobotClient, emulator_control: EmulatorControl
) -> None:
    emulator_control.set_step_seconds(30)
    first = json.loads(cli("runs", "start", DEPLOYMENT, "Manual", "--json").stdout)
    outcome = cli("runs", "start", DEPLOYMENT, "Manual")
    assert outcome.exit_code == 1 and outcome.stdout == ""
    assert f"already has run {first['id']} in progress" in outcome.error_line
    assert len(list(client.retraining_policy_runs.list(DEPLOYMENT, policies.manual))) == 1


def test_start_without_a_retraining_dataset_says_why(cli: Cli, policies: Policies, client: DataRobotClient) -> None:
    from datarobot_retraining.models import RetrainingSettingsUpdate

    client.retraining_settings.update(DEPLOYMENT, RetrainingSettingsUpdate(dataset_id=None))
    outcome = cli("runs", "start", DEPLOYMENT, "Manual")
    assert outcome.exit_code == 1
    assert outcome.error_line == (
        "error: Policy 'Manual' cannot start a run: Retraining settings have no dataset: set one before starting a run."
    )


@pytest.mark.parametrize("bad", ["0", "-5"])
def test_a_timeout_must_be_positive(cli: Cli, policies: Policies, bad: str) -> None:
    outcome = cli("runs", "start", DEPLOYMENT, "Manual", "--wait", "--timeout", bad)
    assert outcome.exit_code == 2
    assert "--timeout" in outcome.error_line and "positive number of seconds" in outcome.error_line


# -- runs cancel ----------------------------------------------------------------------------------------------------
def test_cancel_a_run_in_progress_then_again(
    cli: Cli, policies: Policies, client: DataRobotClient, emulator_control: EmulatorControl
) -> None:
    emulator_control.set_step_seconds(30)
    run_id = json.loads(cli("runs", "start", DEPLOYMENT, "Manual", "--json").stdout)["id"]
    outcome = cli("runs", "cancel", DEPLOYMENT, "Manual", run_id)
    assert outcome.exit_code == 0
    assert outcome.stdout.strip() == f"Cancelled run {run_id} of policy 'Manual'."
    assert run_of(client, policies.manual, run_id).status == "cancelled"
    again = cli("runs", "cancel", DEPLOYMENT, policies.manual, run_id, "--json")  # cancelled is what was asked
    assert again.exit_code == 0 and json.loads(again.stdout)["status"] == "cancelled"


def test_cancel_an_ended_run_is_refused(cli: Cli, policies: Policies, client: DataRobotClient) -> None:
    run_id = json.loads(cli("runs", "start", DEPLOYMENT, "Manual", "--wait", "--json").stdout)["id"]
    outcome = cli("runs", "cancel", DEPLOYMENT, "Manual", run_id)
    assert outcome.exit_code == 1 and outcome.stdout == ""
    assert outcome.error_line == (
        f"error: Run {run_id} of policy 'Manual' has already ended (succeeded); there is nothing to cancel."
    )


def test_cancel_past_the_point_of_no_return_is_refused(
    cli: Cli, policies: Policies, client: DataRobotClient, emulator_control: EmulatorControl
) -> None:
    emulator_control.freeze_clock()
    run_id = json.loads(cli("runs", "start", DEPLOYMENT, "Manual", "--json").stdout)["id"]
    emulator_control.advance_clock(0.17)  # 3 steps of 50 ms in: creating the challenger
    outcome = cli("runs", "cancel", DEPLOYMENT, "Manual", run_id)
    assert outcome.exit_code == 1
    assert outcome.error_line == (
        f"error: Run {run_id} of policy 'Manual' cannot be cancelled any more: Retraining run {run_id} cannot be "
        "cancelled: it has reached the 'creating challenger' step."
    )
    assert run_of(client, policies.manual, run_id).status == "running"


def test_cancel_an_unknown_run(cli: Cli, policies: Policies) -> None:
    outcome = cli("runs", "cancel", DEPLOYMENT, "Manual", "ffffffffffffffffffffffff")
    assert outcome.exit_code == 1
    assert outcome.error_line == f"error: Policy 'Manual' ({policies.manual}) has no run ffffffffffffffffffffffff."


# -- runs watch -----------------------------------------------------------------------------------------------------
def test_watch_follows_a_run_to_success(cli: Cli, policies: Policies, client: DataRobotClient) -> None:
    run_id = json.loads(cli("runs", "start", DEPLOYMENT, "Manual", "--json").stdout)["id"]
    outcome = cli("runs", "watch", DEPLOYMENT, "Manual", run_id)
    assert outcome.exit_code == 0 and outcome.stderr == ""
    lines = outcome.stdout.splitlines()
    assert lines[0].startswith(f"Run {run_id} after 0s: ")
    assert lines[-12].startswith(f"Run {run_id} after ") and lines[-12].endswith(": succeeded")
    assert f"Run {run_id} of policy 'Manual' succeeded in 0.15s." in lines
    as_json = cli("runs", "watch", DEPLOYMENT, policies.manual, run_id, "--json")  # an ended run: at once
    assert as_json.exit_code == 0
    assert json.loads(as_json.stdout) == json.loads(cli("runs", "list", DEPLOYMENT, "Manual", "--json").stdout)[0]


def test_watch_a_failed_run_exits_3(cli: Cli, policies: Policies, emulator_control: EmulatorControl) -> None:
    emulator_control.fail_next_runs(1, "Autopilot ran out of memory.")
    run_id = json.loads(cli("runs", "start", DEPLOYMENT, "Manual", "--json").stdout)["id"]
    outcome = cli("runs", "watch", DEPLOYMENT, "Manual", run_id, "--json")
    assert outcome.exit_code == 3
    assert json.loads(outcome.stdout)["status"] == "failed"
    assert outcome.error_line == f"error: Run {run_id} of policy 'Manual' failed: Autopilot ran out of memory."


def test_watch_a_cancelled_run_exits_3(cli: Cli, policies: Policies, emulator_control: EmulatorControl) -> None:
    emulator_control.set_step_seconds(30)
    run_id = json.loads(cli("runs", "start", DEPLOYMENT, "Manual", "--json").stdout)["id"]
    assert cli("runs", "cancel", DEPLOYMENT, "Manual", run_id).exit_code == 0
    outcome = cli("runs", "watch", DEPLOYMENT, "Manual", run_id)
    assert outcome.exit_code == 3
    assert outcome.error_line == f"error: Run {run_id} of policy 'Manual' was cancelled."


def test_watch_timeout_exits_4(cli: Cli, policies: Policies, emulator_control: EmulatorControl) -> None:
    emulator_control.set_step_seconds(30)
    run_id = json.loads(cli("runs", "start", DEPLOYMENT, "Manual", "--json").stdout)["id"]
    outcome = cli("runs", "watch", DEPLOYMENT, "Manual", run_id, "--timeout", "0.2")
    assert outcome.exit_code == 4
    assert outcome.stdout.strip() == f"Run {run_id} after 0s: scheduled"  # the status line, once: nothing changed
    assert outcome.error_line.startswith(f"error: Run {run_id} is still scheduled after 0.2s; it goes on")


def test_watch_an_unknown_run(cli: Cli, policies: Policies) -> None:
    outcome = cli("runs", "watch", DEPLOYMENT, "Manual", "ffffffffffffffffffffffff")
    assert outcome.exit_code == 1
    assert outcome.error_line == f"error: Policy 'Manual' ({policies.manual}) has no run ffffffffffffffffffffffff."


@pytest.mark.parametrize("run_id", ["..", " ", "r" * 100_000], ids=["dot-dot", "blank", "100,000 characters"])
def test_watch_an_unusable_run_id_is_one_sentence_not_an_unexpected_error(
    cli: Cli, policies: Policies, run_id: str
) -> None:
    outcome = cli("runs", "watch", DEPLOYMENT, "Manual", run_id)
    assert outcome.exit_code == 1
    line = outcome.error_line
    assert "Unexpected" not in line and "Cannot use" in line and "as an id in" in line, line
    assert len(line) <= 400, line
