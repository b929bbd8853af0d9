"""Transport behaviour over a real socket, driven by the emulator's fault injection: retries, ambiguity, auth."""

from __future__ import annotations

import gc
import warnings
from concurrent.futures import ThreadPoolExecutor

import pytest

from datarobot_emulator.seed import DEMO_DEPLOYMENT_ID
from datarobot_emulator.server import EmulatorServer
from datarobot_retraining.client import DataRobotClient
from datarobot_retraining.errors import (
    AmbiguousRequestError,
    APITimeoutError,
    AuthenticationError,
    InternalServerError,
)
from datarobot_retraining.models import RetrainingPolicyCreate

SETTINGS = f"deployments/{DEMO_DEPLOYMENT_ID}/retrainingSettings/"
POLICIES = f"deployments/{DEMO_DEPLOYMENT_ID}/retrainingPolicies/"


def api_log(emulator: EmulatorServer, method: str) -> list[tuple[str, int]]:
    return [(r["path"], r["status"]) for r in emulator.control.requests() if r["method"] == method]


def test_paths_are_sent_with_the_trailing_slash(client: DataRobotClient, emulator: EmulatorServer) -> None:
    client.retraining_settings.get(DEMO_DEPLOYMENT_ID)
    list(client.retraining_policies.list(DEMO_DEPLOYMENT_ID))
    assert all(r["path"].endswith("/") for r in emulator.control.requests())


def test_get_is_retried_after_503_honouring_retry_after(
    client: DataRobotClient, emulator: EmulatorServer, sleeps: list[float]
) -> None:
    emulator.control.inject_fault("GET", SETTINGS, count=2, status=503, retry_after=3)
    client.retraining_settings.get(DEMO_DEPLOYMENT_ID)
    assert sleeps == [3.0, 3.0]
    assert [status for _, status in api_log(emulator, "GET")] == [503, 503, 200]


def test_get_gives_up_after_max_retries(emulator: EmulatorServer, sleeps: list[float]) -> None:
    emulator.control.inject_fault("GET", SETTINGS, count=10, status=502)
    with DataRobotClient(emulator.api_url, emulator.token, max_retries=2) as client:
        client._http._sleep = sleeps.append
        with pytest.raises(InternalServerError) as caught:
            client.retraining_settings.get(DEMO_DEPLOYMENT_ID)
    assert caught.value.status_code == 502
    assert len(api_log(emulator, "GET")) == 3


def test_get_is_retried_after_a_dropped_connection(
    client: DataRobotClient, emulator: EmulatorServer, ready_deployment: str
) -> None:
    emulator.control.inject_fault("GET", POLICIES, drop_after_commit=True)
    assert list(client.retraining_policies.list(ready_deployment)) == []
    assert len(api_log(emulator, "GET")) == 2


def test_post_dropped_after_commit_is_ambiguous_and_not_repeated(
    client: DataRobotClient, emulator: EmulatorServer, ready_deployment: str
) -> None:
    emulator.control.inject_fault("POST", POLICIES, drop_after_commit=True)
    with pytest.raises(AmbiguousRequestError) as caught:
        client.retraining_policies.create(ready_deployment, RetrainingPolicyCreate(name="maybe"))
    assert caught.value.method == "POST"
    assert caught.value.path == f"/{POLICIES}"
    assert len(api_log(emulator, "POST")) == 1
    # The caller reconciles: the create did happen, exactly once.
    assert [p.name for p in client.retraining_policies.list(ready_deployment)] == ["maybe"]


def test_post_gateway_error_is_ambiguous_and_not_repeated(
    client: DataRobotClient, emulator: EmulatorServer, ready_deployment: str
) -> None:
    emulator.control.inject_fault("POST", POLICIES, status=503)
    with pytest.raises(AmbiguousRequestError) as caught:
        client.retraining_policies.create(ready_deployment, RetrainingPolicyCreate(name="maybe"))
    assert caught.value.status_code == 503
    assert api_log(emulator, "POST") == [(f"/api/v2/{POLICIES}", 503)]


def test_post_is_retried_after_429(
    client: DataRobotClient, emulator: EmulatorServer, ready_deployment: str, sleeps: list[float]
) -> None:
    emulator.control.inject_fault("POST", POLICIES, status=429, retry_after=1)
    policy = client.retraining_policies.create(ready_deployment, RetrainingPolicyCreate(name="once"))
    assert sleeps == [1.0]
    assert [status for _, status in api_log(emulator, "POST")] == [429, 200]
    assert [p.id for p in client.retraining_policies.list(ready_deployment)] == [policy.id]


def test_run_start_dropped_is_ambiguous(
    client: DataRobotClient, emulator: EmulatorServer, ready_deployment: str
) -> None:
    policy = client.retraining_policies.create(ready_deployment, RetrainingPolicyCreate(name="manual"))
    emulator.control.freeze_clock()
    emulator.control.inject_fault("POST", f"{POLICIES}*/runs/", drop_after_commit=True)
    with pytest.raises(AmbiguousRequestError):
        client.retraining_policy_runs.start(ready_deployment, policy.id)
    assert len(list(client.retraining_policy_runs.list(ready_deployment, policy.id))) == 1


def test_read_timeout_is_retried_then_reported(emulator: EmulatorServer, sleeps: list[float]) -> None:
    emulator.control.inject_fault("GET", SETTINGS, count=2, latency=0.6)
    with DataRobotClient(emulator.api_url, emulator.token, timeout=0.2, max_retries=1) as client:
        client._http._sleep = sleeps.append
        with pytest.raises(APITimeoutError) as caught:
            client.retraining_settings.get(DEMO_DEPLOYMENT_ID)
    assert "after 2 attempts" in str(caught.value)
    assert len(sleeps) == 1


def test_wrong_token(emulator: EmulatorServer) -> None:
    secret = "wrong-token-0123456789"
    with DataRobotClient(emulator.api_url, secret) as client, pytest.raises(AuthenticationError) as caught:
        client.deployments.get(DEMO_DEPLOYMENT_ID)
    assert caught.value.status_code == 401
    assert secret not in str(caught.value) and secret not in repr(caught.value.args)


def test_one_client_shared_by_threads(client: DataRobotClient, ready_deployment: str) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        created = list(
            pool.map(
                lambda i: client.retraining_policies.create(ready_deployment, RetrainingPolicyCreate(name=f"t{i}")).id,
                range(5),
            )
        )
        fetched = list(pool.map(lambda pid: client.retraining_policies.get(ready_deployment, pid).id, created))
    assert fetched == created
    assert len(set(created)) == 5


def test_close_releases_the_sockets(emulator: EmulatorServer) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        client = DataRobotClient(emulator.api_url, emulator.token)
        for _ in range(3):
            client.deployments.get(DEMO_DEPLOYMENT_ID)
        pool = client._http._client._transport._pool  # type: ignore[attr-defined]
        assert len(pool.connections) == 1  # keep-alive: three calls, one connection
        client.close()
        assert pool.connections == []
        del client
        gc.collect()
    assert [w for w in caught if issubclass(w.category, ResourceWarning)] == []
