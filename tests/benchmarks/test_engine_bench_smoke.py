"""The engine benchmark at smoke size (1 deployment, 2 rounds) under the real engine: its result file, the exact
API calls of every phase (deterministic), one provider process per phase with its CPU time recorded. Timings are
never asserted. Without an engine it skips, except with CI=true, where it fails (the `pulumi_binary` fixture)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
PHASES = ("up", "noop_up", "refresh", "destroy")

pytestmark = pytest.mark.engine


@pytest.fixture(scope="module")
def document(pulumi_binary: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("bench-engine")
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--only", "engine", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    result: dict[str, Any] = json.loads((out / "engine.json").read_text())
    assert "| Real engine:" in (out / "summary.md").read_text()
    return result


def test_the_result_names_the_engine_and_its_goals(document: dict[str, Any], pulumi_binary: Path) -> None:
    assert document["benchmark"] == "engine" and document["quick"] is True
    assert document["params"]["pulumi"].startswith("v3.")
    assert len(document["params"]["loadavg_after_each_round"]) == 2
    assert {goal["name"] for goal in document["goals"]} == {
        "`pulumi up` at 1 deployments, ours / trivial",
        "no-op `up` at 1 deployments, API writes",
    }
    ratio = document["results"]["sizes"]["1"]["phases"]["up"]["ratio_wall"]
    assert ratio["n"] == 2 and ratio["min"] <= ratio["median"] <= ratio["max"]


def test_every_phase_makes_exactly_the_api_calls_it_needs(document: dict[str, Any]) -> None:
    size = document["results"]["sizes"]["1"]
    for arm in ("ours", "trivial"):
        for run in size["runs"][arm]:
            calls = {phase: run[phase]["by_method"] for phase in PHASES}
            if arm == "trivial":
                assert calls == {phase: {} for phase in PHASES}
                continue
            # The settings' PATCH + GET, and per policy the name check (a list) + POST; the no-op up calls nothing.
            assert calls == {
                "up": {"GET": 6, "PATCH": 1, "POST": 5},
                "noop_up": {},
                "refresh": {"GET": 6},
                "destroy": {"DELETE": 5, "PATCH": 1},
            }
            assert all(run[phase]["errors"] == 0 for phase in PHASES)


def test_each_phase_ran_one_provider_process_whose_cpu_was_recorded(document: dict[str, Any]) -> None:
    size = document["results"]["sizes"]["1"]
    for arm in ("ours", "trivial"):
        for run in size["runs"][arm]:
            for phase in PHASES:
                entry = run[phase]
                assert entry["provider_processes"] == 1, (arm, phase)
                assert entry["provider_cpu_s"] > 0 and entry["engine_cpu_s"] > 0, (arm, phase, entry)
                assert entry["changes"] == {"up": {"create": 7}, "noop_up": {"same": 7}, "refresh": {"same": 7},
                                            "destroy": {"delete": 7}}[phase]  # fmt: skip
            assert run["up"]["checkpoint_bytes"] > 0
