"""`make demo`: start the emulator, apply the quickstart stack, watch a drift-triggered retraining run, tear down."""

from __future__ import annotations

import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from pulumi_datarobot_retraining.testing.engine import find_pulumi
from pulumi_datarobot_retraining.testing.provider_server import stop_process

Step = Callable[[], object]
SECRET_KEYS = frozenset({"datarobot:apikey"})

ROOT = Path(__file__).resolve().parents[2]
PROGRAM = ROOT / "examples" / "quickstart"


def start_emulator(token: str, db: Path) -> tuple[subprocess.Popen[str], str]:
    """The emulator in its own process on a free port, with the demo seed and 1-second run steps."""
    process = subprocess.Popen(
        [sys.executable, "-m", "datarobot_emulator", "--host", "127.0.0.1", "--port", "0", "--token", token,
         "--db", str(db), "--seed", "demo", "--step-seconds", "1"],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("http"):
            return process, line.strip()
    raise SystemExit("The emulator did not start; run `python -m datarobot_emulator --port 0` to see why.")


def stack_config(api_url: str, token: str) -> tuple[str, dict[str, str]]:
    project = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())
    name = str(project["name"])
    config = {f"{name}:{key}": str(spec["default"]) for key, spec in project.get("config", {}).items()}
    config.update({"datarobot:endpoint": api_url, "datarobot:apikey": token})
    return name, config


def with_real_engine(pulumi: Path, api_url: str, token: str, work: Path) -> None:
    """The real Pulumi engine on the root Pulumi.yaml, with a local backend in the demo's temporary folder."""
    from pulumi_datarobot_retraining.testing.engine import EngineStack

    print(f"Running the quickstart under the real Pulumi engine ({pulumi}).\n", flush=True)
    stack = EngineStack(ROOT, work / "pulumi", pulumi=pulumi, stack="demo", echo=print)
    stack_file = ROOT / "Pulumi.demo.yaml"
    try:
        project, config = stack_config(api_url, token)
        stack.set_config({k: v for k, v in config.items() if not k.startswith(f"{project}:")}, secret=SECRET_KEYS)
        story(api_url, token, apply=stack.up, refresh=stack.refresh, destroy=stack.destroy)
    finally:
        stack_file.unlink(missing_ok=True)  # the demo's stack lives only as long as its emulator


def with_offline_runner(api_url: str, token: str, work: Path) -> None:
    from pulumi_datarobot_retraining.testing.offline import OfflineRunner

    print(
        "No Pulumi engine was found (run `make engine` to build one), so this demo runs the same program with the\n"
        "offline runner (pulumi_datarobot_retraining.testing.offline): a test tool that drives the real provider\n"
        "process the way the engine does. It is NOT the Pulumi engine.\n",
        flush=True,
    )
    project, config = stack_config(api_url, token)
    runner = OfflineRunner(PROGRAM, work / "state.json", config, project=project)
    story(api_url, token, apply=runner.up, refresh=runner.refresh, destroy=runner.destroy)


def story(api_url: str, token: str, *, apply: Step, refresh: Step, destroy: Step) -> None:
    """What the demo shows, whichever engine runs it: apply, a drift that starts a run, refresh, re-apply, destroy."""
    from datarobot_emulator.control import EmulatorControl
    from datarobot_emulator.seed import DEMO_DEPLOYMENT_ID

    apply()
    control = EmulatorControl(api_url.removesuffix("/api/v2"))
    print("\nData drift of the deployment declines to warning (set through the emulator's control route)...")
    started = control.set_health(DEMO_DEPLOYMENT_ID, "data_drift", "warning")
    print(f"The drift policy started run {', '.join(started) or '(none)'}; waiting for it to finish.", flush=True)
    _wait_for_runs(api_url, token, DEMO_DEPLOYMENT_ID)

    print("\nRefresh, then up again: the outputs now show the run (no write calls: nothing changed).")
    refresh()
    apply()
    print("\nDestroy:")
    destroy()


def _wait_for_runs(api_url: str, token: str, deployment_id: str) -> None:
    from datarobot_retraining.client import DataRobotClient

    with DataRobotClient(api_url, token) as client:
        deadline = time.monotonic() + 60
        last: dict[str, Any] = {}
        while time.monotonic() < deadline:
            runs = [
                (policy.name, policy.latest_run)
                for policy in client.retraining_policies.list(deployment_id)
                if policy.latest_run is not None
            ]
            for name, run in runs:
                assert run is not None
                step = (run.model_extra or {}).get("currentStep")
                state = f"{run.status}" + (f" ({step})" if step else "")
                if last.get(run.id) != state:
                    last[run.id] = state
                    print(f"  run {run.id} of '{name}': {state}", flush=True)
            if runs and all(run is not None and run.outcome.finished for _, run in runs):
                return
            time.sleep(0.5)


def main() -> int:
    token = secrets.token_hex(16)
    with tempfile.TemporaryDirectory(prefix="retraining-demo-") as folder:
        work = Path(folder)
        emulator, api_url = start_emulator(token, work / "emulator.db")
        print(f"DataRobot emulator running at {api_url}\n", flush=True)
        try:
            pulumi = find_pulumi(ROOT)
            if pulumi is not None:
                with_real_engine(pulumi, api_url, token, work)
            else:
                with_offline_runner(api_url, token, work)
        finally:
            stop_process(emulator)
    print("\nDone. The emulator has stopped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
