"""Faults: ~300 provider operations while the emulator fails, delays and cuts ~30% of the requests; nothing is lost.

Also the two explicit cases of a committed write whose answer never arrives (POST and DELETE).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from datarobot_emulator.server import EmulatorServer
from datarobot_retraining.client import DataRobotClient
from datarobot_retraining.resources import RetrainingPolicyProvider
from tests.reliability.workload import (
    FAULT_KINDS,
    FaultWorkload,
    configure_provider,
    print_figures,
    ready_deployment,
    recorded_sleeps,
)


@pytest.fixture
def policy_provider(emulator: EmulatorServer) -> Iterator[RetrainingPolicyProvider]:
    provider: RetrainingPolicyProvider = configure_provider(
        RetrainingPolicyProvider(), emulator.api_url, emulator.token
    )
    # The endpoint check (one GET version/ per process, before the first 404) is made here, so that the request
    # logs below are the same whichever tests ran before in this process.
    provider.client().confirm_endpoint()
    with recorded_sleeps(provider.client()):
        yield provider


@pytest.fixture
def deployment(emulator: EmulatorServer) -> str:
    """A fresh deployment with a retraining dataset and user, so policies can be created on it."""
    return ready_deployment(emulator)


def manual_policy(deployment_id: str, name: str) -> dict[str, Any]:
    return {"deployment_id": deployment_id, "name": name, "action": "create_model_package"}


def wire_policies(emulator: EmulatorServer, deployment_id: str) -> list[dict[str, Any]]:
    with DataRobotClient(emulator.api_url, emulator.token) as client:
        data: list[dict[str, Any]] = client.request("GET", f"/deployments/{deployment_id}/retrainingPolicies/").json()[
            "data"
        ]
        return data


@pytest.mark.timeout(150)
def test_300_operations_under_faults_end_in_exactly_the_desired_state(emulator: EmulatorServer) -> None:
    workload = FaultWorkload(emulator.api_url, emulator.token, emulator.control, seed=8, deployments=4)
    figures = workload.run(operations=300)
    print_figures(figures, "fault lifecycle (seed 8)")

    assert figures.failed_operations == []
    assert figures.duplicates == 0
    assert figures.orphans == 0
    assert figures.missing == 0
    assert figures.lost_writes == []
    assert figures.read_mismatches == []
    assert figures.perpetual_diffs == []
    # The run really was hostile: every kind of fault hit, on roughly 30% of the requests.
    assert figures.total_operations >= 290
    assert all(figures.faults_injected[kind] > 0 for kind in FAULT_KINDS), figures.faults_injected
    assert 0.2 <= figures.fault_ratio <= 0.45, figures.fault_ratio
    assert figures.creates_reconciled > 0 and figures.creates_resent > 0
    assert figures.deletes_after_lost_answer > 0
    # Every Retry-After the emulator sent was waited out exactly (the waits are recorded, not slept).
    assert figures.retry_after_waits == figures.retry_after_expected


@pytest.mark.timeout(30)
def test_post_committed_answer_lost_creates_exactly_one_policy(
    emulator: EmulatorServer, policy_provider: RetrainingPolicyProvider, deployment: str
) -> None:
    path = f"deployments/{deployment}/retrainingPolicies"
    emulator.control.clear_requests()
    emulator.control.inject_fault("POST", path, drop_after_commit=True)

    result = policy_provider.create(policy_provider.check({}, manual_policy(deployment, "committed")).inputs)

    calls = [(r["method"], r["status"]) for r in emulator.control.requests()]
    assert [(p["id"], p["name"]) for p in wire_policies(emulator, deployment)] == [(result.id, "committed")]
    # The name check's list, one POST (committed: 200 in the log, though the client never got the answer), then one
    # list to reconcile.
    assert calls == [("GET", 200), ("POST", 200), ("GET", 200)]


@pytest.mark.timeout(30)
def test_post_refused_by_a_gateway_is_sent_again_once_it_is_known_not_to_have_landed(
    emulator: EmulatorServer, policy_provider: RetrainingPolicyProvider, deployment: str
) -> None:
    path = f"deployments/{deployment}/retrainingPolicies"
    emulator.control.clear_requests()
    emulator.control.inject_fault("POST", path, count=2, status=502)

    result = policy_provider.create(policy_provider.check({}, manual_policy(deployment, "resent")).inputs)

    calls = [(r["method"], r["status"]) for r in emulator.control.requests()]
    assert [(p["id"], p["name"]) for p in wire_policies(emulator, deployment)] == [(result.id, "resent")]
    # Each lost answer: look, pause (create_settle_seconds), look again, and only then send again.
    looked_twice = [("GET", 200), ("GET", 200)]
    assert calls == [("GET", 200), ("POST", 502), *looked_twice, ("POST", 502), *looked_twice, ("POST", 200)]


@pytest.mark.timeout(30)
def test_delete_committed_answer_lost_reports_success_and_the_policy_is_gone(
    emulator: EmulatorServer, policy_provider: RetrainingPolicyProvider, deployment: str
) -> None:
    created = policy_provider.create(policy_provider.check({}, manual_policy(deployment, "doomed")).inputs)
    policy_path = f"deployments/{deployment}/retrainingPolicies/{created.id}"
    emulator.control.clear_requests()
    emulator.control.inject_fault("DELETE", policy_path, drop_after_commit=True)

    policy_provider.delete(created.id, dict(created.outs or {}))  # no exception: the delete is done

    calls = [(r["method"], r["status"]) for r in emulator.control.requests()]
    assert wire_policies(emulator, deployment) == []
    # The first DELETE committed (204) and lost its answer; the retry found nothing left (404) = done.
    assert calls == [("DELETE", 204), ("DELETE", 404)]


@pytest.mark.timeout(30)
def test_update_committed_answer_lost_is_repeated_and_lands_once(
    emulator: EmulatorServer, policy_provider: RetrainingPolicyProvider, deployment: str
) -> None:
    created = policy_provider.create(policy_provider.check({}, manual_policy(deployment, "edited")).inputs)
    policy_path = f"deployments/{deployment}/retrainingPolicies/{created.id}"
    emulator.control.inject_fault("PATCH", policy_path, drop_after_commit=True)
    news = policy_provider.check({}, {**manual_policy(deployment, "edited"), "description": "v2"}).inputs

    updated = policy_provider.update(str(created.id), dict(created.outs or {}), news)

    assert updated.outs is not None and updated.outs["description"] == "v2"
    assert [p["description"] for p in wire_policies(emulator, deployment)] == ["v2"]
