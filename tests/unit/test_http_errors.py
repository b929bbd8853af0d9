"""Status → error class, the server's message in both error-body shapes, and the token kept out of every error."""

from __future__ import annotations

import json
import pickle
from typing import Any

import httpx
import pytest

from datarobot_retraining.errors import (
    AmbiguousRequestError,
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    DataRobotError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseValidationError,
    UnprocessableEntityError,
    status_error_class,
)
from datarobot_retraining.models import RetrainingPolicyCreate
from tests.unit.transport_support import TOKEN, MakeClient, Script, reply


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (422, UnprocessableEntityError),
        (429, RateLimitError),
        (500, InternalServerError),
        (501, InternalServerError),
        (503, InternalServerError),
        (599, InternalServerError),
        (405, APIStatusError),
        (418, APIStatusError),
        (302, APIStatusError),
    ],
)
def test_status_maps_to_error_class(make_client: MakeClient, status: int, error: type[APIStatusError]) -> None:
    assert status_error_class(status) is error
    client = make_client(Script(reply(status, {"message": "Deployment not found."})), max_retries=0)
    with pytest.raises(error) as caught:
        client.deployments.get("d1")
    assert type(caught.value) is error
    assert caught.value.status_code == status
    assert caught.value.server_message == "Deployment not found."
    assert str(caught.value) == f"GET /deployments/d1/ failed with {status}: Deployment not found."


def test_error_tree() -> None:
    assert issubclass(APITimeoutError, APIConnectionError)
    for cls in (APIConnectionError, AmbiguousRequestError, ResponseValidationError, APIStatusError):
        assert issubclass(cls, APIError)
        assert issubclass(cls, DataRobotError)
    assert not issubclass(AmbiguousRequestError, APIConnectionError)  # "safe to repeat" must not catch it


def test_errors_can_be_built_by_hand_and_pickled() -> None:
    error = NotFoundError("GET /x/ failed with 404: gone", method="GET", path="/x/", server_message="gone")
    assert error.status_code == 404
    clone = pickle.loads(pickle.dumps(error))
    assert type(clone) is NotFoundError
    assert (str(clone), clone.method, clone.path, clone.status_code) == (str(error), "GET", "/x/", 404)
    ambiguous = pickle.loads(pickle.dumps(AmbiguousRequestError("m", method="POST", path="/p/", status_code=502)))
    assert (ambiguous.status_code, ambiguous.method) == (502, "POST")


def test_422_emulator_shape_names_the_fields(make_client: MakeClient) -> None:
    body = {
        "message": "Invalid retraining policy.",
        "errors": {"trigger.schedule.minute": "must be between 0 and 59", "name": "too long"},
    }
    client = make_client(Script(reply(422, body)))
    with pytest.raises(UnprocessableEntityError) as caught:
        client.retraining_policies.create("d1", RetrainingPolicyCreate(name="n"))
    error = caught.value
    assert error.errors == {"trigger.schedule.minute": "must be between 0 and 59", "name": "too long"}
    assert error.server_message == "Invalid retraining policy."
    assert error.body == body
    assert str(error) == (
        "POST /deployments/d1/retrainingPolicies/ failed with 422: Invalid retraining policy. "
        "(trigger.schedule.minute: must be between 0 and 59; name: too long)"
    )


def test_message_as_object_shape(make_client: MakeClient) -> None:
    body = {"message": {"name": "This field is required", "trigger": {"type": ["not a valid choice"]}}}
    client = make_client(Script(reply(400, body)))
    with pytest.raises(BadRequestError) as caught:
        client.request("PATCH", "/deployments/d1/retrainingPolicies/p1/", json={})
    error = caught.value
    assert error.errors == {"name": "This field is required", "trigger.type": "not a valid choice"}
    assert error.server_message == "name: This field is required; trigger.type: not a valid choice"
    assert str(error) == (
        "PATCH /deployments/d1/retrainingPolicies/p1/ failed with 400: "
        "name: This field is required; trigger.type: not a valid choice"
    )


def test_html_gateway_page_gives_a_one_line_message(make_client: MakeClient) -> None:
    page = (
        "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n"
        "<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"
    )
    client = make_client(Script(reply(502, text=page, headers={"Content-Type": "text/html"})), max_retries=0)
    with pytest.raises(InternalServerError) as caught:
        client.retraining_settings.get("d1")
    assert str(caught.value) == "GET /deployments/d1/retrainingSettings/ failed with 502: 502 Bad Gateway"
    assert caught.value.body == page
    assert caught.value.errors == {}


@pytest.mark.parametrize(
    ("step", "expected"),
    [
        (reply(500), "GET /deployments/d1/ failed with 500 Internal Server Error"),
        (
            reply(500, text="upstream exploded\nstack trace..."),
            "GET /deployments/d1/ failed with 500: upstream exploded",
        ),
        (reply(404, {"errorName": "NotFound"}), "GET /deployments/d1/ failed with 404: NotFound"),
        (reply(404, ["weird"]), "GET /deployments/d1/ failed with 404: ['weird']"),
        (
            reply(400, {"message": "line one\n   line two  "}),
            "GET /deployments/d1/ failed with 400: line one line two",
        ),
    ],
)
def test_other_error_bodies(make_client: MakeClient, step: Any, expected: str) -> None:
    with pytest.raises(APIStatusError) as caught:
        make_client(Script(step), max_retries=0).deployments.get("d1")
    assert str(caught.value) == expected


def test_path_in_errors_excludes_the_query(make_client: MakeClient) -> None:
    with pytest.raises(NotFoundError) as caught:
        make_client(Script(reply(404, {"message": "no"}))).request("GET", "/deployments/", params={"limit": 5})
    assert caught.value.path == "/deployments/"
    assert "limit" not in str(caught.value)


# -- the token never appears in an error ------------------------------------------------------------------


def echo_everything(status: int) -> Any:
    """A hostile server that echoes the Authorization header into every part of its error answer."""

    def build(request: httpx.Request) -> httpx.Response:
        auth = request.headers["Authorization"]
        assert auth == f"Bearer {TOKEN}"  # the token really was sent, so the scan below means something
        return httpx.Response(
            status,
            json={
                "message": f"bad header {auth}",
                "errors": {f"header {TOKEN}": f"value {auth}", "nested": [TOKEN]},
                "echo": {"headers": {"authorization": auth}},
            },
        )

    return build


def html_echo(request: httpx.Request) -> httpx.Response:
    return httpx.Response(
        502, html=f"<html><title>Bad token {TOKEN}</title><body>{request.headers['Authorization']}</body></html>"
    )


def text_echo(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, text=f"Authorization: {request.headers['Authorization']}")


def capture(make_client: MakeClient, step: Any, call: str) -> APIError:
    client = make_client(Script(step), max_retries=1)
    with pytest.raises(APIError) as caught:
        if call == "get":
            client.retraining_policies.get("d1", "p1")
        elif call == "create":
            client.retraining_policies.create("d1", RetrainingPolicyCreate(name="n"))
        else:
            client.deployments.get("d1")
    return caught.value


def texts_of(error: BaseException) -> list[str]:
    out = [str(error), repr(error), repr(error.args), repr(vars(error))]
    out.append(json.dumps(vars(error), default=repr))
    out.append(repr(pickle.loads(pickle.dumps(error)).__dict__))
    return out


@pytest.mark.parametrize(
    ("step", "call", "error"),
    [
        (echo_everything(400), "get", BadRequestError),
        (echo_everything(401), "get", AuthenticationError),
        (echo_everything(422), "create", UnprocessableEntityError),
        (echo_everything(500), "get", InternalServerError),
        (echo_everything(429), "get", RateLimitError),
        (html_echo, "get", InternalServerError),
        (html_echo, "create", AmbiguousRequestError),
        (text_echo, "get", ResponseValidationError),
        (text_echo, "create", ResponseValidationError),
        (httpx.ConnectError(f"refused, header was Bearer {TOKEN}"), "get", APIConnectionError),
        (httpx.ReadTimeout(f"timed out {TOKEN}"), "create", AmbiguousRequestError),
        (reply(200, {"name": TOKEN}), "get", ResponseValidationError),  # missing id; pydantic would echo input
    ],
)
def test_token_absent_from_every_error(make_client: MakeClient, step: Any, call: str, error: type) -> None:
    caught = capture(make_client, step, call)
    assert type(caught) is error
    for text in texts_of(caught):
        assert TOKEN not in text
    if isinstance(caught, APIStatusError):
        assert "[REDACTED]" in str(caught)


def test_token_absent_from_the_client_repr(make_client: MakeClient) -> None:
    client = make_client(Script(reply(200, {})))
    assert repr(client) == "DataRobotClient(endpoint='https://dr.example.com/api/v2')"
    assert TOKEN not in repr(vars(client))
    assert TOKEN not in repr(vars(client._http))
