"""Concurrency: four provider workers racing to create policies on one deployment near the five-policy limit.

The engine runs four provider calls at once, in threads, on one provider instance. The server's limit must hold
(exactly five policies afterwards, never six), and every create that lost the race must fail with the sentence that
names the limit, not with a traceback or a vague 422.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import grpc
import pytest

from datarobot_emulator.server import EmulatorServer
from datarobot_retraining.client import DataRobotClient
from datarobot_retraining.errors import ResourceOperationError
from datarobot_retraining.resources import RetrainingPolicyProvider
from pulumi_datarobot_retraining.testing import ProviderServer, dynamic_type, make_urn, serialized_provider
from tests.reliability.workload import configure_provider, ready_deployment, recorded_sleeps

LIMIT_TEXT = "already has 5 retraining policies"
WORKERS = 4
POLICY = dynamic_type("RetrainingPolicy")
SETTINGS = dynamic_type("RetrainingSettings")


def server_policies(emulator: EmulatorServer, deployment: str) -> list[Any]:
    with DataRobotClient(emulator.api_url, emulator.token) as client:
        return list(client.retraining_policies.list(deployment))


def race(calls: list[Callable[[], Any]]) -> list[tuple[Any, BaseException | None]]:
    """Run the calls on WORKERS threads that start together; (result, error) per call, in order."""
    barrier = threading.Barrier(WORKERS)

    def run(call: Callable[[], Any], first: bool) -> tuple[Any, BaseException | None]:
        if first:
            barrier.wait(timeout=10)
        try:
            return call(), None
        except Exception as error:
            return None, error

    with ThreadPoolExecutor(WORKERS) as pool:
        futures = [pool.submit(run, call, index < WORKERS) for index, call in enumerate(calls)]
        return [future.result(timeout=60) for future in futures]


@pytest.fixture
def policy_provider(emulator: EmulatorServer) -> Iterator[RetrainingPolicyProvider]:
    provider: RetrainingPolicyProvider = configure_provider(
        RetrainingPolicyProvider(), emulator.api_url, emulator.token
    )
    with recorded_sleeps(provider.client()):
        yield provider


@pytest.mark.timeout(60)
@pytest.mark.parametrize(("existing", "attempts"), [(0, 8), (3, 4), (4, 12)])
@pytest.mark.parametrize("faults", [False, True], ids=["clean", "with-faults"])
def test_threads_on_one_provider_instance_hold_the_limit(
    emulator: EmulatorServer, policy_provider: RetrainingPolicyProvider, existing: int, attempts: int, faults: bool
) -> None:
    deployment = ready_deployment(emulator)
    for index in range(existing):
        policy_provider.create({"deployment_id": deployment, "name": f"existing-{index}"})
    if faults:
        # Lost answers and refusals in the middle of the race: reconciliation must not count a rival's policy.
        path = f"deployments/{deployment}/retrainingPolicies"
        emulator.control.inject_fault("POST", path, count=2, drop_after_commit=True)
        emulator.control.inject_fault("POST", path, count=2, status=429, retry_after=0)
        emulator.control.inject_fault("POST", path, count=1, status=503)

    def create(index: int) -> Callable[[], Any]:
        return lambda: policy_provider.create(
            {"deployment_id": deployment, "name": f"racer-{index}", "action": "create_model_package"}
        )

    outcomes = race([create(index) for index in range(attempts)])

    created = [result for result, error in outcomes if error is None]
    refused = [error for _, error in outcomes if error is not None]
    on_server = server_policies(emulator, deployment)
    assert len(on_server) == 5
    assert len(created) == 5 - existing
    assert {p.id for p in on_server} >= {r.id for r in created}
    assert len({p.name for p in on_server}) == 5  # no duplicate among them
    assert len(refused) == attempts - len(created)
    for error in refused:
        assert isinstance(error, ResourceOperationError), repr(error)
        assert LIMIT_TEXT in str(error) and "\n" not in str(error), str(error)


@pytest.fixture(scope="module")
def provider_process(emulator_server: EmulatorServer) -> Iterator[ProviderServer]:
    with ProviderServer(project="concurrency") as process:
        process.configure({"datarobot:endpoint": emulator_server.api_url, "datarobot:apikey": emulator_server.token})
        yield process


@pytest.mark.timeout(90)
@pytest.mark.parametrize(("existing", "attempts"), [(1, 4), (3, 4), (0, 12)])
def test_concurrent_creates_through_the_provider_server_hold_the_limit(
    emulator: EmulatorServer, provider_process: ProviderServer, existing: int, attempts: int
) -> None:
    deployment = ready_deployment(emulator)
    provider = serialized_provider(RetrainingPolicyProvider())
    for index in range(existing):
        provider_process.create(
            make_urn(POLICY, f"existing-{index}"),
            {"deployment_id": deployment, "name": f"existing-{index}", "__provider": provider},
        )

    def create(index: int) -> Callable[[], Any]:
        urn = make_urn(POLICY, f"racer-{index}")
        news = {"deployment_id": deployment, "name": f"racer-{index}", "__provider": provider}
        return lambda: provider_process.create(urn, provider_process.check(urn, {}, news).inputs)

    outcomes = race([create(index) for index in range(attempts)])

    created = [result for result, error in outcomes if error is None]
    refused = [error for _, error in outcomes if error is not None]
    assert len(server_policies(emulator, deployment)) == 5
    assert len(created) == 5 - existing
    for error in refused:
        assert isinstance(error, grpc.RpcError), repr(error)
        details = str(error.details())  # type: ignore[attr-defined]
        assert LIMIT_TEXT in details, details
