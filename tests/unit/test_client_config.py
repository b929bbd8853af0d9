"""Client construction: configuration precedence, validation, headers, paths, and releasing connections."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from datarobot_retraining.client import DEFAULT_ENDPOINT, DataRobotClient
from datarobot_retraining.client._http import api_path
from datarobot_retraining.errors import ConfigurationError, InternalServerError
from tests.unit.transport_support import ENDPOINT, TOKEN, MakeClient, Script, reply


def test_explicit_arguments_win_over_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATAROBOT_ENDPOINT", "https://env.example.com/api/v2")
    monkeypatch.setenv("DATAROBOT_API_TOKEN", "env-token")
    script = Script(reply(200, {"id": "d1"}))
    with DataRobotClient(
        "https://explicit.example.com/api/v2", "explicit-token", transport=httpx.MockTransport(script)
    ) as client:
        assert client.endpoint == "https://explicit.example.com/api/v2"
        client.deployments.get("d1")
    assert str(script.requests[0].url) == "https://explicit.example.com/api/v2/deployments/d1/"
    assert script.requests[0].headers["Authorization"] == "Bearer explicit-token"


def test_environment_used_when_no_arguments(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATAROBOT_ENDPOINT", "https://env.example.com/api/v2/")
    monkeypatch.setenv("DATAROBOT_API_TOKEN", " env-token\n")
    script = Script(reply(200, {"id": "d1"}))
    with DataRobotClient(transport=httpx.MockTransport(script)) as client:
        assert client.endpoint == "https://env.example.com/api/v2"
        client.deployments.get("d1")
    assert script.requests[0].headers["Authorization"] == "Bearer env-token"


def test_default_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATAROBOT_ENDPOINT", "   ")  # blank counts as unset
    with DataRobotClient(token="t") as client:
        assert client.endpoint == DEFAULT_ENDPOINT == "https://app.datarobot.com/api/v2"


@pytest.mark.parametrize("endpoint", ["https://h.example.com/api/v2/", "https://h.example.com/api/v2///"])
def test_trailing_slashes_are_normalized(endpoint: str) -> None:
    script = Script(reply(200, {"id": "d1"}))
    with DataRobotClient(endpoint, "t", transport=httpx.MockTransport(script)) as client:
        assert client.endpoint == "https://h.example.com/api/v2"
        client.deployments.get("d1")
    assert script.requests[0].url.raw_path == b"/api/v2/deployments/d1/"


@pytest.mark.parametrize("token", [None, "", "   "])
def test_missing_token_fails_before_any_request(token: str | None) -> None:
    script = Script(reply(200, {}))
    with pytest.raises(ConfigurationError) as caught:
        DataRobotClient(ENDPOINT, token, transport=httpx.MockTransport(script))
    assert "DATAROBOT_API_TOKEN" in str(caught.value)
    assert "token=" in str(caught.value)
    assert script.calls == 0


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"endpoint": "ftp://h.example.com/api/v2"}, "http(s) URL"),
        ({"endpoint": "app.datarobot.com/api/v2"}, "http(s) URL"),
        ({"endpoint": "https://user:pw@h.example.com/api/v2"}, "without credentials"),
        ({"endpoint": "https://h.example.com/api/v2?x=1"}, "without credentials, query"),
        ({"timeout": 0}, "timeout"),
        ({"max_retries": -1}, "must not be negative"),
        ({"max_retry_time": -1}, "must not be negative"),
        ({"http_client": httpx.Client(), "transport": httpx.MockTransport(reply())}, "either http_client"),
    ],
)
def test_invalid_configuration(kwargs: dict[str, object], fragment: str) -> None:
    kwargs = {"token": "t", **kwargs}
    with pytest.raises(ConfigurationError) as caught:
        DataRobotClient(**kwargs)  # type: ignore[arg-type]
    assert fragment in str(caught.value)
    assert "pw" not in str(caught.value)


def test_headers(make_client: MakeClient) -> None:
    script = Script(reply(200, {"id": "d1"}))
    make_client(script).deployments.get("d1")
    headers = script.requests[0].headers
    assert headers["Authorization"] == f"Bearer {TOKEN}"
    assert headers["Accept"] == "application/json"
    assert headers["User-Agent"].startswith("pulumi-datarobot-retraining/")
    assert headers["User-Agent"] != "pulumi-datarobot-retraining/"


def test_ids_are_quoted_and_paths_end_with_a_slash(make_client: MakeClient) -> None:
    script = Script(reply(200, {"id": "r1", "status": "running"}))
    make_client(script).retraining_policy_runs.get("dep 1", "a/b?c#d", "r%1")
    assert script.requests[0].url.raw_path == (
        b"/api/v2/deployments/dep%201/retrainingPolicies/a%2Fb%3Fc%23d/runs/r%251/"
    )


@pytest.mark.parametrize("bad", ["", " ", ".", ".."])
def test_empty_or_dot_ids_are_refused_before_sending(make_client: MakeClient, bad: str) -> None:
    script = Script(reply(200, {}))
    with pytest.raises(ValueError, match="ids must be non-empty"):
        make_client(script).retraining_policies.get("d1", bad)
    assert script.calls == 0
    assert api_path("deployments", "x") == "/deployments/x/"


def test_escape_hatch_adds_the_trailing_slash_and_keeps_the_query(make_client: MakeClient) -> None:
    script = Script(reply(200, {"versionString": "2.49.0"}))
    response = make_client(script).request("get", "version?x=1")
    assert response.json()["versionString"] == "2.49.0"
    assert str(script.requests[0].url) == f"{ENDPOINT}/version/?x=1"
    assert script.requests[0].method == "GET"


def test_escape_hatch_refuses_another_origin(make_client: MakeClient) -> None:
    script = Script(reply(200, {}))
    with pytest.raises(ValueError, match="refusing to send the API token"):
        make_client(script).request("GET", "https://evil.example.com/api/v2/deployments/")
    assert script.calls == 0


# -- connections ------------------------------------------------------------------------------------------


class TrackedStream(httpx.SyncByteStream):
    """A response body that records whether the client closed it (an unclosed body holds its connection)."""

    def __init__(self, content: bytes, registry: list[TrackedStream]) -> None:
        self.content = content
        self.closed = False
        registry.append(self)

    def __iter__(self) -> Iterator[bytes]:
        yield self.content

    def close(self) -> None:
        self.closed = True


def test_every_response_is_closed_including_retried_and_failed_ones(make_client: MakeClient) -> None:
    streams: list[TrackedStream] = []
    statuses = iter([503, 429, 200, 503, 503, 503, 503, 503])

    def handler(request: httpx.Request) -> httpx.Response:
        status = next(statuses)
        return httpx.Response(status, stream=TrackedStream(b'{"id": "d1"}', streams))

    client = make_client(handler, max_retries=4)
    client.deployments.get("d1")
    with pytest.raises(InternalServerError):
        client.deployments.get("d1")
    assert len(streams) == 8
    assert all(stream.closed for stream in streams)


def test_close_and_context_manager_release_the_pool() -> None:
    client = DataRobotClient(ENDPOINT, TOKEN, transport=httpx.MockTransport(reply(200, {})))
    assert not client._http.is_closed
    client.close()
    assert client._http.is_closed
    client.close()  # idempotent

    with DataRobotClient(ENDPOINT, TOKEN, transport=httpx.MockTransport(reply(200, {}))) as managed:
        assert not managed._http.is_closed
    assert managed._http.is_closed


def test_an_injected_http_client_is_used_and_left_open() -> None:
    script = Script(reply(200, {"id": "d1"}))
    with httpx.Client(transport=httpx.MockTransport(script), headers={"X-Trace": "abc"}) as http_client:
        with DataRobotClient(ENDPOINT, TOKEN, http_client=http_client, timeout=7) as client:
            client.deployments.get("d1")
        assert not http_client.is_closed
        request = script.requests[0]
        assert request.headers["Authorization"] == f"Bearer {TOKEN}"
        assert request.headers["X-Trace"] == "abc"
        # Timeouts are always on, also through someone else's client.
        assert request.extensions["timeout"] == httpx.Timeout(7).as_dict()


def test_one_client_serves_many_threads(make_client: MakeClient) -> None:
    lock = threading.Lock()
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        deployment_id = request.url.path.split("/")[-2]
        with lock:
            seen.append(deployment_id)
        return httpx.Response(200, json={"id": deployment_id})

    client = make_client(handler)
    ids = [f"d{i}" for i in range(200)]
    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(lambda d: client.deployments.get(d).id, ids))
    assert results == ids
    assert sorted(seen) == sorted(ids)
