"""List endpoints: lazy iteration following `next`, on the endpoint even when a link names another origin."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from datarobot_retraining.errors import ResponseValidationError
from tests.unit.transport_support import ENDPOINT, MakeClient, Script, reply


def page(items: list[dict[str, Any]], next_url: str | None, total: int = 5) -> dict[str, Any]:
    return {"count": len(items), "data": items, "next": next_url, "previous": None, "totalCount": total}


def policies(*ids: str) -> list[dict[str, Any]]:
    return [{"id": policy_id, "name": f"policy {policy_id}"} for policy_id in ids]


BASE = f"{ENDPOINT}/deployments/d1/retrainingPolicies/"


def test_follows_next_across_pages(make_client: MakeClient) -> None:
    script = Script(
        reply(200, page(policies("p1", "p2"), f"{BASE}?offset=2&limit=2")),
        reply(200, page(policies("p3", "p4"), f"{BASE}?offset=4&limit=2")),
        reply(200, page(policies("p5"), None)),
    )
    found = [policy.id for policy in make_client(script).retraining_policies.list("d1")]
    assert found == ["p1", "p2", "p3", "p4", "p5"]
    assert [str(r.url) for r in script.requests] == [
        BASE,
        f"{BASE}?offset=2&limit=2",
        f"{BASE}?offset=4&limit=2",
    ]
    assert all(r.headers["Authorization"].startswith("Bearer ") for r in script.requests)


def test_iteration_is_lazy(make_client: MakeClient) -> None:
    script = Script(
        reply(200, page(policies("p1", "p2"), f"{BASE}?offset=2")),
        reply(200, page(policies("p3"), None)),
    )
    iterator = make_client(script).retraining_policies.list("d1")
    assert script.calls == 0
    assert next(iterator).id == "p1"
    assert next(iterator).id == "p2"
    assert script.calls == 1
    assert next(iterator).id == "p3"
    assert script.calls == 2
    assert list(iterator) == []


def test_empty_list_and_missing_next(make_client: MakeClient) -> None:
    script = Script(reply(200, {"data": []}))
    assert list(make_client(script).deployments.list()) == []
    assert script.requests[0].url.raw_path == b"/api/v2/deployments/"


def test_relative_next_is_resolved_on_the_endpoint(make_client: MakeClient) -> None:
    script = Script(
        reply(200, page(policies("p1"), "/api/v2/deployments/d1/retrainingPolicies/?offset=1")),
        reply(200, page(policies("p2"), None)),
    )
    assert [p.id for p in make_client(script).retraining_policies.list("d1")] == ["p1", "p2"]
    assert str(script.requests[1].url) == f"{BASE}?offset=1"


@pytest.mark.parametrize(
    "foreign",
    [
        "https://evil.example.com/api/v2/deployments/d1/retrainingPolicies/?offset=2&limit=2",
        "http://dr.example.com/api/v2/deployments/d1/retrainingPolicies/?offset=2&limit=2",  # downgrade to HTTP
        "https://dr.example.com:8443/api/v2/deployments/d1/retrainingPolicies/?offset=2&limit=2",
        "http://10.0.0.7:8080/internal/prefix/deployments/d1/retrainingPolicies/?offset=2&limit=2",  # path rewritten
        "//evil.example.com/api/v2/x/?offset=2&limit=2",
    ],
)
def test_a_next_on_another_origin_is_followed_on_the_endpoint(make_client: MakeClient, foreign: str) -> None:
    # A proxy that rewrites the host hands out its upstream's links: the same list is read on our endpoint with the
    # link's query, and the foreign origin never receives a request (nor the token).
    script = Script(reply(200, page(policies("p1"), foreign)), reply(200, page(policies("p2"), None)))
    assert [p.id for p in make_client(script).retraining_policies.list("d1")] == ["p1", "p2"]
    assert [str(r.url) for r in script.requests] == [BASE, f"{BASE}?offset=2&limit=2"]
    assert all(r.url.host == "dr.example.com" for r in script.requests)


def test_a_foreign_next_without_a_query_is_a_loop_not_a_foreign_request(make_client: MakeClient) -> None:
    script = Script(reply(200, page(policies("p1"), "https://evil.example.com/api/v2/x/")))
    with pytest.raises(ResponseValidationError, match="pagination loop"):
        list(make_client(script).retraining_policies.list("d1"))
    assert script.calls == 1


def test_same_origin_with_explicit_default_port_is_followed(make_client: MakeClient) -> None:
    script = Script(
        reply(200, page(policies("p1"), "https://DR.example.com:443/api/v2/deployments/d1/retrainingPolicies/?o=1")),
        reply(200, page(policies("p2"), None)),
    )
    assert [p.id for p in make_client(script).retraining_policies.list("d1")] == ["p1", "p2"]


def test_pagination_loop_is_detected(make_client: MakeClient) -> None:
    script = Script(reply(200, page(policies("p1"), f"{BASE}?offset=0")), reply(200, page(policies("p1"), BASE)))
    with pytest.raises(ResponseValidationError, match="pagination loop"):
        list(make_client(script).retraining_policies.list("d1"))
    assert script.calls == 2


def test_a_bad_item_names_its_position(make_client: MakeClient) -> None:
    script = Script(reply(200, page([{"id": "p1", "name": "a"}, {"name": "no id"}], None)))
    with pytest.raises(ResponseValidationError) as caught:
        list(make_client(script).retraining_policies.list("d1"))
    assert "data[1]" in str(caught.value)
    assert "id: Field required" in str(caught.value)


def test_a_page_without_data_is_invalid(make_client: MakeClient) -> None:
    with pytest.raises(ResponseValidationError, match="data: Field required"):
        list(make_client(Script(reply(200, {"items": []}))).deployments.list())


def test_pages_are_retried_like_any_get(make_client: MakeClient) -> None:
    script = Script(
        reply(200, page(policies("p1"), f"{BASE}?offset=1")),
        reply(503),
        reply(200, page(policies("p2"), None)),
    )
    assert [p.id for p in make_client(script).retraining_policies.list("d1")] == ["p1", "p2"]
    assert script.calls == 3


def test_runs_and_deployments_paginate_too(make_client: MakeClient) -> None:
    runs_url = f"{BASE}p1/runs/"
    script = Script(
        reply(200, page([{"id": "r1", "status": "succeeded"}], f"{runs_url}?offset=1")),
        reply(200, page([{"id": "r2", "status": "running"}], None)),
        reply(200, page([{"id": "d1", "label": "Churn"}], f"{ENDPOINT}/deployments/?offset=1")),
        reply(200, page([{"id": "d2", "label": "Fraud"}], None)),
    )
    client = make_client(script)
    assert [r.id for r in client.retraining_policy_runs.list("d1", "p1")] == ["r1", "r2"]
    assert [d.label for d in client.deployments.list()] == ["Churn", "Fraud"]
    assert httpx.URL(str(script.requests[0].url)).raw_path == b"/api/v2/deployments/d1/retrainingPolicies/p1/runs/"
