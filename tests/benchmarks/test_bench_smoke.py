"""The benchmark harness at smoke size: every result file is written with its structure, and the API-call counts
(deterministic, unlike timings, which are never asserted) are the minimum the API allows."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCHMARKS = ("overhead", "api_calls", "state_size", "startup", "scale", "peer", "emulator_rps")


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("bench")
    done = subprocess.run(
        # Each by name: the engine benchmark has its own smoke test (test_engine_bench_smoke.py), under the engine rule.
        [sys.executable, "-m", "benchmarks", "--quick", "--out", str(out), *(f"--only={name}" for name in BENCHMARKS)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    documents = {p.stem: json.loads(p.read_text()) for p in out.glob("*.json")}
    return {"dir": out, "documents": documents, "stdout": done.stdout}


def test_every_benchmark_writes_a_result_with_machine_date_and_goals(results: dict[str, Any]) -> None:
    documents = results["documents"]
    assert set(documents) == set(BENCHMARKS)
    for name, document in documents.items():
        assert document["benchmark"] == name
        assert document["quick"] is True
        assert document["date"][:4].isdigit() and "T" in document["date"]
        assert isinstance(document["machine"]["cores"], int) and document["machine"]["python"].count(".") == 2
        assert len(document["load"]["before"]) == 3 and len(document["load"]["after"]) == 3
        assert document["figures"] and all(len(row) == 2 for row in document["figures"])
        for goal in document["goals"]:
            assert set(goal) == {"name", "target", "value", "met"} and isinstance(goal["met"], bool)
    summary = (results["dir"] / "summary.md").read_text()
    assert "| Benchmark | Figure | Value |" in summary and "| Goal | Target | Measured | Met |" in summary
    assert "Quick (smoke) sizes" in summary


def test_timings_are_ratios_with_spread(results: dict[str, Any]) -> None:
    documents = results["documents"]
    for stats in (
        documents["overhead"]["results"]["ratio_provider_vs_bare"],
        documents["peer"]["results"]["ratio_ours_typed_vs_official"],
        documents["startup"]["results"]["ratio_ours_vs_trivial"],
    ):
        assert set(stats) == {"median", "min", "max", "q1", "q3", "n"}
        assert stats["min"] <= stats["median"] <= stats["max"] and stats["n"] >= 2


def test_the_overhead_baseline_sends_the_providers_own_bodies_and_the_same_calls(results: dict[str, Any]) -> None:
    overhead = results["documents"]["overhead"]["results"]
    sizes = overhead["body_bytes"]
    # The create bodies happen to be alike; the provider PATCHes the whole desired state, a script only the edit.
    assert sizes["provider_create"] >= sizes["minimal_create"] and sizes["provider_update"] > sizes["minimal_update"]
    assert {arm["requests_per_cycle"] for arm in overhead["arms"].values()} == {5.0}
    assert set(overhead["ratio_provider_vs_bare_minimal_bodies"]) == {"median", "min", "max", "q1", "q3", "n"}


def test_api_calls_per_operation_are_exactly_the_budget(results: dict[str, Any]) -> None:
    operations = results["documents"]["api_calls"]["results"]["operations"]
    settings = "/api/v2/deployments/{id}/retrainingSettings/"
    policies = "/api/v2/deployments/{id}/retrainingPolicies/"
    policy = policies + "{id}/"
    expected = {
        "RetrainingSettings": {
            "check": [],
            "create": [f"PATCH {settings}", f"GET {settings}"],
            "diff (no change)": [],
            "diff (change)": [],
            "update": [f"PATCH {settings}", f"GET {settings}"],
            "read (refresh)": [f"GET {settings}"],
            "delete": [f"PATCH {settings}"],
        },
        "RetrainingPolicy": {
            "check": [],
            # The list first: no policy may already hold the name (a create never takes a policy that existed).
            "create": [f"GET {policies}", f"POST {policies}"],
            "diff (no change)": [],
            "diff (change)": [],
            "update": [f"PATCH {policy}"],
            "read (refresh)": [f"GET {policy}"],
            "delete": [f"DELETE {policy}"],
        },
    }
    assert {r: {op: e["requests"] for op, e in ops.items()} for r, ops in operations.items()} == expected
    assert all(goal["met"] for goal in results["documents"]["api_calls"]["goals"])


def test_every_arm_of_a_comparison_makes_the_same_calls(results: dict[str, Any]) -> None:
    # overhead: the provider's create lists the policies before its POST, and the bare arm does the same.
    for name, calls in (("overhead", 5.0), ("peer", 4.0)):
        arms = results["documents"][name]["results"]["arms"]
        assert {arm: entry["requests_per_cycle"] for arm, entry in arms.items()} == dict.fromkeys(arms, calls)


def test_scale_calls_per_phase_and_no_writes_on_reapply(results: dict[str, Any]) -> None:
    document = results["documents"]["scale"]
    for size, entry in document["results"]["sizes"].items():
        n = int(size)
        for run in entry["runs"]:
            phases = run["phases"]
            # Per deployment: the settings' PATCH + GET, and for each of the 5 policies a list (the name check) + POST.
            assert phases["apply"]["by_method"] == {"GET": 6 * n, "PATCH": n, "POST": 5 * n}
            assert phases["reapply"]["api_calls"] == 0
            assert phases["refresh"]["by_method"] == {"GET": 6 * n}
            assert phases["destroy"]["by_method"] == {"DELETE": 5 * n, "PATCH": n}
            assert all(p["errors"] == 0 for p in phases.values())
            assert 0 < run["peak_rss_mb"] < 10_000


def test_state_cost_is_a_small_class_reference(results: dict[str, Any]) -> None:
    document = results["documents"]["state_size"]
    for resource in ("RetrainingSettings", "RetrainingPolicy"):
        entry = document["results"][resource]
        assert entry["provider_bytes"] <= 200
        assert entry["outputs_bytes"] > entry["outputs_without_provider_bytes"] + entry["provider_bytes"] - 1


def test_emulator_rps_numbers_are_reused(results: dict[str, Any]) -> None:
    rows = results["documents"]["emulator_rps"]["results"]["rows"]
    assert [(row["name"], row["threads"]) for row in rows] == [
        ("GET policy", 1),
        ("POST policy (create)", 1),
        ("GET policy", 4),
        ("POST policy (create)", 4),
    ]
    assert all(row["rps"] > 0 for row in rows)
