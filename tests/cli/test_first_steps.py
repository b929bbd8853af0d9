"""From a fresh emulator to the first commands: what `emulator serve` prints, and `policies delete`."""

from __future__ import annotations

import shlex
import socket
import subprocess
from pathlib import Path

import pytest
import yaml

from datarobot_emulator import seed
from datarobot_emulator.__main__ import TOKEN_ENV, build_parser
from datarobot_emulator.control import EmulatorControl
from datarobot_emulator.server import DEFAULT_TOKEN
from datarobot_retraining.cli import first_steps
from datarobot_retraining.client import DataRobotClient
from tests.cli.conftest import DEPLOYMENT, Cli, Policies
from tests.cli.test_console_script import SCRIPT, run_script

ROOT = Path(__file__).resolve().parents[2]


def test_emulator_serve_prints_the_seed_ids_and_lines_ready_to_paste() -> None:
    process = subprocess.Popen(
        [str(SCRIPT), "emulator", "serve", "--port", "0", "--step-seconds", "0.05"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()  # still the first line, as scripts expect
        lines = []
        for line in process.stdout:
            lines.append(line.rstrip("\n"))
            if line.startswith("Serving until interrupted"):
                break
        text = "\n".join(lines)
        for what, id_ in (("deployment", seed.DEMO_DEPLOYMENT_ID), ("dataset", seed.DEMO_DATASET_ID),
                          ("prediction environment", seed.DEMO_PREDICTION_ENVIRONMENT_ID),
                          ("user", seed.DEMO_USER_ID), ("retraining user", seed.DEMO_RETRAINING_USER_ID)):  # fmt: skip
            assert any(line.split()[: len(what.split())] == what.split() and id_ in line for line in lines), what
        assert f"pulumi config set datarobot:endpoint {url}" in text
        assert f"pulumi config set --secret datarobot:apikey {DEFAULT_TOKEN}" in text
        assert f"pulumi config set deploymentId {seed.DEMO_DEPLOYMENT_ID}" in text

        # The export line, pasted as it is, configures the command.
        (export,) = [line.strip() for line in lines if line.strip().startswith("export ")]
        env = dict(word.split("=", 1) for word in shlex.split(export)[1:])
        assert env == {"DATAROBOT_ENDPOINT": url, "DATAROBOT_API_TOKEN": DEFAULT_TOKEN}
        shown = run_script("settings", "show", seed.DEMO_DEPLOYMENT_ID, env=env)
        assert shown.returncode == 0, shown.stderr
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_printed_quickstart_keys_are_the_quickstarts() -> None:
    declared = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())["config"]
    assert first_steps.quickstart_config() == {key: str(spec["default"]) for key, spec in declared.items()}


def test_a_token_other_than_the_default_is_never_printed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def shown(*argv: str) -> str:
        return first_steps.shown_token(build_parser().parse_args(list(argv)), DEFAULT_TOKEN)

    monkeypatch.delenv(TOKEN_ENV, raising=False)
    assert shown() == DEFAULT_TOKEN and shown("--token", DEFAULT_TOKEN) == DEFAULT_TOKEN
    assert "typed-secret" not in shown("--token", "typed-secret")
    secret_file = tmp_path / "emulator token"
    secret_file.write_text("from-a-file\n")
    by_file = shown("--token-file", str(secret_file))
    assert "from-a-file" not in by_file
    # Pasted into a shell, the reference gives the token back.
    echoed = subprocess.run(["bash", "-c", f"echo {by_file}"], capture_output=True, text=True, check=True)
    assert echoed.stdout.strip() == "from-a-file"
    monkeypatch.setenv(TOKEN_ENV, "from-the-environment")
    assert shown() == '"$DATAROBOT_EMULATOR_TOKEN"'


def test_emulator_serve_on_a_busy_port_suggests_port_0() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        outcome = run_script("emulator", "serve", "--port", str(port))
    assert outcome.returncode == 1 and outcome.stdout == ""
    (line,) = outcome.stderr.splitlines()
    assert line.startswith(f"error: cannot listen on 127.0.0.1:{port}: ") and "--port 0" in line


def names(client: DataRobotClient) -> set[str]:
    return {p.name for p in client.retraining_policies.list(DEPLOYMENT)}


def test_policies_delete_asks_first(cli: Cli, policies: Policies, client: DataRobotClient) -> None:
    where = f"retraining policy 'Nightly retrain' ({policies.nightly}) of deployment {DEPLOYMENT}"
    # The question goes to stderr (stdout stays clean for --json); the answer follows it on the terminal.
    question = f"Delete {where}? A Pulumi stack that manages it would create it again on its next up. [y/N]:"
    kept = f"error: Kept {where}: the deletion was not confirmed (answer y, or pass --yes).\n"
    declined = cli("policies", "delete", DEPLOYMENT, "Nightly retrain", input="n\n")
    assert declined.exit_code == 1 and declined.stderr == question + kept
    assert "Nightly retrain" in names(client)
    # No answer at all (a script without --yes) keeps it too.
    unanswered = cli("policies", "delete", DEPLOYMENT, "Nightly retrain")
    assert unanswered.exit_code == 1 and unanswered.stderr.endswith(kept) and "Traceback" not in unanswered.stderr
    assert "Nightly retrain" in names(client)

    confirmed = cli("policies", "delete", DEPLOYMENT, "Nightly retrain", input="y\n")
    assert confirmed.exit_code == 0, confirmed.stderr
    assert confirmed.stdout.splitlines()[-1] == f"Deleted {where}."  # (the test runner echoes the answer above)
    assert "Nightly retrain" not in names(client)


def test_policies_delete_yes_skips_the_question(cli: Cli, policies: Policies, client: DataRobotClient) -> None:
    outcome = cli("policies", "delete", DEPLOYMENT, policies.manual, "--yes", "--json")
    assert outcome.exit_code == 0 and outcome.stderr == ""
    assert '"name": "Manual"' in outcome.stdout
    assert names(client) == {"Nightly retrain", "Drift tracking"}


def test_policies_delete_during_a_run_says_what_to_do(
    cli: Cli, policies: Policies, client: DataRobotClient, emulator_control: EmulatorControl
) -> None:
    emulator_control.set_step_seconds(30)
    run = client.retraining_policy_runs.start(DEPLOYMENT, policies.manual)
    outcome = cli("policies", "delete", DEPLOYMENT, "Manual", "-y")
    assert outcome.exit_code == 1
    assert outcome.error_line.startswith(f"error: Cannot delete retraining policy 'Manual' ({policies.manual})")
    assert outcome.error_line.endswith(
        f"; cancel its run first (`datarobot-retraining runs cancel {DEPLOYMENT} {policies.manual} {run.id}`) or "
        "wait for it to end."
    )
    assert "Manual" in names(client)
