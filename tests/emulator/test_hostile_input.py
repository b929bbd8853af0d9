"""Hostile input at the emulator's edges: every one a 4xx naming the field, never a 500, never non-standard JSON."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from emulator_helpers import configure, create_policy, policies_url

from datarobot_emulator.seed import DEMO_DEPLOYMENT_ID
from datarobot_emulator.server import EmulatorServer


def strict_json(response: httpx.Response) -> Any:
    """The body as JSON, refusing NaN and Infinity (which Python's json accepts but no JSON standard does)."""

    def refuse(literal: str) -> Any:
        raise AssertionError(f"non-standard JSON literal {literal} in {response.text[:200]!r}")

    return json.loads(response.text, parse_constant=refuse)


def assert_refused(response: httpx.Response, field: str, status: int = 422) -> str:
    """A 4xx whose field errors name `field`; returns the reason given for it."""
    assert response.status_code == status, (response.status_code, response.text[:300])
    body = strict_json(response)
    assert field in body["errors"], body
    reason = str(body["errors"][field])
    assert field in body["message"] and len(body["message"]) <= 500, body["message"]
    return reason


@pytest.fixture
def control(emulator: EmulatorServer) -> httpx.Client:
    return httpx.Client(base_url=f"{emulator.base_url}/_emulator", timeout=10)


@pytest.mark.parametrize("offset", [10**20, 2**63, 2**31, "1" + "0" * 5000])
@pytest.mark.parametrize("listing", ["/deployments/", policies_url(), "/datasets/"])
def test_huge_offsets_are_refused_by_name(api: httpx.Client, listing: str, offset: Any) -> None:
    assert_refused(api.get(listing, params={"offset": offset}), "offset")
    assert api.get(listing).status_code == 200  # and the emulator still answers


def test_the_largest_offset_allowed_still_answers_an_empty_page(api: httpx.Client) -> None:
    page = api.get("/deployments/", params={"offset": 2**31 - 1})
    assert page.status_code == 200 and page.json()["data"] == []


def deep(levels: int) -> bytes:
    return b"[" * levels + b"]" * levels


@pytest.mark.parametrize("levels", [100_000, 5_000, 200])
def test_deeply_nested_json_is_refused_naming_the_top_level_field(
    api: httpx.Client, control: httpx.Client, levels: int
) -> None:
    configure(api)
    body = b'{"name": "deep", "description": ' + deep(levels) + b"}"
    assert "nested" in assert_refused(api.post(policies_url(), content=body), "description")
    assert "nested" in assert_refused(control.post("/clock/advance", content=body), "description")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b'{"name": "x", "projectOptions": {"reps": ' + b"9" * 5000 + b"}}", "projectOptions.reps"),
        (b'{"name": "x", "projectOptions": {"holdoutPct": -' + b"9" * 5000 + b"}}", "projectOptions.holdoutPct"),
        (b'{"name": "x", "projectOptions": {"reps": ' + b"9" * 400 + b"}}", "projectOptions.reps"),
        (b'{"name": "x", "trigger": {"schedule": {"hour": [' + b"1" * 5000 + b"]}}}", "trigger.schedule.hour.0"),
    ],
    ids=["5000 digits", "-5000 digits", "400 digits", "in a list"],
)
def test_huge_integers_are_refused_by_name(api: httpx.Client, body: bytes, field: str) -> None:
    configure(api)
    assert_refused(api.post(policies_url(), content=body), field)


@pytest.mark.parametrize("literal", [b"NaN", b"Infinity", b"-Infinity", b"1e999"])
@pytest.mark.parametrize(
    ("template", "field"),
    [
        (b'{"name": "x", "projectOptions": {"holdoutPct": %s}}', "projectOptions.holdoutPct"),
        (
            b'{"name": "x", "timeSeriesOptions": {"exponentiallyWeightedMovingAlpha": %s}}',
            "timeSeriesOptions.exponentiallyWeightedMovingAlpha",
        ),
        (b'{"name": "x", "unknownKey": [1, %s]}', "unknownKey.1"),
    ],
    ids=["holdoutPct", "alpha", "unknown key"],
)
def test_nan_and_infinity_are_refused_by_name_and_never_served(
    api: httpx.Client, template: bytes, field: str, literal: bytes
) -> None:
    configure(api)
    assert_refused(api.post(policies_url(), content=template % literal), field)
    # Nothing was stored, and what is served is standard JSON.
    assert strict_json(api.get(policies_url()))["totalCount"] == 0


def test_nan_in_a_patch_or_settings_is_refused(api: httpx.Client) -> None:
    configure(api)
    policy = create_policy(api, name="finite")
    url = f"{policies_url()}{policy['id']}/"
    assert_refused(
        api.patch(url, content=b'{"projectOptions": {"validationPct": NaN}}'), "projectOptions.validationPct"
    )
    settings = f"/deployments/{DEMO_DEPLOYMENT_ID}/retrainingSettings/"
    assert_refused(api.patch(settings, content=b'{"datasetId": NaN}'), "datasetId")
    assert strict_json(api.get(url))["projectOptions"]["validationPct"] is None


@pytest.mark.parametrize("interval", ["P99999999999999999999Y", "PT" + "9" * 40 + "S", "P" + "9" * 5000 + "D"])
def test_a_duration_too_long_to_hold_is_refused_by_name(api: httpx.Client, interval: str) -> None:
    configure(api)
    body = {"name": "x", "trigger": {"type": "schedule", "schedule": {"minute": [0]}}}
    body["trigger"]["minIntervalBetweenRuns"] = interval  # type: ignore[index]
    reason = assert_refused(api.post(policies_url(), json=body), "trigger.minIntervalBetweenRuns")
    assert len(reason) <= 300


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/clock/advance", {"seconds": 1e300}, "seconds"),
        ("/clock/advance", {"seconds": -1e300}, "seconds"),
        ("/clock/advance", {"seconds": "soon"}, "seconds"),
        ("/clock/advance", {}, "seconds"),
        ("/clock/advance", b'{"seconds": NaN}', "seconds"),
        ("/clock", {"now": "9999-12-31T23:59:59Z"}, "now"),
        ("/clock", {"now": "yesterday"}, "now"),
        ("/clock", {"frozen": "yes"}, "frozen"),
        ("/step-seconds", b'{"seconds": NaN}', "seconds"),
        ("/step-seconds", {"seconds": -1}, "seconds"),
        ("/runs/fail-next", {"count": "many"}, "count"),
        ("/runs/fail-next", {"count": 1, "message": {"not": "text"}}, "message"),
        ("/deployments", {"count": 10**9}, "count"),
        ("/reset", {"seed": "demo", "deployments": "lots"}, "deployments"),
        (
            f"/deployments/{DEMO_DEPLOYMENT_ID}/health",
            {"kind": "accuracy", "status": "failing", "message": 5},
            "message",
        ),
    ],
)
def test_hostile_control_requests_are_refused_by_name(
    emulator: EmulatorServer, control: httpx.Client, path: str, body: Any, field: str
) -> None:
    response = control.post(path, content=body) if isinstance(body, bytes) else control.post(path, json=body)
    assert_refused(response, field)
    # The clock (and everything that shows it) still answers, in standard JSON.
    assert control.get("/clock").status_code == 200
    assert strict_json(control.get("/clock"))["now"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"retryAfter": "Wed, 21 Oct 2015 07:28:00 GMT", "status": 503}, "retryAfter"),
        ({"retryAfter": -1, "status": 429}, "retryAfter"),
        ({"status": 99}, "status"),
        ({"status": "teapot"}, "status"),
        ({"latency": -1}, "latency"),
        ({"latency": 10**6}, "latency"),
        ({"commitDelay": "later"}, "commitDelay"),
        ({"dripInterval": 0}, "dripInterval"),
        ({"count": 0, "status": 500}, "count"),
        ({"dropAfterCommit": "yes"}, "dropAfterCommit"),
        ({"status": 500, "pathPattern": None}, "pathPattern"),
        ({}, "status"),
    ],
)
def test_a_fault_that_cannot_be_served_is_refused_when_armed(
    emulator: EmulatorServer, control: httpx.Client, api: httpx.Client, body: dict[str, Any], field: str
) -> None:
    assert_refused(control.post("/faults", json={"method": "GET", "pathPattern": "deployments", **body}), field)
    assert control.get("/faults").json() == {"faults": []}
    assert api.get("/deployments/").status_code == 200


def test_nan_fault_timings_are_refused(control: httpx.Client) -> None:
    for key in ("latency", "commitDelay", "retryAfter", "dripInterval"):
        response = control.post("/faults", content=b'{"pathPattern": "x", "status": 503, "%s": NaN}' % key.encode())
        assert_refused(response, key)
