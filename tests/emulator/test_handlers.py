"""The handlers alone: called with a bare request and real services over an in-memory store (no server, no routes).

Every call runs on an event loop, so each test also proves its handler keeps SQLite off the loop: the store refuses
a transaction there.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from functools import partial
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from starlette.requests import Request
from starlette.responses import Response

from datarobot_emulator import api_handlers as api
from datarobot_emulator import control_handlers as control
from datarobot_emulator.app import API_ROUTES, CONTROL_ROUTES, answer_api, answer_control, create_app
from datarobot_emulator.backend import Backend
from datarobot_emulator.errors import BadRequestError, NotFoundError, UnprocessableError
from datarobot_emulator.faults import FaultInjector
from datarobot_emulator.seed import DEMO_DATASET_ID, DEMO_DEPLOYMENT_ID, DEMO_USER_ID
from datarobot_emulator.store import Store
from datarobot_emulator.wire import Handler, Services

HOST = "emulator.test"


@pytest.fixture
def services() -> Iterator[Services]:
    store = Store()
    backend = Backend(store, step_seconds=0, seed="demo")  # zero-length steps: a run finishes when it starts
    try:
        yield Services(backend.rules, backend.control_plane, FaultInjector())
    finally:
        store.close()


def _request(
    method: str, path: str, params: dict[str, str] | None = None, *, query: str = "", body: Any = None
) -> Request:
    raw = b"" if body is None else body if isinstance(body, bytes) else json.dumps(body).encode()
    scope = {
        "type": "http",
        "method": method,
        "scheme": "http",
        "server": (HOST, 80),
        "root_path": "",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "headers": [(b"host", HOST.encode())],
        "path_params": params or {},
    }
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": raw, "more_body": False}

    return Request(scope, receive)


def _call(handler: Handler, services: Services, request: Request) -> Response:
    # A loop of its own rather than asyncio.run, which would leave this thread without a current event loop.
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(handler(request, services))
    finally:
        loop.close()


def _json(response: Response) -> Any:
    return json.loads(bytes(response.body))


def _configured(services: Services) -> None:
    body = {"datasetId": DEMO_DATASET_ID, "retrainingUserId": DEMO_USER_ID}
    _call(
        api.patch_retraining_settings,
        services,
        _request("PATCH", "/", {"deployment_id": DEMO_DEPLOYMENT_ID}, body=body),
    )


def _policy_params(policy_id: str) -> dict[str, str]:
    return {"deployment_id": DEMO_DEPLOYMENT_ID, "policy_id": policy_id}


# -- the real API --
def test_list_deployments_pages_and_searches_with_links_on_the_request_host(services: Services) -> None:
    path = "/api/v2/deployments/"
    page = _json(_call(api.list_deployments, services, _request("GET", path, query="offset=1&limit=1")))
    assert (page["count"], page["totalCount"]) == (1, 3)
    for link, offset in ((page["next"], "2"), (page["previous"], "0")):
        parts = urlsplit(link)
        assert (parts.scheme, parts.netloc, parts.path) == ("http", HOST, path)
        assert parse_qs(parts.query) == {"offset": [offset], "limit": ["1"]}
    found = _json(_call(api.list_deployments, services, _request("GET", path, query="search=CHURN")))
    assert [d["id"] for d in found["data"]] == [DEMO_DEPLOYMENT_ID]
    assert found["next"] is found["previous"] is None


def test_a_bad_page_parameter_is_refused_before_any_rule_runs(services: Services) -> None:
    with pytest.raises(UnprocessableError) as refused:
        _call(api.list_deployments, services, _request("GET", "/", query="limit=0&offset=x"))
    assert refused.value.errors == {"offset": "must be an integer (got 'x')", "limit": "must be between 1 and 1000"}


def test_deployment_settings_patch_answers_202_with_a_status_url_that_answers_303(services: Services) -> None:
    params = {"deployment_id": DEMO_DEPLOYMENT_ID}
    body = {"challengerModels": {"enabled": False}}
    accepted = _call(api.patch_deployment_settings, services, _request("PATCH", "/", params, body=body))
    assert accepted.status_code == 202
    location = urlsplit(accepted.headers["location"])
    assert (location.netloc, location.path.rsplit("/", 2)[0]) == (HOST, "/api/v2/status")
    job_id = location.path.rstrip("/").rsplit("/", 1)[1]
    status = _call(api.get_status, services, _request("GET", "/", {"job_id": job_id}))
    assert status.status_code == 303
    assert _json(status) == {"id": job_id, "status": "COMPLETED"}
    assert status.headers["location"] == f"http://{HOST}/api/v2/deployments/{DEMO_DEPLOYMENT_ID}/settings/"
    settings = _json(_call(api.get_deployment_settings, services, _request("GET", "/", params)))
    assert settings["challengerModels"]["enabled"] is False


def test_policy_create_read_patch_delete(services: Services) -> None:
    _configured(services)
    params = {"deployment_id": DEMO_DEPLOYMENT_ID}
    created = _json(_call(api.create_policy, services, _request("POST", "/", params, body={"name": "one"})))
    one = _policy_params(created["id"])
    assert _json(_call(api.get_policy, services, _request("GET", "/", one))) == created
    patched = _call(api.patch_policy, services, _request("PATCH", "/", one, body={"name": "two"}))
    assert _json(patched)["name"] == "two"
    listed = _json(_call(api.list_policies, services, _request("GET", "/", params)))
    assert [p["name"] for p in listed["data"]] == ["two"]
    deleted = _call(api.delete_policy, services, _request("DELETE", "/", one))
    assert (deleted.status_code, bytes(deleted.body)) == (204, b"")
    with pytest.raises(NotFoundError) as gone:
        _call(api.get_policy, services, _request("GET", "/", one))
    assert gone.value.message == "Deployment or retraining policy not found."


def test_a_run_start_with_a_malformed_body_is_a_400_and_starts_nothing(services: Services) -> None:
    _configured(services)
    params = {"deployment_id": DEMO_DEPLOYMENT_ID}
    policy = _json(_call(api.create_policy, services, _request("POST", "/", params, body={"name": "p"})))
    one = _policy_params(policy["id"])
    with pytest.raises(BadRequestError):
        _call(api.start_run, services, _request("POST", "/", one, body=b"{not json"))
    assert _json(_call(api.list_runs, services, _request("GET", "/", one)))["totalCount"] == 0
    run = _json(_call(api.start_run, services, _request("POST", "/", one)))
    assert run["status"] == "succeeded"
    fetched = _call(api.get_run, services, _request("GET", "/", {**one, "run_id": run["id"]}))
    assert _json(fetched) == run
    with pytest.raises(UnprocessableError, match="the only change a run accepts"):
        _call(api.patch_run, services, _request("PATCH", "/", {**one, "run_id": run["id"]}, body={"status": "x"}))


def test_read_only_objects_take_their_kind_from_the_route_table(services: Services) -> None:
    datasets = _json(_call(partial(api.list_objects, "dataset"), services, _request("GET", "/")))
    assert DEMO_DATASET_ID in [d["datasetId"] for d in datasets["data"]]
    one = _call(partial(api.get_object, "dataset"), services, _request("GET", "/", {"obj_id": DEMO_DATASET_ID}))
    assert _json(one)["datasetId"] == DEMO_DATASET_ID
    with pytest.raises(NotFoundError) as missing:
        _call(partial(api.get_object, "user"), services, _request("GET", "/", {"obj_id": DEMO_DATASET_ID}))
    assert missing.value.message == "User not found."


# -- the control routes --
def test_reset_checks_its_fields_by_name_then_reseeds_and_clears_faults(services: Services) -> None:
    with pytest.raises(UnprocessableError) as refused:
        _call(control.reset, services, _request("POST", "/", body={"seed": "nope", "deployments": -1}))
    assert set(refused.value.errors) == {"seed", "deployments"}
    fault = {"pathPattern": "deployments/*", "status": 503}
    assert _call(control.add_fault, services, _request("POST", "/", body=fault)).status_code == 200
    assert _call(control.reset, services, _request("POST", "/", body={"seed": "empty"})).status_code == 200
    assert _json(_call(control.list_faults, services, _request("GET", "/"))) == {"faults": []}
    assert _json(_call(api.list_deployments, services, _request("GET", "/")))["totalCount"] == 0


def test_set_health_answers_the_runs_it_started_and_the_clock(services: Services) -> None:
    _configured(services)
    trigger = {"type": "accuracy_decline", "statusDeclinesToWarning": True}
    params = {"deployment_id": DEMO_DEPLOYMENT_ID}
    _call(api.create_policy, services, _request("POST", "/", params, body={"name": "d", "trigger": trigger}))
    body = {"kind": "accuracy", "status": "warning"}
    answer = _json(_call(control.set_health, services, _request("POST", "/", params, body=body)))
    assert len(answer["startedRunIds"]) == 1
    assert {"now", "epoch", "frozen"} <= set(answer)
    with pytest.raises(UnprocessableError, match="kind: must be one of"):
        _call(control.set_health, services, _request("POST", "/", params, body={"kind": "x", "status": "warning"}))


def test_a_fault_without_an_effect_is_refused_naming_status(services: Services) -> None:
    with pytest.raises(UnprocessableError) as refused:
        _call(control.add_fault, services, _request("POST", "/", body={"pathPattern": "deployments/"}))
    assert list(refused.value.errors) == ["status"]


def test_clock_and_step_length(services: Services) -> None:
    frozen = _json(_call(control.set_clock, services, _request("POST", "/", body={"frozen": True})))
    advanced = _json(_call(control.advance_clock, services, _request("POST", "/", body={"seconds": 60})))
    assert advanced["epoch"] == pytest.approx(frozen["epoch"] + 60)
    assert _json(_call(control.get_clock, services, _request("GET", "/")))["frozen"] is True
    stepped = _call(control.set_step_seconds, services, _request("POST", "/", body={"seconds": 1.5}))
    assert _json(stepped) == {"seconds": 1.5}


# -- around the handlers: the token check, control errors, the route table --
def test_the_api_answers_401_without_the_token_and_a_refusal_as_its_json(services: Services) -> None:
    accepted = frozenset({"bearer t"})
    missing = _call(partial(answer_api, accepted, api.get_deployment), services, _request("GET", "/"))
    assert (missing.status_code, _json(missing)) == (401, {"message": "Invalid or missing API token."})
    request = _request("GET", "/", {"deployment_id": "0" * 24})
    request.scope["headers"].append((b"authorization", b"Bearer t"))
    refused = _call(partial(answer_api, accepted, api.get_deployment), services, request)
    assert (refused.status_code, _json(refused)) == (404, {"message": "Deployment not found."})


def test_a_control_body_that_trips_a_handler_is_a_422_not_a_500(services: Services) -> None:
    # A list where an object is expected: the handler's body.get() raises AttributeError.
    answer = _call(partial(answer_control, control.set_challengers), services, _request("POST", "/", body=[1]))
    assert answer.status_code == 422
    assert _json(answer)["message"].startswith("Bad control request:")


def test_every_route_in_the_table_is_served_with_and_without_its_trailing_slash(services: Services) -> None:
    store = Store()
    try:
        app: Any = create_app(Backend(store, seed="empty"), "t")
        served = {(route.path, frozenset(route.methods)) for route in app.app.routes}
    finally:
        store.close()
    expected = set()
    for prefix, table in (("/api/v2", API_ROUTES), ("/_emulator", CONTROL_ROUTES)):
        for endpoint in table:
            methods = set(endpoint.handlers) | ({"HEAD"} if "GET" in endpoint.handlers else set())
            expected |= {(f"{prefix}{form}", frozenset(methods)) for form in (endpoint.path, f"{endpoint.path}/")}
    assert served == expected
    assert len(API_ROUTES) == 21 and len(CONTROL_ROUTES) == 14  # the variants route included
