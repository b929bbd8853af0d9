"""The quickstart under the real Pulumi engine, where a `pulumi` binary is installed (it is not on our machines)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from datarobot_emulator.server import EmulatorServer
from datarobot_retraining.client import DataRobotClient
from tests.examples.conftest import ROOT

PULUMI = shutil.which("pulumi")
pytestmark = [
    pytest.mark.pulumi_cli,
    pytest.mark.skipif(PULUMI is None, reason="the Pulumi CLI is not on PATH; the offline-runner tests cover the flow"),
]


def test_quickstart_with_the_real_engine(tmp_path: Path, emulator: EmulatorServer) -> None:
    assert PULUMI is not None
    env = {
        **os.environ,
        "PULUMI_BACKEND_URL": f"file://{tmp_path}",
        "PULUMI_CONFIG_PASSPHRASE": "test",
        "PULUMI_SKIP_UPDATE_CHECK": "true",
    }

    def pulumi(*args: str) -> str:
        command = [PULUMI, *args, "--non-interactive"]
        done = subprocess.run(command, check=False, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr + done.stdout
        return done.stdout

    pulumi("stack", "init", "cli-test")
    pulumi("config", "set", "datarobot:endpoint", emulator.api_url)
    pulumi("config", "set", "--secret", "datarobot:apikey", emulator.token)
    pulumi("up", "--yes")
    with DataRobotClient(emulator.api_url, emulator.token) as client:
        from datarobot_emulator.seed import DEMO_DEPLOYMENT_ID

        assert len(list(client.retraining_policies.list(DEMO_DEPLOYMENT_ID))) == 3
        preview = pulumi("preview", "--expect-no-changes")
        assert "3 unchanged" in preview or "unchanged" in preview
        pulumi("refresh", "--yes")
        pulumi("destroy", "--yes")
        assert list(client.retraining_policies.list(DEMO_DEPLOYMENT_ID)) == []
