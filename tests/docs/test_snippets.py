"""Every python and bash block of README.md and docs/*.md runs as written against the emulator, or says why not."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from datarobot_emulator import seed
from datarobot_emulator.server import EmulatorServer
from datarobot_retraining.client import DataRobotClient
from datarobot_retraining.inputs.retraining_policy import POLICY_SERVER_DEFAULTS
from pulumi_datarobot_retraining.testing.offline import OfflineRunner, PulumiProject
from tests.docs.snippets import DOCUMENTS, README, ROOT, Snippet, code_blocks, snippets
from tests.examples.conftest import writes

SNIPPETS = [snippet for document in DOCUMENTS for snippet in snippets(document)]
# The README's offline-runner snippet is run by its own test below, twice, as the README tells the reader to.
OFFLINE_RUNNER_SNIPPET = next(s for s in snippets(README) if "OfflineRunner(" in s.text)
BIN = Path(sys.executable).parent


def test_every_code_block_says_whether_it_runs() -> None:
    unmarked = [block.where for document in DOCUMENTS for block in code_blocks(document) if block.marker is None]
    assert unmarked == [], "mark each block <!-- runnable ... --> or <!-- not runnable: why --> (docs/architecture.md)"
    unexplained = [
        block.where
        for document in DOCUMENTS
        for block in code_blocks(document)
        if not block.runs and not re.match(r"<!-- not runnable: \S", block.marker or "")
    ]
    assert unexplained == []
    assert {snippet.kind for snippet in SNIPPETS} == {"python", "bash", "program"}  # each kind is exercised


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """What a snippet's "from the repository's root folder" finds: the examples and the root project, copied."""
    ignore = shutil.ignore_patterns("__pycache__", ".offline-state")
    shutil.copytree(ROOT / "examples", tmp_path / "examples", ignore=ignore)
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


@pytest.fixture
def shell_env(emulator: EmulatorServer) -> dict[str, str]:
    """A user's shell after pasting the `export` line `emulator serve` prints; the project's tools on PATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATAROBOT_")}
    env.update(DATAROBOT_ENDPOINT=emulator.api_url, DATAROBOT_API_TOKEN=emulator.token)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def run(kind: str, text: str, scratch: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    script = scratch / ("snippet.py" if kind == "python" else "snippet.sh")
    script.write_text(text)
    command = [sys.executable, str(script)] if kind == "python" else ["bash", "-e", "-o", "pipefail", str(script)]
    return subprocess.run(command, cwd=scratch, env=env, capture_output=True, text=True, timeout=240, check=False)


def run_program(text: str, scratch: Path, emulator: EmulatorServer) -> None:
    """A program block: applied with the quickstart's config, applied again with no write call, destroyed."""
    program = scratch / "program"
    program.mkdir()
    (program / "__main__.py").write_text(text)
    quickstart = PulumiProject.load(ROOT)
    assert quickstart is not None
    config = {**quickstart.config_defaults, "datarobot:endpoint": emulator.api_url, "datarobot:apikey": emulator.token}
    runner = OfflineRunner(program, scratch / "state.json", config, project=quickstart.name, out=io.StringIO())
    assert runner.up().count("create") > 0
    emulator.control.clear_requests()
    assert runner.up().count("same") > 0
    assert writes(emulator) == [], "a second up of an unchanged program must not write"
    runner.destroy()
    with DataRobotClient(emulator.api_url, emulator.token) as client:
        assert list(client.retraining_policies.list(seed.DEMO_DEPLOYMENT_ID)) == []


@pytest.mark.timeout(300)
@pytest.mark.parametrize(
    "snippet", [s for s in SNIPPETS if s != OFFLINE_RUNNER_SNIPPET], ids=lambda snippet: snippet.where
)
def test_the_snippet_runs_as_written(
    snippet: Snippet, scratch: Path, shell_env: dict[str, str], emulator: EmulatorServer
) -> None:
    if snippet.kind == "program":
        run_program(snippet.text, scratch, emulator)
        return
    done = run(snippet.kind, snippet.text, scratch, shell_env)
    assert done.returncode == 0, f"{snippet.where} failed:\n{done.stdout}\n{done.stderr}"


def test_the_readmes_offline_runner_snippet_twice(
    scratch: Path, shell_env: dict[str, str], emulator: EmulatorServer
) -> None:
    # As the README says: run it twice, and the second up changes nothing; the state is where the snippet says.
    (block,) = [b for b in code_blocks(README) if b.runs and "OfflineRunner(" in b.text]
    first = run("python", block.text, scratch, shell_env)
    assert first.returncode == 0, first.stderr
    assert "4 created:" in first.stdout and (scratch / "state.json").is_file()
    # The second time with the block that continues it: the same up, then destroy.
    emulator.control.clear_requests()
    second = run("python", OFFLINE_RUNNER_SNIPPET.text, scratch, shell_env)
    assert second.returncode == 0, second.stderr
    assert "0 created:" in second.stdout and "Resources: 4 unchanged" in second.stdout
    # The up wrote nothing: every write is the destroy's (three policies, then the settings it had set, cleared).
    assert [method for method, _ in writes(emulator)] == ["DELETE", "DELETE", "DELETE", "PATCH"]
    with DataRobotClient(emulator.api_url, emulator.token) as client:
        assert list(client.retraining_policies.list(seed.DEMO_DEPLOYMENT_ID)) == []


def test_the_documented_server_defaults_are_the_providers() -> None:
    text = (ROOT / "docs" / "api.md").read_text()
    table = text.split("## Server defaults", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([\w.]+)` \| `([^`]+)` \|$", table, flags=re.M)
    documented = {leaf: value for leaf, value in rows}
    expected = {leaf: str(value).lower() if isinstance(value, bool) else str(value)
                for leaf, value in POLICY_SERVER_DEFAULTS.items()}  # fmt: skip
    assert documented == expected
