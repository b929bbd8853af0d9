"""Fault injection (status, Retry-After, latency, drop after commit) and the request log."""

from __future__ import annotations

import time

import httpx
import pytest
from emulator_helpers import configure, create_policy, policies_url

from datarobot_emulator.seed import DEMO_DEPLOYMENT_ID
from datarobot_emulator.server import EmulatorServer


def test_status_fault_with_retry_after_hits_only_the_next_n_matching(
    emulator: EmulatorServer, api: httpx.Client
) -> None:
    emulator.control.inject_fault("GET", "deployments/*", count=2, status=429, retry_after=3)
    assert api.get("/version/").status_code == 200  # not matching
    assert api.get("/deployments/").status_code == 200  # "deployments/*" needs something after the slash
    for path in (f"/deployments/{DEMO_DEPLOYMENT_ID}", f"/deployments/{DEMO_DEPLOYMENT_ID}/settings/"):
        response = api.get(path)
        assert response.status_code == 429
        assert response.headers["Retry-After"] == "3"
        assert "message" in response.json()
    assert api.get(f"/deployments/{DEMO_DEPLOYMENT_ID}").status_code == 200
    assert emulator.control.faults() == []


def test_status_fault_does_not_touch_state(emulator: EmulatorServer, api: httpx.Client) -> None:
    configure(api)
    emulator.control.inject_fault("POST", f"/api/v2/deployments/{DEMO_DEPLOYMENT_ID}/retrainingPolicies/", status=503)
    assert api.post(policies_url(), json={"name": "x"}).status_code == 503
    assert api.get(policies_url()).json()["totalCount"] == 0


def test_latency_fault(emulator: EmulatorServer, api: httpx.Client) -> None:
    emulator.control.inject_fault("*", "version", latency=0.3)
    began = time.monotonic()
    assert api.get("/version").status_code == 200
    assert time.monotonic() - began >= 0.3
    began = time.monotonic()
    api.get("/version")
    assert time.monotonic() - began < 0.3


def test_drop_after_commit_commits_the_create_and_breaks_the_answer(
    emulator: EmulatorServer, api: httpx.Client
) -> None:
    configure(api)
    emulator.control.inject_fault("POST", "deployments/*/retrainingPolicies", drop_after_commit=True)
    with pytest.raises(httpx.RemoteProtocolError):
        api.post(policies_url(), json={"name": "committed"})
    listed = api.get(policies_url()).json()
    assert [p["name"] for p in listed["data"]] == ["committed"]
    post = [r for r in emulator.control.requests() if r["method"] == "POST"]
    assert post == [
        {"method": "POST", "path": f"/api/v2/deployments/{DEMO_DEPLOYMENT_ID}/retrainingPolicies/", "status": 200}
    ]


def test_drop_after_commit_on_an_empty_answer(emulator: EmulatorServer, api: httpx.Client) -> None:
    configure(api)
    pid = create_policy(api)["id"]
    emulator.control.inject_fault("DELETE", "deployments/*/retrainingPolicies/*", drop_after_commit=True)
    with pytest.raises(httpx.RemoteProtocolError):
        api.delete(f"{policies_url()}{pid}/")
    assert api.get(f"{policies_url()}{pid}/").status_code == 404


def test_request_log_counts_api_calls_only(emulator: EmulatorServer, api: httpx.Client) -> None:
    control = emulator.control
    control.clear_requests()
    api.get("/deployments")
    api.get(f"/deployments/{'0' * 24}/")
    httpx.get(f"{emulator.api_url}/version/")
    control.now()  # control routes are not logged
    assert control.requests() == [
        {"method": "GET", "path": "/api/v2/deployments", "status": 200},
        {"method": "GET", "path": f"/api/v2/deployments/{'0' * 24}/", "status": 404},
        {"method": "GET", "path": "/api/v2/version/", "status": 401},
    ]
    control.clear_requests()
    assert control.requests() == []


def test_clear_faults_and_reset_disarm(emulator: EmulatorServer, api: httpx.Client) -> None:
    emulator.control.inject_fault("GET", "version", count=5, status=500)
    assert len(emulator.control.faults()) == 1
    emulator.control.clear_faults()
    assert api.get("/version/").status_code == 200
    emulator.control.inject_fault("GET", "version", count=5, status=500)
    emulator.control.reset()
    assert api.get("/version/").status_code == 200
    with pytest.raises(httpx.HTTPStatusError):
        emulator.control.inject_fault("GET", "version")  # a fault that does nothing is refused


def test_reset_waits_for_requests_still_in_flight_so_the_next_test_starts_clean(emulator: EmulatorServer) -> None:
    """A request its client gave up on (a latency fault) must not land in the log after a reset."""
    emulator.control.inject_fault("GET", "version", latency=0.5)
    with pytest.raises(httpx.TimeoutException):
        httpx.get(f"{emulator.api_url}/version/", headers={"Authorization": f"Bearer {emulator.token}"}, timeout=0.1)
    emulator.control.reset("demo")
    time.sleep(0.6)  # long after the slow request would have been logged
    assert emulator.control.requests() == []


def test_commit_delay_commits_a_write_whose_client_already_gave_up(emulator: EmulatorServer) -> None:
    headers = {"Authorization": f"Bearer {emulator.token}"}
    url = f"{emulator.api_url}/deployments/{DEMO_DEPLOYMENT_ID}/retrainingSettings/"
    emulator.control.inject_fault("PATCH", f"deployments/{DEMO_DEPLOYMENT_ID}/retrainingSettings", commit_delay=0.4)
    with pytest.raises(httpx.TimeoutException):
        httpx.patch(url, json={"credentialId": None, "datasetId": "6523f1a0c8b2d4e6f8a0b2d1"}, headers=headers,
                    timeout=0.1)  # fmt: skip
    time.sleep(0.6)
    settings = httpx.get(url, headers=headers).json()
    assert settings["dataset"] is not None and settings["dataset"]["id"] == "6523f1a0c8b2d4e6f8a0b2d1"
