"""Each API group method: the request it sends, the answers it accepts, and what it makes of them."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from datarobot_retraining.errors import ConflictError, NotFoundError, ResponseValidationError
from datarobot_retraining.models import (
    RetrainingPolicyCreate,
    RetrainingPolicyUpdate,
    RetrainingSettingsUpdate,
    Trigger,
)
from tests.unit.transport_support import MakeClient, Script, reply

POLICY = {"id": "p1", "name": "nightly", "trigger": {"type": None}}
RUN = {"id": "r1", "status": "scheduled", "startTime": None}
POLICIES = "/api/v2/deployments/d1/retrainingPolicies/"


def sent(script: Script, index: int = 0) -> tuple[str, str, Any]:
    request = script.requests[index]
    body = json.loads(request.content) if request.content else None
    return request.method, request.url.raw_path.decode(), body


def test_settings_get(make_client: MakeClient) -> None:
    script = Script(reply(200, {"dataset": {"id": "ds1", "name": "train"}, "retrainingUser": None}))
    settings = make_client(script).retraining_settings.get("d1")
    assert sent(script) == ("GET", "/api/v2/deployments/d1/retrainingSettings/", None)
    assert settings.dataset is not None and settings.dataset.id == "ds1"


@pytest.mark.parametrize("answer", [reply(204), reply(200, {"dataset": None})])
def test_settings_update(make_client: MakeClient, answer: Any) -> None:
    script = Script(answer)
    make_client(script).retraining_settings.update(
        "d1", RetrainingSettingsUpdate(dataset_id="ds1", retraining_user_id=None)
    )
    assert sent(script) == (
        "PATCH",
        "/api/v2/deployments/d1/retrainingSettings/",
        {"datasetId": "ds1", "retrainingUserId": None},
    )
    assert script.requests[0].headers["Content-Type"] == "application/json"


def test_policy_get(make_client: MakeClient) -> None:
    script = Script(reply(200, POLICY))
    assert make_client(script).retraining_policies.get("d1", "p1").name == "nightly"
    assert sent(script) == ("GET", f"{POLICIES}p1/", None)


@pytest.mark.parametrize("status", [200, 201])
def test_policy_create(make_client: MakeClient, status: int) -> None:
    script = Script(reply(status, POLICY))
    policy = make_client(script).retraining_policies.create(
        "d1", RetrainingPolicyCreate(name="nightly", description=None, trigger=Trigger(type=None))
    )
    assert policy.id == "p1"
    assert sent(script) == ("POST", POLICIES, {"name": "nightly", "description": None, "trigger": {"type": None}})


def test_policy_update(make_client: MakeClient) -> None:
    script = Script(reply(200, {**POLICY, "name": "renamed"}))
    policy = make_client(script).retraining_policies.update("d1", "p1", RetrainingPolicyUpdate(name="renamed"))
    assert policy.name == "renamed"
    assert sent(script) == ("PATCH", f"{POLICIES}p1/", {"name": "renamed"})


@pytest.mark.parametrize("answer", [reply(204), reply(200, {}), reply(202)])
def test_policy_delete(make_client: MakeClient, answer: Any) -> None:
    script = Script(answer)
    make_client(script).retraining_policies.delete("d1", "p1")
    assert sent(script) == ("DELETE", f"{POLICIES}p1/", None)


def test_policy_delete_of_a_missing_policy_is_not_found(make_client: MakeClient) -> None:
    script = Script(reply(404, {"message": "Deployment or retraining policy not found."}))
    with pytest.raises(NotFoundError, match="DELETE /deployments/d1/retrainingPolicies/p1/ failed with 404"):
        make_client(script).retraining_policies.delete("d1", "p1")


def test_runs_get(make_client: MakeClient) -> None:
    script = Script(reply(200, {**RUN, "status": "running"}))
    assert make_client(script).retraining_policy_runs.get("d1", "p1", "r1").status == "running"
    assert sent(script) == ("GET", f"{POLICIES}p1/runs/r1/", None)


@pytest.mark.parametrize("status", [200, 201, 202])
def test_run_start_returns_the_run_in_the_answer(make_client: MakeClient, status: int) -> None:
    script = Script(reply(status, RUN))
    run = make_client(script).retraining_policy_runs.start("d1", "p1")
    assert run.id == "r1"
    assert script.calls == 1
    method, path, body = sent(script)
    assert (method, path, body) == ("POST", f"{POLICIES}p1/runs/", None)
    assert script.requests[0].content == b""


@pytest.mark.parametrize("empty", [reply(200, text=""), reply(204), reply(202, text="null"), reply(200, text=" \n")])
def test_run_start_with_an_empty_answer_reads_the_policy_latest_run(make_client: MakeClient, empty: Any) -> None:
    script = Script(empty, reply(200, {**POLICY, "latestRun": {"id": "r9", "status": "scheduled"}}))
    run = make_client(script).retraining_policy_runs.start("d1", "p1")
    assert run.id == "r9"
    assert [sent(script, i)[:2] for i in range(2)] == [("POST", f"{POLICIES}p1/runs/"), ("GET", f"{POLICIES}p1/")]


def test_run_start_with_an_empty_answer_falls_back_to_the_newest_listed_run(make_client: MakeClient) -> None:
    runs = [
        {"id": "old", "status": "succeeded", "startTime": "2025-01-01T00:00:00Z"},
        {"id": "new", "status": "scheduled", "startTime": None},
        {"id": "mid", "status": "running", "startTime": "2025-02-01T00:00:00+00:00"},
    ]
    script = Script(reply(200), reply(200, {**POLICY, "latestRun": None}), reply(200, {"data": runs, "next": None}))
    assert make_client(script).retraining_policy_runs.start("d1", "p1").id == "new"
    assert sent(script, 2)[:2] == ("GET", f"{POLICIES}p1/runs/")


def test_newest_listed_run_by_start_time_when_all_started(make_client: MakeClient) -> None:
    runs = [
        {"id": "b", "status": "running", "startTime": "2025-02-01T00:00:00"},  # naive: read as UTC
        {"id": "a", "status": "running", "startTime": "2025-01-01T00:00:00Z"},
    ]
    script = Script(reply(204), reply(200, {**POLICY}), reply(200, {"data": runs}))
    assert make_client(script).retraining_policy_runs.start("d1", "p1").id == "b"


def test_run_start_empty_answer_and_no_runs_is_an_error(make_client: MakeClient) -> None:
    script = Script(reply(204), reply(200, POLICY), reply(200, {"data": []}))
    with pytest.raises(ResponseValidationError) as caught:
        make_client(script).retraining_policy_runs.start("d1", "p1")
    assert caught.value.method == "POST"
    assert caught.value.path == "/deployments/d1/retrainingPolicies/p1/runs/"
    assert "empty body" in str(caught.value)


@pytest.mark.parametrize(
    "lookups",
    [
        (reply(200, {**POLICY, "latestRun": {"id": "theirs", "status": "running"}}),),
        (reply(200, {**POLICY, "latestRun": None}), reply(200, {"data": [{"id": "theirs", "status": "running"}]})),
    ],
)
def test_run_start_empty_answer_never_returns_the_run_newest_before_it(
    make_client: MakeClient, lookups: tuple[Any, ...]
) -> None:
    # An empty answer, and the newest run is still the one that was newest before the POST: it is not ours.
    script = Script(reply(204), *lookups)
    with pytest.raises(ResponseValidationError) as caught:
        make_client(script).retraining_policy_runs.start("d1", "p1", newest_before="theirs")
    assert "no run started since" in str(caught.value)


def test_newest_run_id_is_the_latest_run_else_the_newest_listed_else_none(make_client: MakeClient) -> None:
    script = Script(
        reply(200, {**POLICY, "latestRun": {"id": "r9", "status": "running"}}),
        reply(200, {**POLICY, "latestRun": None}),
        reply(200, {"data": [{"id": "r1", "status": "succeeded", "startTime": "2025-01-01T00:00:00Z"}]}),
        reply(200, {**POLICY, "latestRun": None}),
        reply(200, {"data": []}),
    )
    runs = make_client(script).retraining_policy_runs
    assert [runs.newest_run_id("d1", "p1") for _ in range(3)] == ["r9", "r1", None]


def test_run_cancel(make_client: MakeClient) -> None:
    script = Script(reply(200, {**RUN, "status": "cancelled"}))
    run = make_client(script).retraining_policy_runs.cancel("d1", "p1", "r1")
    assert run.status == "cancelled"
    assert sent(script) == ("PATCH", f"{POLICIES}p1/runs/r1/", {"status": "cancelled"})


def test_cancelling_an_already_cancelled_run_succeeds(make_client: MakeClient) -> None:
    script = Script(reply(409, {"message": "Run already cancelled."}), reply(200, {**RUN, "status": "cancelled"}))
    run = make_client(script).retraining_policy_runs.cancel("d1", "p1", "r1")
    assert run.status == "cancelled"
    assert sent(script, 1) == ("GET", f"{POLICIES}p1/runs/r1/", None)


def test_a_retried_cancel_whose_first_attempt_landed_succeeds(make_client: MakeClient) -> None:
    script = Script(
        httpx.ReadTimeout("timed out"),
        reply(409, {"message": "Run cannot be cancelled."}),
        reply(200, {**RUN, "status": "cancelled"}),
    )
    assert make_client(script).retraining_policy_runs.cancel("d1", "p1", "r1").status == "cancelled"
    assert [r.method for r in script.requests] == ["PATCH", "PATCH", "GET"]


def test_cancelling_a_finished_run_is_a_conflict(make_client: MakeClient) -> None:
    script = Script(reply(409, {"message": "Run cannot be cancelled."}), reply(200, {**RUN, "status": "succeeded"}))
    with pytest.raises(ConflictError) as caught:
        make_client(script).retraining_policy_runs.cancel("d1", "p1", "r1")
    assert caught.value.server_message == "Run cannot be cancelled."


def test_deployments_get(make_client: MakeClient) -> None:
    script = Script(reply(200, {"id": "d1", "label": "Churn", "status": "active"}))
    deployment = make_client(script).deployments.get("d1")
    assert (deployment.id, deployment.label, deployment.status) == ("d1", "Churn", "active")
    assert sent(script) == ("GET", "/api/v2/deployments/d1/", None)


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (
            reply(200, text="<html><body>Sign in</body></html>", headers={"Content-Type": "text/html"}),
            "a body that is not JSON (text/html)",
        ),
        (reply(200, text="{truncated"), "a body that is not JSON (text/plain)"),
        (reply(200, {"name": "no id"}), "an unexpected body (id: Field required)"),
        (reply(200, []), "an unexpected body (body: Input should be an object"),
        (reply(200, {"id": "p1", "name": "n", "trigger": "daily"}), "trigger: Input should be an object"),
        (reply(204), "an empty body where JSON was expected"),
    ],
)
def test_unusable_2xx_bodies_raise_one_line_errors(make_client: MakeClient, answer: Any, fragment: str) -> None:
    with pytest.raises(ResponseValidationError) as caught:
        make_client(Script(answer)).retraining_policies.get("d1", "p1")
    message = str(caught.value)
    assert message.startswith("GET /deployments/d1/retrainingPolicies/p1/ answered ")
    assert fragment in message
    assert "\n" not in message
    assert "pydantic" not in message
    # No pydantic traceback chained on: the one line is the whole story.
    assert caught.value.__cause__ is None
    assert caught.value.__context__ is None or caught.value.__suppress_context__
