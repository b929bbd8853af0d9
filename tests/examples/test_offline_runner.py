"""The offline runner as a newcomer uses it: relative paths from their own folder, the same `up` twice."""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from datarobot_emulator import seed
from datarobot_emulator.server import EmulatorServer
from datarobot_retraining.client import DataRobotClient
from pulumi_datarobot_retraining.testing.offline import OfflineRunner
from tests.examples.conftest import EXAMPLES, ROOT, writes

PROJECT = "datarobot-retraining-quickstart"


def quickstart_config(emulator: EmulatorServer) -> dict[str, str]:
    declared = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())["config"]
    config = {f"{PROJECT}:{key}": str(spec["default"]) for key, spec in declared.items()}
    return {**config, "datarobot:endpoint": emulator.api_url, "datarobot:apikey": emulator.token}


@pytest.fixture
def readme_runner(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, emulator: EmulatorServer
) -> Callable[[], OfflineRunner]:
    """Runners made exactly as the README makes one, `OfflineRunner("examples/quickstart", "state.json", ...)`, from
    the folder that holds `examples/` (the current directory during the test)."""
    shutil.copytree(EXAMPLES / "quickstart", tmp_path / "examples" / "quickstart")
    monkeypatch.chdir(tmp_path)

    def make() -> OfflineRunner:
        config = quickstart_config(emulator)
        return OfflineRunner("examples/quickstart", "state.json", config, project=PROJECT, out=io.StringIO())

    return make


def test_relative_program_and_state_paths_are_resolved_against_the_callers_folder(
    tmp_path: Path, readme_runner: Callable[[], OfflineRunner], emulator: EmulatorServer
) -> None:
    runner = readme_runner()
    assert runner.up().count("create") == 4
    # The state is where the caller said, not inside the program folder the runner changes into while it runs.
    assert (tmp_path / "state.json").is_file()
    assert not (tmp_path / "examples" / "quickstart" / "state.json").exists()

    emulator.control.clear_requests()
    again = readme_runner()
    second = again.up()
    assert writes(emulator) == [] and second.count("same") == 4

    again.destroy()
    with DataRobotClient(emulator.api_url, emulator.token) as client:
        assert list(client.retraining_policies.list(seed.DEMO_DEPLOYMENT_ID)) == []


def test_a_later_change_of_directory_does_not_move_the_paths(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    readme_runner: Callable[[], OfflineRunner],
    emulator: EmulatorServer,
) -> None:
    runner = readme_runner()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    runner.up()
    assert (tmp_path / "state.json").is_file() and list(elsewhere.iterdir()) == []
    emulator.control.clear_requests()
    assert runner.up().count("same") == 4 and writes(emulator) == []
    runner.destroy()
