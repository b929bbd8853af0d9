"""`datarobot-retraining offline`: a program's preview, up, refresh and destroy without the Pulumi CLI, printed
like Pulumi prints them, every failure one line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import httpx

from datarobot_emulator import seed
from datarobot_emulator.server import EmulatorServer
from datarobot_retraining.client import DataRobotClient
from datarobot_retraining.models import RetrainingPolicyCreate, RetrainingSettingsUpdate
from tests.cli.conftest import DEPLOYMENT, Cli
from tests.examples.conftest import EXAMPLES, ROOT, writes


def quickstart_project(folder: Path) -> Path:
    """A copy of the root project (Pulumi.yaml, and the __main__.py that runs examples/quickstart), as a user's
    checkout has it."""
    shutil.copy(ROOT / "Pulumi.yaml", folder / "Pulumi.yaml")
    shutil.copy(ROOT / "__main__.py", folder / "__main__.py")
    shutil.copytree(EXAMPLES / "quickstart", folder / "examples" / "quickstart",
                    ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    return folder


def edit(program: Path, old: str, new: str) -> None:
    main = program / "__main__.py"
    source = main.read_text()
    assert old in source
    main.write_text(source.replace(old, new))


def test_up_preview_refresh_destroy_of_a_project_folder(cli: Cli, emulator: EmulatorServer, tmp_path: Path) -> None:
    project = quickstart_project(tmp_path)
    program = project / "examples" / "quickstart"

    first = cli("offline", "up", str(project))
    assert first.exit_code == 0, first.stderr
    assert "Offline runner (not the Pulumi engine)" in first.stdout
    assert "Resources: 4 to create" in first.stdout and "Resources: 4 created" in first.stdout
    assert '"drift": "no runs yet"' in first.stdout  # the stack outputs
    state = project / ".offline-state" / "local.json"
    assert len(json.loads(state.read_text())["resources"]) == 4

    emulator.control.clear_requests()
    second = cli("offline", "up", str(project))
    assert second.exit_code == 0 and "Resources: 4 unchanged" in second.stdout
    assert writes(emulator) == []

    # A preview shows the changed property with its old and new value, and changes nothing.
    edit(program, "hour=[6]", "hour=[7]")
    emulator.control.clear_requests()
    preview = cli("offline", "preview", str(project))
    assert preview.exit_code == 0, preview.stderr
    assert "~ update    RetrainingPolicy       weekly-model-package" in preview.stdout
    assert "~ trigger.schedule.hour: [6] → [7]" in preview.stdout
    assert writes(emulator) == []

    # An edit made outside the program is a drift read by refresh, not an update.
    with DataRobotClient(emulator.api_url, emulator.token) as client:
        weekly = next(p for p in client.retraining_policies.list(DEPLOYMENT) if p.name == "Weekly model package")
    httpx.patch(
        f"{emulator.api_url}/deployments/{DEPLOYMENT}/retrainingPolicies/{weekly.id}/",
        json={
            "trigger": {
                "schedule": {"minute": [0], "hour": [9], "dayOfMonth": ["*"], "month": ["*"], "dayOfWeek": ["*"]}
            }
        },
        headers={"Authorization": f"Bearer {emulator.token}"},
    ).raise_for_status()
    emulator.control.clear_requests()
    refreshed = cli("offline", "refresh", str(project))
    assert refreshed.exit_code == 0, refreshed.stderr
    assert "~ drift     RetrainingPolicy       weekly-model-package  (changed outside the program)" in refreshed.stdout
    assert "~ trigger.schedule.hour: [6] → [9]" in refreshed.stdout
    assert "update" not in refreshed.stdout and "Resources: 1 with drift, 3 unchanged" in refreshed.stdout
    assert writes(emulator) == []
    # ...and the next plan starts from what refresh read.
    assert "~ trigger.schedule.hour: [9] → [7]" in cli("offline", "preview", str(project)).stdout

    destroyed = cli("offline", "destroy", str(project))
    assert destroyed.exit_code == 0 and "Resources: 4 deleted" in destroyed.stdout
    with DataRobotClient(emulator.api_url, emulator.token) as client:
        assert list(client.retraining_policies.list(DEPLOYMENT)) == []


def test_a_preview_shows_every_problem_of_every_resource(cli: Cli, emulator: EmulatorServer, tmp_path: Path) -> None:
    project = quickstart_project(tmp_path)
    program = project / "examples" / "quickstart"
    edit(program, "hour=[6]", "hour=[24]")
    edit(program, 'min_interval_between_runs="P1D"', 'min_interval_between_runs="daily"')
    edit(program, "schedule=retraining.ScheduleArgs(minute=[0], hour=[0])", "schedule={'minutes': [0]}")

    outcome = cli("offline", "preview", str(project))
    assert outcome.exit_code == 1
    assert "! property trigger.schedule.hour[0] has a problem" in outcome.stdout
    assert "! property trigger.min_interval_between_runs has a problem" in outcome.stdout
    assert "! property trigger.schedule.minutes has a problem" in outcome.stdout
    line = outcome.error_line
    assert line.startswith("error: The preview found 3 problems in 3 resources: ")
    for resource in ("weekly-model-package", "accuracy-replacement", "drift-policy"):
        assert f"RetrainingPolicy {resource}: property" in line
    assert writes(emulator) == []


def test_a_refresh_with_a_wrong_token_is_one_line(cli: Cli, emulator: EmulatorServer, tmp_path: Path) -> None:
    project = quickstart_project(tmp_path)
    assert cli("offline", "up", str(project)).exit_code == 0
    wrong = "wrong-token-never-printed"
    outcome = cli.raw("--endpoint", emulator.api_url, "--token", wrong, "offline", "refresh", str(project))
    assert outcome.exit_code == 1
    assert outcome.error_line.startswith(
        "error: Refreshing RetrainingSettings retraining-settings failed: Could not read the retraining settings"
    )
    assert "401" in outcome.error_line and "datarobot:apikey" in outcome.error_line
    assert wrong not in outcome.stdout + outcome.stderr
    assert cli("offline", "destroy", str(project)).exit_code == 0


def test_a_missing_config_value_names_the_option_to_pass(cli: Cli, tmp_path: Path) -> None:
    # A program folder without a Pulumi.yaml: nothing gives the deployment id a default.
    program = tmp_path / "quickstart"
    shutil.copytree(EXAMPLES / "quickstart", program, ignore=shutil.ignore_patterns("__pycache__"))
    outcome = cli("offline", "preview", str(program))
    assert outcome.exit_code == 1
    assert outcome.error_line == (
        "error: The program needs the config value 'quickstart:deploymentId': pass --config "
        "quickstart:deploymentId=VALUE, or give it a default in the project's Pulumi.yaml."
    )
    values = [f"deploymentId={DEPLOYMENT}", f"datasetId={seed.DEMO_DATASET_ID}",
              f"retrainingUserId={seed.DEMO_RETRAINING_USER_ID}"]  # fmt: skip
    given = cli("offline", "preview", str(program), "--config", values[0], "-c", values[1], "-c", values[2])
    assert given.exit_code == 0 and "Resources: 4 to create" in given.stdout


ADOPTING_PROGRAM = f"""
import pulumi
import pulumi_datarobot_retraining as retraining

settings = retraining.RetrainingSettings("settings", deployment_id="{DEPLOYMENT}",
    dataset_id="{seed.DEMO_DATASET_ID}", retraining_user_id="{seed.DEMO_RETRAINING_USER_ID}")
policy = retraining.RetrainingPolicy("hand-made", deployment_id="{DEPLOYMENT}", name="Hand made",
    action="create_model_package", adopt_existing=True, opts=pulumi.ResourceOptions(depends_on=[settings]))
retraining.RetrainingPolicyRun("retrain", deployment_id="{DEPLOYMENT}", policy_id=policy.policy_id, wait=True)
"""


def test_adoption_shows_as_adoption_and_run_progress_streams(
    cli: Cli, emulator: EmulatorServer, tmp_path: Path
) -> None:
    with DataRobotClient(emulator.api_url, emulator.token) as client:
        client.retraining_settings.update(DEPLOYMENT, RetrainingSettingsUpdate(dataset_id=seed.DEMO_DATASET_ID))
        hand_made = client.retraining_policies.create(DEPLOYMENT, RetrainingPolicyCreate(name="Hand made"))
    program = tmp_path / "adopting"
    program.mkdir()
    (program / "__main__.py").write_text(ADOPTING_PROGRAM)

    outcome = cli("offline", "up", str(program))
    assert outcome.exit_code == 0, outcome.stderr
    lines = outcome.stdout.splitlines()
    assert any(line.startswith("   + adopt     RetrainingPolicy       hand-made  (adopt_existing") for line in lines)
    adopted = f"   + adopted   RetrainingPolicy       hand-made  (took over the existing policy {hand_made.id})"
    assert adopted in lines
    # The provider's own lines come while it works: the adoption before the step, the run's progress before its end.
    notice = next(i for i, line in enumerate(lines) if "Adopting existing retraining policy 'Hand made'" in line)
    started = next(i for i, line in enumerate(lines) if "Started retraining run" in line)
    finished = next(i for i, line in enumerate(lines) if line.startswith("   + created   RetrainingPolicyRun"))
    assert notice < lines.index(adopted) < started < finished
    assert "Resources: 2 created, 1 adopted" in outcome.stdout
    assert cli("offline", "destroy", str(program)).exit_code == 0
