"""Fixtures of the real-engine tier: the built or installed `pulumi` CLI, a copy of the stack layout, stacks.

The tier runs whenever an engine is found; with CI=true a missing engine fails the run instead of skipping it (the
`pulumi_binary` fixture, in tests/conftest.py, so the engine benchmark's smoke test follows the same rule).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from datarobot_emulator.server import EmulatorServer
from pulumi_datarobot_retraining.testing.engine import EngineStack

ROOT = Path(__file__).resolve().parents[2]
PROGRAMS = Path(__file__).resolve().parent / "programs"

StackFactory = Callable[..., EngineStack]


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """The repository's stack layout as a user has it (root Pulumi.yaml, __main__.py, examples/, .venv), in a private
    folder, so stack files and edits stay out of the real checkout."""
    root = tmp_path / "checkout"
    root.mkdir()
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(ROOT / name, root / name)
    shutil.copytree(ROOT / "examples", root / "examples", ignore=shutil.ignore_patterns("__pycache__", "Pulumi.*.yaml"))
    (root / ".venv").symlink_to(ROOT / ".venv")
    return root


@pytest.fixture
def program(tmp_path: Path) -> Callable[[str], Path]:
    """A private copy of one of this tier's test programs (tests/engine/programs/<name>)."""

    def copy(name: str) -> Path:
        target = tmp_path / "programs" / name
        shutil.copytree(PROGRAMS / name, target, ignore=shutil.ignore_patterns("__pycache__"))
        return target

    return copy


@pytest.fixture
def engine_stack(pulumi_binary: Path, emulator: EmulatorServer, tmp_path: Path) -> StackFactory:
    """A stack of a program folder on a private local backend, configured for the emulator (token as a secret)."""

    def make(project_dir: Path, config: Mapping[str, str] | None = None, *, token: str | None = None) -> EngineStack:
        stack = EngineStack(project_dir, tmp_path / "engine-state", pulumi=pulumi_binary)
        values = {"datarobot:endpoint": emulator.api_url, "datarobot:apikey": token or emulator.token}
        values.update({(k if ":" in k else f"{stack.project_name}:{k}"): v for k, v in (config or {}).items()})
        stack.set_config(values, secret=frozenset({"datarobot:apikey"}))
        return stack

    return make
