"""The installed `datarobot-retraining` script as a real process, configuration, and the one-line error contract."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from datarobot_emulator.server import EmulatorServer
from tests.cli.conftest import DEPLOYMENT, Cli, Policies

SCRIPT = Path(sys.executable).with_name("datarobot-retraining")


def run_script(*argv: str, env: dict[str, str] | None = None, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("DATAROBOT_")}
    return subprocess.run(
        [str(SCRIPT), *argv], check=False, capture_output=True, text=True, env={**base, **(env or {})}, timeout=timeout
    )


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[subprocess.Popen[str], str]]:
    """`datarobot-retraining emulator serve` as its own process; yields it and the API URL it printed."""
    process = subprocess.Popen(
        [str(SCRIPT), "emulator", "serve", "--port", "0", "--token", "served-token", "--step-seconds", "0.05"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        yield process, url
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_script_is_installed() -> None:
    assert SCRIPT.exists(), "pip install -e '.[cli]' declares the datarobot-retraining console script"


def test_emulator_serve_then_every_command_through_the_script(served: tuple[subprocess.Popen[str], str]) -> None:
    process, url = served
    assert url.startswith("http://127.0.0.1:") and url.endswith("/api/v2") and process.poll() is None
    env = {"DATAROBOT_ENDPOINT": url, "DATAROBOT_API_TOKEN": "served-token"}  # configuration from the environment
    assert json.loads(run_script("policies", "list", DEPLOYMENT, "--json", env=env).stdout) == []
    shown = run_script("settings", "show", DEPLOYMENT, "--json", env=env)
    assert shown.returncode == 0 and json.loads(shown.stdout)["deployment_id"] == DEPLOYMENT
    # No policy by that name: exit 1, one line on stderr, no traceback.
    missing = run_script("runs", "start", DEPLOYMENT, "Nightly", "--wait", env=env)
    assert missing.returncode == 1 and missing.stdout == ""
    assert missing.stderr.splitlines() == [
        f"error: Deployment {DEPLOYMENT} has no retraining policy with id or name 'Nightly' (its policies: none)."
    ]


def test_start_and_wait_through_the_script(emulator: EmulatorServer, policies: Policies) -> None:
    env = {"DATAROBOT_ENDPOINT": emulator.api_url, "DATAROBOT_API_TOKEN": emulator.token}
    done = run_script("runs", "start", DEPLOYMENT, "Manual", "--wait", "--json", env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["status"] == "succeeded" and done.stderr == ""
    emulator.control.fail_next_runs(1, "Autopilot ran out of memory.")
    failed = run_script("runs", "start", DEPLOYMENT, policies.manual, "--wait", env=env)
    assert failed.returncode == 3
    (line,) = failed.stderr.splitlines()
    assert line.startswith("error: Run ") and line.endswith("of policy 'Manual' failed: Autopilot ran out of memory.")


def test_emulator_serve_rejects_a_bad_flag_in_one_line() -> None:
    outcome = run_script("emulator", "serve", "--port", "not-a-port")
    assert outcome.returncode == 2
    assert outcome.stderr.splitlines() == [
        "error: argument --port: invalid int value: 'not-a-port' (see 'datarobot-retraining emulator serve --help')"
    ]


def test_emulator_serve_help_uses_the_emulator_flags(cli: Cli) -> None:
    outcome = cli.raw("emulator", "serve", "--help")
    assert outcome.exit_code == 0
    assert outcome.stdout.startswith("usage: datarobot-retraining emulator serve")
    for flag in ("--host", "--port", "--token", "--db", "--seed", "--deployments", "--reset", "--step-seconds"):
        assert flag in outcome.stdout


def test_flags_win_over_the_environment(cli: Cli, emulator: EmulatorServer) -> None:
    wrong = {"DATAROBOT_ENDPOINT": "http://127.0.0.1:9/api/v2", "DATAROBOT_API_TOKEN": "wrong-token-0000"}
    outcome = cli("settings", "show", DEPLOYMENT, "--json", env=wrong)
    assert outcome.exit_code == 0 and json.loads(outcome.stdout)["deployment_id"] == DEPLOYMENT
    from_env = cli.raw(
        "settings",
        "show",
        DEPLOYMENT,
        env={"DATAROBOT_ENDPOINT": emulator.api_url, "DATAROBOT_API_TOKEN": emulator.token},
    )
    assert from_env.exit_code == 0 and "Deployment" in from_env.stdout


def test_no_token_is_one_line(cli: Cli) -> None:
    outcome = cli.raw("settings", "show", DEPLOYMENT)
    assert outcome.exit_code == 1
    assert outcome.error_line == "error: No DataRobot API token: pass --token or set DATAROBOT_API_TOKEN."


def test_a_wrong_token_is_one_line_that_never_shows_the_token(cli: Cli, emulator: EmulatorServer) -> None:
    secret = "s3cret-token-never-printed"
    outcome = cli.raw("--endpoint", emulator.api_url, "--token", secret, "policies", "list", DEPLOYMENT)
    assert outcome.exit_code == 1
    assert outcome.error_line == (
        f"error: GET /deployments/{DEPLOYMENT}/retrainingPolicies/ failed with 401: Invalid or missing API token; "
        "pass the right token with --token or set DATAROBOT_API_TOKEN."
    )
    assert secret not in outcome.stdout + outcome.stderr


def test_a_bad_endpoint_is_one_line(cli: Cli) -> None:
    outcome = cli.raw("--endpoint", "ftp://example.com", "--token", "t0ken-value", "settings", "show", DEPLOYMENT)
    assert outcome.exit_code == 1
    assert outcome.error_line.startswith("error: DataRobot endpoint 'ftp://example.com' must be an http(s) URL")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["runs", "start"], "error: Missing argument 'DEPLOYMENT' (see 'datarobot-retraining runs start --help')."),
        (
            ["runs", "list", DEPLOYMENT, "x", "--bogus"],
            "error: No such option: --bogus (see 'datarobot-retraining runs list --help').",
        ),
        (["nope"], "error: No such command 'nope' (see 'datarobot-retraining --help')."),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(cli: Cli, argv: list[str], message: str) -> None:
    outcome = cli.raw(*argv)
    assert outcome.exit_code == 2 and outcome.stdout == ""
    assert outcome.error_line == message


def test_no_arguments_prints_the_help(cli: Cli) -> None:
    outcome = cli.raw()
    assert outcome.exit_code == 0
    for command in ("settings", "policies", "runs", "emulator"):
        assert command in outcome.stdout


@pytest.mark.parametrize(
    "argv",
    [["--help"], ["runs", "start", "--help"], ["runs", "watch", "--help"], ["policies", "list", "--help"],
     ["offline", "up", "--help"]],
)  # fmt: skip
def test_help_shows_flags_without_a_type(cli: Cli, argv: list[str]) -> None:
    # A flag takes no value: `--wait`, not `--wait <bool>`; options that take one keep their type.
    outcome = cli.raw(*argv)
    assert outcome.exit_code == 0 and "--help" in outcome.stdout
    assert "<bool>" not in outcome.stdout
    if argv[:2] == ["runs", "start"]:
        assert "--wait " in outcome.stdout and "<float>" in outcome.stdout
