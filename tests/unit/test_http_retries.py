"""The retry policy of the request loop: which method retries on what, waits, and the bounds on both."""

from __future__ import annotations

import logging
import random
import socket
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import httpx
import pytest

from datarobot_retraining.client import DataRobotClient
from datarobot_retraining.client._http import parse_retry_after
from datarobot_retraining.errors import (
    AmbiguousRequestError,
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    RateLimitError,
    UnprocessableEntityError,
)
from datarobot_retraining.models import RetrainingPolicyCreate
from tests.unit.transport_support import TOKEN, FakeTime, MakeClient, Script, reply

POLICY = {"id": "p1", "name": "nightly"}

RETRY = "retry"
NOT_SENT_EXCEPTIONS = {
    "ConnectError": httpx.ConnectError("connection refused"),
    "ConnectTimeout": httpx.ConnectTimeout("connect timed out"),
    "PoolTimeout": httpx.PoolTimeout("no free connection"),
}
SENT_EXCEPTIONS = {
    "ReadTimeout": httpx.ReadTimeout("read timed out"),
    "WriteTimeout": httpx.WriteTimeout("write timed out"),
    "ReadError": httpx.ReadError("connection reset by peer"),
    "WriteError": httpx.WriteError("broken pipe"),
    "RemoteProtocolError": httpx.RemoteProtocolError("Server disconnected without sending a response."),
}

# What one failure followed by a success does, per method: RETRY, or the error class raised after one attempt.
IDEMPOTENT_TABLE: dict[int | str, object] = {
    408: RETRY,
    429: RETRY,
    502: RETRY,
    503: RETRY,
    504: RETRY,
    500: InternalServerError,
    400: BadRequestError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    **{name: RETRY for name in NOT_SENT_EXCEPTIONS},
    **{name: RETRY for name in SENT_EXCEPTIONS},
}
POST_TABLE: dict[int | str, object] = {
    408: APIStatusError,
    429: RETRY,
    502: AmbiguousRequestError,
    503: AmbiguousRequestError,
    504: AmbiguousRequestError,
    500: InternalServerError,
    400: BadRequestError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    **{name: RETRY for name in NOT_SENT_EXCEPTIONS},
    **{name: AmbiguousRequestError for name in SENT_EXCEPTIONS},
}
CASES = [
    (method, outcome, expected)
    for method in ("GET", "PATCH", "DELETE")
    for outcome, expected in IDEMPOTENT_TABLE.items()
] + [("POST", outcome, expected) for outcome, expected in POST_TABLE.items()]


def failure(outcome: int | str) -> object:
    if isinstance(outcome, int):
        return reply(outcome, {"message": "nope"})
    return {**NOT_SENT_EXCEPTIONS, **SENT_EXCEPTIONS}[outcome]


@pytest.mark.parametrize(("method", "outcome", "expected"), CASES, ids=[f"{m}-{o}" for m, o, _ in CASES])
def test_retry_table(make_client: MakeClient, method: str, outcome: int | str, expected: object) -> None:
    script = Script(failure(outcome), reply(200, {"ok": True}))  # type: ignore[arg-type]
    client = make_client(script)
    body = {"name": "x"} if method in {"POST", "PATCH"} else None

    if expected is RETRY:
        response = client.request(method, "/things/", json=body)
        assert response.json() == {"ok": True}
        assert script.calls == 2
        # A retry repeats the very same request.
        assert script.requests[0].content == script.requests[1].content
        assert script.requests[0].url == script.requests[1].url
    else:
        assert isinstance(expected, type) and issubclass(expected, APIError)
        with pytest.raises(expected) as caught:
            client.request(method, "/things/", json=body)
        assert type(caught.value) is expected
        assert script.calls == 1
        assert caught.value.method == method
        assert caught.value.path == "/things/"


@pytest.mark.parametrize(
    ("method", "step", "expected"),
    [
        ("GET", reply(503), (InternalServerError, 503)),
        ("GET", reply(429), (RateLimitError, 429)),
        ("DELETE", reply(408), (APIStatusError, 408)),
        ("GET", httpx.ConnectError("refused"), (APIConnectionError, None)),
        ("PATCH", httpx.ReadTimeout("slow"), (APITimeoutError, None)),
        ("GET", httpx.ReadError("reset"), (APIConnectionError, None)),
        # Never reached the server: exhausting retries is a plain connection error, not an ambiguous one.
        ("POST", httpx.ConnectError("refused"), (APIConnectionError, None)),
        ("POST", httpx.PoolTimeout("pool"), (APITimeoutError, None)),
        ("POST", reply(429), (RateLimitError, 429)),
    ],
)
def test_retries_are_bounded_by_max_retries(
    make_client: MakeClient, fake_time: FakeTime, method: str, step: object, expected: tuple[type, int | None]
) -> None:
    error, status = expected
    assert issubclass(error, APIError)
    script = Script(step)  # type: ignore[arg-type]
    client = make_client(script, max_retries=3)
    with pytest.raises(error) as caught:
        client.request(method, "/things/")
    assert type(caught.value) is error
    assert script.calls == 4
    assert len(fake_time.sleeps) == 3
    if status is not None:
        assert isinstance(caught.value, APIStatusError)
        assert caught.value.status_code == status
    else:
        assert "after 4 attempts" in str(caught.value)


def test_max_retries_zero_means_one_attempt(make_client: MakeClient, fake_time: FakeTime) -> None:
    script = Script(reply(503))
    with pytest.raises(InternalServerError):
        make_client(script, max_retries=0).request("GET", "/things/")
    assert script.calls == 1
    assert fake_time.sleeps == []


# -- POST: never repeated once it may have reached the server ----------------------------------------------


@pytest.mark.parametrize(
    ("step", "status"),
    [
        (httpx.ReadTimeout("timed out"), None),
        (httpx.RemoteProtocolError("Server disconnected without sending a response."), None),
        (httpx.ReadError("connection reset by peer"), None),
        (reply(502, text="<html><title>502 Bad Gateway</title></html>"), 502),
        (reply(504), 504),
    ],
    ids=["read-timeout", "remote-protocol", "read-error", "502", "504"],
)
def test_post_after_send_is_ambiguous_and_not_repeated(
    make_client: MakeClient, fake_time: FakeTime, step: object, status: int | None
) -> None:
    script = Script(step, reply(200, POLICY))  # type: ignore[arg-type]
    client = make_client(script)
    with pytest.raises(AmbiguousRequestError) as caught:
        client.retraining_policies.create("dep1", RetrainingPolicyCreate(name="nightly"))
    assert script.calls == 1
    assert fake_time.sleeps == []
    error = caught.value
    assert (error.method, error.path, error.status_code) == ("POST", "/deployments/dep1/retrainingPolicies/", status)
    assert "POST /deployments/dep1/retrainingPolicies/" in str(error)
    assert "not repeated" in str(error)


@pytest.mark.parametrize(
    "step",
    [httpx.ConnectError("refused"), httpx.ConnectTimeout("connect"), reply(429, {"message": "slow down"})],
    ids=["connect-error", "connect-timeout", "429"],
)
def test_post_retried_when_the_server_did_not_act(make_client: MakeClient, step: object) -> None:
    script = Script(step, reply(201, POLICY))  # type: ignore[arg-type]
    policy = make_client(script).retraining_policies.create("dep1", RetrainingPolicyCreate(name="nightly"))
    assert policy.id == "p1"
    assert script.calls == 2
    assert [r.method for r in script.requests] == ["POST", "POST"]
    assert script.requests[0].content == script.requests[1].content == b'{"name":"nightly"}'


def test_post_retried_after_real_connection_refused(fake_time: FakeTime) -> None:
    # A real socket: a port nobody listens on raises httpx.ConnectError, which is safe to repeat even for POST.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = DataRobotClient(f"http://127.0.0.1:{port}/api/v2", TOKEN, max_retries=2, timeout=5)
    client._http._sleep = fake_time.sleep
    client._http._clock = fake_time.clock
    with client, pytest.raises(APIConnectionError) as caught:
        client.retraining_policies.create("dep1", RetrainingPolicyCreate(name="nightly"))
    assert not isinstance(caught.value, AmbiguousRequestError)
    assert len(fake_time.sleeps) == 2
    # The message names the host and port that did not answer, and what to check.
    assert str(caught.value).startswith(
        f"POST /deployments/dep1/retrainingPolicies/ failed after 3 attempts: could not connect to 127.0.0.1:{port} ("
    )
    assert str(caught.value).endswith("); check the endpoint and that the server is up")


# -- waits: Retry-After, backoff, total time ---------------------------------------------------------------

NOW = datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3", 3.0),
        ("  7 ", 7.0),
        ("1.5", 1.5),
        ("0", 0.0),
        (format_datetime(NOW + timedelta(seconds=42), usegmt=True), 42.0),
        ("Thu, 02 Jan 2025 03:04:15 GMT", 10.0),
        (format_datetime(NOW - timedelta(seconds=30), usegmt=True), 0.0),
        ("-5", None),
        ("inf", None),
        ("nan", None),
        ("soon", None),
        ("Thu, 99 Foo 2025", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, now=NOW) == expected


@pytest.mark.parametrize(
    ("header", "expected_wait"),
    [
        ("7", 7.0),
        ("3600", 60.0),  # capped by retry_after_cap
        ("Thu, 02 Jan 2025 03:04:25 GMT", 20.0),
        ("garbage", 0.5),  # unusable: first backoff step
    ],
)
def test_retry_after_is_honoured_and_capped(
    make_client: MakeClient, fake_time: FakeTime, header: str, expected_wait: float
) -> None:
    script = Script(reply(429, headers={"Retry-After": header}), reply(200, {"ok": True}))
    client = make_client(script)
    client._http._now = lambda: NOW
    client.request("GET", "/things/")
    assert fake_time.sleeps == [expected_wait]


def test_retry_after_on_503_and_custom_cap(make_client: MakeClient, fake_time: FakeTime) -> None:
    script = Script(reply(503, headers={"Retry-After": "30"}), reply(200, {}))
    make_client(script, retry_after_cap=5).request("DELETE", "/things/")
    assert fake_time.sleeps == [5.0]


def test_backoff_doubles_up_to_the_maximum(make_client: MakeClient, fake_time: FakeTime) -> None:
    script = Script(reply(503))
    with pytest.raises(InternalServerError):
        make_client(script, max_retries=8, max_retry_time=1000).request("GET", "/things/")
    assert fake_time.sleeps == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0, 8.0]


def test_backoff_has_full_jitter(make_client: MakeClient, fake_time: FakeTime) -> None:
    draws = iter([0.0, 0.25, 0.5, 0.75, 1.0, 0.1, 0.5])
    script = Script(reply(502))
    client = make_client(script, max_retries=6, max_retry_time=1000)
    client._http._random = lambda: next(draws)
    with pytest.raises(InternalServerError):
        client.request("GET", "/things/")
    assert fake_time.sleeps == pytest.approx([0.0, 0.25, 1.0, 3.0, 8.0, 0.8])


def test_real_jitter_stays_within_bounds(make_client: MakeClient, fake_time: FakeTime) -> None:
    client = make_client(Script(reply(503)), max_retries=10, max_retry_time=1000)
    client._http._random = random.random
    with pytest.raises(InternalServerError):
        client.request("GET", "/things/")
    assert len(fake_time.sleeps) == 10
    for attempt, wait in enumerate(fake_time.sleeps):
        assert 0.0 <= wait <= min(8.0, 0.5 * 2**attempt)


def test_total_time_bound_stops_before_sleeping_past_it(make_client: MakeClient, fake_time: FakeTime) -> None:
    script = Script(reply(503))
    start = fake_time.now
    with pytest.raises(InternalServerError):
        make_client(script, max_retries=10, max_retry_time=10).request("GET", "/things/")
    # 0.5 + 1 + 2 + 4 = 7.5; the next wait (8) would end at 15.5 > 10, so the call gives up instead of waiting.
    assert fake_time.sleeps == [0.5, 1.0, 2.0, 4.0]
    assert script.calls == 5
    assert fake_time.now - start <= 10


def test_total_time_counts_the_attempts_themselves(make_client: MakeClient, fake_time: FakeTime) -> None:
    def slow_failure(request: httpx.Request) -> httpx.Response:
        fake_time.now += 25  # each attempt takes 25 s before timing out
        raise httpx.ReadTimeout("timed out", request=request)

    script = Script(slow_failure)
    with pytest.raises(APITimeoutError):
        make_client(script, max_retry_time=60).request("GET", "/things/")
    # t=25 wait 0.5 -> t=50.5 wait 1 -> t=76.5: a 2 s wait would pass 60, stop.
    assert script.calls == 3
    assert fake_time.sleeps == [0.5, 1.0]


def test_retry_after_longer_than_the_time_left_gives_up_at_once(make_client: MakeClient, fake_time: FakeTime) -> None:
    script = Script(reply(429, {"message": "quota"}, headers={"Retry-After": "30"}))
    with pytest.raises(RateLimitError) as caught:
        make_client(script, max_retry_time=10).request("GET", "/things/")
    assert script.calls == 1
    assert fake_time.sleeps == []
    assert caught.value.server_message == "quota"


def test_retries_are_logged_at_debug_without_the_token(
    make_client: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    script = Script(httpx.ConnectError(f"refused for Bearer {TOKEN}"), reply(503), reply(200, {}))
    with caplog.at_level(logging.DEBUG, logger="datarobot_retraining"):
        make_client(script).request("GET", "/deployments/d1/")
    messages = [record.getMessage() for record in caplog.records if record.name == "datarobot_retraining"]
    assert len(messages) == 2
    assert all(record.levelno == logging.DEBUG for record in caplog.records)
    assert "GET /deployments/d1/: ConnectError" in messages[0]
    assert "retry 1 of 4" in messages[0]
    assert "503 Service Unavailable; retry 2 of 4" in messages[1]
    assert not any(TOKEN in message for message in messages)
