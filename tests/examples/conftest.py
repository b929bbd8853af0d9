"""Fixtures for running the examples end to end: a copy of the program and an offline runner on the emulator."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from datarobot_emulator.server import EmulatorServer
from pulumi_datarobot_retraining.testing.offline import MockOutputs, OfflineRunner, default_mock_outputs

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"

RunnerFactory = Callable[..., OfflineRunner]


def writes(emulator: EmulatorServer) -> list[tuple[str, str]]:
    """The API calls that changed something since the request log was last cleared."""
    return [(r["method"], r["path"]) for r in emulator.control.requests() if r["method"] != "GET"]


@pytest.fixture
def example(tmp_path: Path) -> Callable[[str], Path]:
    """A private copy of an example program, so a test can edit it like a user would."""

    def copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(EXAMPLES / name, target, ignore=shutil.ignore_patterns("__pycache__"))
        return target

    return copy


@pytest.fixture
def runner(emulator: EmulatorServer, tmp_path: Path) -> RunnerFactory:
    """An offline runner for a program folder, configured for the emulator; extra config overrides the defaults."""

    def make(
        program: Path,
        *,
        project: str,
        config: dict[str, str] | None = None,
        mock_outputs: MockOutputs = default_mock_outputs,
        defaults_from: Path | None = None,
    ) -> OfflineRunner:
        settings: dict[str, Any] = {}
        if defaults_from is not None:
            declared = yaml.safe_load(defaults_from.read_text()).get("config", {})
            settings = {f"{project}:{k}": str(v["default"]) for k, v in declared.items() if "default" in v}
        settings.update({"datarobot:endpoint": emulator.api_url, "datarobot:apikey": emulator.token})
        settings.update({(k if ":" in k else f"{project}:{k}"): v for k, v in (config or {}).items()})
        return OfflineRunner(program, tmp_path / "state" / f"{program.name}.json", settings, project=project)

    return make
