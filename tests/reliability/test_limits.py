"""Limits: a request deadline a dripping server cannot stretch, pagination that must end, and the inputs `check`
refuses before anything is sent (NaN and infinities, ids that cannot name an object)."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from datarobot_emulator import seed
from datarobot_emulator.server import EmulatorServer
from datarobot_retraining.client import DataRobotClient
from datarobot_retraining.client._http import MAX_PAGES
from datarobot_retraining.config import ENV_REQUEST_TIMEOUT, ENV_RUN_WAIT, ProviderConfig
from datarobot_retraining.errors import (
    AmbiguousRequestError,
    APITimeoutError,
    ConfigurationError,
    DataRobotError,
    ResponseValidationError,
)
from datarobot_retraining.models import RetrainingPolicyCreate, RetrainingSettingsUpdate
from datarobot_retraining.resources import (
    RetrainingPolicyProvider,
    RetrainingPolicyRunProvider,
    RetrainingSettingsProvider,
)
from pulumi_datarobot_retraining.testing import ProviderServer, dynamic_type, make_urn, serialized_provider
from tests.reliability.workload import configure_provider

DEPLOYMENT = seed.DEMO_DEPLOYMENT_ID
POLICIES = f"deployments/{DEPLOYMENT}/retrainingPolicies"
# Seconds between two bytes of a dripped answer: far below every deadline here, so only a deadline on the whole
# request (not on the gap between bytes) can cut it. A policy answer (~900 bytes) would take 45 s to drip in full.
DRIP = 0.05
DEADLINE = 0.3


@pytest.fixture
def policy_id(emulator: EmulatorServer) -> Iterator[str]:
    with DataRobotClient(emulator.api_url, emulator.token) as client:
        client.retraining_settings.update(DEPLOYMENT, RetrainingSettingsUpdate(dataset_id=seed.DEMO_DATASET_ID))
        yield client.retraining_policies.create(DEPLOYMENT, RetrainingPolicyCreate(name="slow answers")).id


@pytest.fixture(scope="module")
def engine(emulator_server: EmulatorServer) -> Iterator[ProviderServer]:
    """The real `python -m pulumi.dynamic` server, configured for the emulator (default request timeout)."""
    with ProviderServer(project="limits") as server:
        server.configure({"datarobot:endpoint": emulator_server.api_url, "datarobot:apikey": emulator_server.token})
        yield server


def assert_one_sentence(error: BaseException, *parts: str) -> None:
    text = str(error)
    assert text.strip() and "\n" not in text and len(text) <= 800, text
    for part in parts:
        assert part in text, (part, text)


def remaining(emulator: EmulatorServer) -> int:
    """How many matching requests the one armed fault still has to spoil (each attempt consumes one)."""
    (fault,) = emulator.control.faults()
    return int(fault["remaining"])


# -- 4. a deadline for the whole request --------------------------------------------------------------------------


@pytest.mark.timeout(30)
def test_a_dripping_answer_is_cut_at_the_request_deadline(emulator: EmulatorServer, policy_id: str) -> None:
    emulator.control.inject_fault("GET", f"{POLICIES}/*", count=5, drip_interval=DRIP)
    with (
        DataRobotClient(emulator.api_url, emulator.token, timeout=DEADLINE, max_retries=0) as client,
        pytest.raises(APITimeoutError) as caught,
    ):
        client.retraining_policies.get(DEPLOYMENT, policy_id)
    assert_one_sentence(caught.value, f"GET /{POLICIES}/{policy_id}/", "deadline")
    assert remaining(emulator) == 4  # one attempt, cut


@pytest.mark.timeout(30)
def test_retries_of_a_dripping_read_stay_within_their_own_bound(emulator: EmulatorServer, policy_id: str) -> None:
    emulator.control.inject_fault("GET", f"{POLICIES}/*", count=10, drip_interval=DRIP)
    with DataRobotClient(emulator.api_url, emulator.token, timeout=DEADLINE, max_retries=2) as client:
        client._http._sleep = lambda _seconds: None  # the backoff between attempts is not what is tested here
        with pytest.raises(APITimeoutError) as caught:
            client.retraining_policies.get(DEPLOYMENT, policy_id)
    assert_one_sentence(caught.value, "after 3 attempts", "deadline")
    assert remaining(emulator) == 7


@pytest.mark.timeout(30)
def test_a_dripping_create_is_ambiguous_after_one_deadline_and_not_repeated(
    emulator: EmulatorServer, policy_id: str
) -> None:
    emulator.control.inject_fault("POST", POLICIES, count=5, drip_interval=DRIP)
    with (
        DataRobotClient(emulator.api_url, emulator.token, timeout=DEADLINE) as client,
        pytest.raises(AmbiguousRequestError) as caught,
    ):
        client.retraining_policies.create(DEPLOYMENT, RetrainingPolicyCreate(name="second"))
    assert_one_sentence(caught.value, f"POST /{POLICIES}/", "may or may not have been applied", "deadline")
    assert remaining(emulator) == 4


@pytest.mark.timeout(60)
def test_a_provider_read_through_the_engine_abandons_a_dripping_answer_and_retries(
    emulator: EmulatorServer, policy_id: str
) -> None:
    urn = make_urn(dynamic_type("RetrainingPolicy"), "slow")
    outs = {"deployment_id": DEPLOYMENT, "name": "slow answers", "managed_fields": ["name"]}
    with ProviderServer(project="limits") as server:
        server.configure(
            {
                "datarobot:endpoint": emulator.api_url,
                "datarobot:apikey": emulator.token,
                "datarobot-retraining:requestTimeoutSeconds": str(DEADLINE),
            }
        )
        emulator.control.inject_fault("GET", f"{POLICIES}/*", count=1, drip_interval=DRIP)
        emulator.control.clear_requests()
        read = server.read(urn, policy_id, {**outs, "__provider": serialized_provider(RetrainingPolicyProvider())})
    assert read.id == policy_id and read.outputs["name"] == "slow answers"
    assert emulator.control.faults() == []
    # The dripped answer was given up at the deadline and the read asked again. (The emulator logs the dripped
    # request once it sees the client hang up, a moment after the cut: wait for that entry, not for a time.)
    for _ in range(500):
        gets = [r for r in emulator.control.requests() if r["method"] == "GET"]
        if len(gets) >= 2:
            break
        time.sleep(0.01)
    assert len(gets) == 2, gets


# -- 4. pagination that never ends ---------------------------------------------------------------------------------


def endless_pages(total_count: Any) -> httpx.MockTransport:
    """Every page holds one new policy and links to a new next page; `total_count` is what each page announces."""

    def answer(request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params.get("offset", 0))
        announced = total_count(offset) if callable(total_count) else total_count
        return httpx.Response(
            200,
            json={
                "count": 1,
                "data": [{"id": f"p{offset}", "name": f"policy {offset}"}],
                "next": f"{ENDPOINT}/{POLICIES}/?offset={offset + 1}&limit=1",
                "previous": None,
                "totalCount": announced,
            },
        )

    return httpx.MockTransport(answer)


ENDPOINT = "https://dr.example.com/api/v2"


def test_pagination_beyond_the_announced_total_stops_with_one_sentence() -> None:
    with DataRobotClient(ENDPOINT, "t", transport=endless_pages(3)) as client:
        seen: list[str] = []
        with pytest.raises(ResponseValidationError) as caught:
            seen.extend(p.id for p in client.retraining_policies.list(DEPLOYMENT))
    assert seen == ["p0", "p1", "p2"]
    assert_one_sentence(caught.value, f"GET /{POLICIES}/", "totalCount of 3")


@pytest.mark.timeout(120)
def test_pagination_without_an_end_stops_after_the_page_bound() -> None:
    # A total that grows with every page (or none at all) cannot stop it: the bound on pages does.
    for total in (lambda offset: offset + 2, None):
        with DataRobotClient(ENDPOINT, "t", transport=endless_pages(total)) as client:
            count = 0
            with pytest.raises(ResponseValidationError) as caught:
                for _policy in client.retraining_policies.list(DEPLOYMENT):
                    count += 1
        assert count == MAX_PAGES
        assert_one_sentence(caught.value, f"GET /{POLICIES}/", f"{MAX_PAGES} pages")


# -- 5. NaN and infinities -----------------------------------------------------------------------------------------

NON_FINITE = [math.nan, math.inf, -math.inf]
RUN_TYPE = dynamic_type("RetrainingPolicyRun")


@pytest.mark.timeout(120)
def test_nan_triggers_fail_check_instead_of_starting_a_run_on_every_up(
    engine: ProviderServer, emulator: EmulatorServer, policy_id: str
) -> None:
    urn = make_urn(RUN_TYPE, "nan-run")
    news = {
        "deployment_id": DEPLOYMENT,
        "policy_id": policy_id,
        "triggers": {"score": math.nan, "files": ["a.csv", math.inf]},
        "__provider": serialized_provider(RetrainingPolicyRunProvider()),
    }
    failures: list[list[tuple[str, str]]] = []
    state: tuple[str, dict[str, Any]] | None = None
    olds: dict[str, Any] = {}
    for _up in range(4):  # four `pulumi up` of an unchanged program, as the engine runs them
        checked = engine.check(urn, olds, news)
        if checked.failures:
            failures.append(checked.failures)
            continue  # the engine stops this up at a failed check
        olds = checked.inputs
        if state is None:
            state = engine.create(urn, checked.inputs)
        elif engine.diff(urn, state[0], state[1], checked.inputs).changes:
            state = (state[0], engine.update(urn, state[0], state[1], checked.inputs))
    with DataRobotClient(emulator.api_url, emulator.token) as client:
        assert list(client.retraining_policy_runs.list(DEPLOYMENT, policy_id)) == []
    assert len(failures) == 4
    for found in failures:
        assert {where for where, _why in found} == {"triggers"}, found
        (reason,) = {why for _where, why in found}
        assert "triggers.score" in reason and "triggers.files[1]" in reason and "finite" in reason, reason


NUMERIC_POLICY_INPUTS: dict[str, dict[str, Any]] = {
    "project_options.holdout_pct": {"project_options": {"holdout_pct": "X"}},
    "project_options.validation_pct": {"project_options": {"validation_pct": "X"}},
    "project_options.reps": {"project_options": {"reps": "X"}},
    "time_series_options.exponentially_weighted_moving_alpha": {
        "time_series_options": {"exponentially_weighted_moving_alpha": "X"}
    },
    "time_series_options.periodicities[0].time_steps": {
        "time_series_options": {"periodicities": [{"time_steps": "X", "time_unit": "DAY"}]}
    },
    **{
        f"trigger.schedule.{field}[0]": {"trigger": {"type": "schedule", "schedule": {field: ["X"]}}}
        for field in ("minute", "hour", "day_of_month", "month", "day_of_week")
    },
}


def _with(template: Any, value: float) -> Any:
    if template == "X":
        return value
    if isinstance(template, dict):
        return {key: _with(item, value) for key, item in template.items()}
    if isinstance(template, list):
        return [_with(item, value) for item in template]
    return template


@pytest.mark.parametrize("value", NON_FINITE, ids=repr)
@pytest.mark.parametrize("path", NUMERIC_POLICY_INPUTS)
def test_every_numeric_policy_input_refuses_nan_and_infinity(path: str, value: float) -> None:
    props = {"deployment_id": DEPLOYMENT, "name": "p", **_with(NUMERIC_POLICY_INPUTS[path], value)}
    result = RetrainingPolicyProvider().check({}, props)
    where = {f.property: f.reason for f in result.failures}
    assert path in where, result.failures
    leaf = path.rsplit(".", 1)[-1].split("[", maxsplit=1)[0]
    assert (leaf in where[path] or leaf.replace("_", " ") in where[path]) and "\n" not in where[path], where[path]
    if not path.startswith("trigger.schedule"):
        assert "finite" in where[path], where[path]


@pytest.mark.parametrize("value", NON_FINITE, ids=repr)
@pytest.mark.parametrize(
    ("props", "path", "named"),
    [
        ({"wait_timeout_seconds": "X"}, "wait_timeout_seconds", "wait_timeout_seconds"),
        ({"triggers": "X"}, "triggers", "triggers"),
        ({"triggers": {"dataset_version": "X"}}, "triggers", "triggers.dataset_version"),
        ({"triggers": ["v1", {"deep": ["X"]}]}, "triggers", "triggers[1].deep[0]"),
    ],
)
def test_every_numeric_run_input_refuses_nan_and_infinity(
    props: dict[str, Any], path: str, named: str, value: float
) -> None:
    checked = RetrainingPolicyRunProvider().check(
        {}, {"deployment_id": DEPLOYMENT, "policy_id": "p1", **_with(props, value)}
    )
    where = {f.property: f.reason for f in checked.failures}
    assert path in where, checked.failures
    assert named in where[path] and "finite" in where[path] and "\n" not in where[path], where[path]


@pytest.mark.parametrize("text", ["nan", "inf", "-inf", "NaN"])
@pytest.mark.parametrize("variable", [ENV_REQUEST_TIMEOUT, ENV_RUN_WAIT])
def test_non_finite_timeouts_in_the_configuration_are_refused(variable: str, text: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        ProviderConfig.resolve(environ={variable: text})
    assert_one_sentence(caught.value, variable, repr(text))


def test_finite_numbers_and_unknowns_in_triggers_still_pass() -> None:
    checked = RetrainingPolicyRunProvider().check(
        {}, {"deployment_id": DEPLOYMENT, "policy_id": "p1", "triggers": {"v": 1.5, "n": [0, -2, 1e300], "s": "nan"}}
    )
    assert checked.failures == []
    assert checked.inputs["triggers"] == {"v": 1.5, "n": [0, -2, 1e300], "s": "nan"}


# -- 6. ids that cannot be used ------------------------------------------------------------------------------------

UNUSABLE_IDS = {
    "blank": " ",
    "dot": ".",
    "dot-dot": "..",
    "100,000 characters": "a" * 100_000,
    "slash": "a/b",
    "backslash": "a\\b",
    "query": "a?b",
    "fragment": "a#b",
    "percent": "%2e%2e",
    "inner space": "65f0 0001",
    "newline": "abc\n",
    "NUL": "ab\x00c",
    "non-ASCII": "ａｂｃ",  # noqa: RUF001 - full-width letters are the point: they look like an id and are not one
}
ID_INPUTS = {
    "policy": (
        RetrainingPolicyProvider,
        {"deployment_id": DEPLOYMENT, "name": "p"},
        [
            ("deployment_id", lambda v: {"deployment_id": v}),
            ("use_case_id", lambda v: {"use_case_id": v}),
            ("trigger.custom_job_id", lambda v: {"trigger": {"type": "custom_job", "custom_job_id": v}}),
            ("time_series_options.calendar_id", lambda v: {"time_series_options": {"calendar_id": v}}),
        ],
    ),
    "settings": (
        RetrainingSettingsProvider,
        {"deployment_id": DEPLOYMENT},
        [
            (key, lambda v, key=key: {key: v})
            for key in (
                "deployment_id",
                "dataset_id",
                "prediction_environment_id",
                "retraining_user_id",
                "credential_id",
            )
        ],
    ),
    "run": (
        RetrainingPolicyRunProvider,
        {"deployment_id": DEPLOYMENT, "policy_id": "65f0000000000000000000aa"},
        [("deployment_id", lambda v: {"deployment_id": v}), ("policy_id", lambda v: {"policy_id": v})],
    ),
}
ID_CASES = [
    pytest.param(resource, path, value, id=f"{resource}.{path}-{label}")
    for resource, (_provider, _base, paths) in ID_INPUTS.items()
    for path, _build in paths
    for label, value in UNUSABLE_IDS.items()
]


def _id_props(resource: str, path: str, value: str) -> tuple[Any, dict[str, Any]]:
    provider_class, base, paths = ID_INPUTS[resource]
    build = dict(paths)[path]
    return provider_class(), {**base, **build(value)}


@pytest.mark.parametrize(("resource", "path", "value"), ID_CASES)
def test_unusable_ids_fail_check_naming_the_property(resource: str, path: str, value: str) -> None:
    provider, props = _id_props(resource, path, value)
    result = provider.check({}, props)
    where = {f.property: f.reason for f in result.failures}
    assert path in where, result.failures
    reason = where[path]
    assert path.rsplit(".", 1)[-1] in reason and "\n" not in reason and len(reason) <= 500, reason


@pytest.mark.parametrize("good", ["65f0000000000000000000aa", "dep-1_a.b~c", "0" * 128, "a..b"])
def test_usable_ids_still_pass_check(good: str) -> None:
    for resource, (_provider, _base, paths) in ID_INPUTS.items():
        for path, _build in paths:
            provider, props = _id_props(resource, path, good)
            assert provider.check({}, props).failures == [], (resource, path)


def test_unusable_ids_over_the_wire_are_check_failures(engine: ProviderServer, emulator: EmulatorServer) -> None:
    emulator.control.clear_requests()
    run = engine.check(
        make_urn(RUN_TYPE, "bad-id"),
        {},
        {
            "deployment_id": DEPLOYMENT,
            "policy_id": "..",
            "__provider": serialized_provider(RetrainingPolicyRunProvider()),
        },
    )
    assert [where for where, _why in run.failures] == ["policy_id"]
    settings = engine.check(
        make_urn(dynamic_type("RetrainingSettings"), "bad-ids"),
        {},
        {
            "deployment_id": "a" * 100_000,
            "dataset_id": "a/../b",
            "__provider": serialized_provider(RetrainingSettingsProvider()),
        },
    )
    assert sorted(where for where, _why in settings.failures) == ["dataset_id", "deployment_id"]
    assert all(len(why) <= 500 for _where, why in settings.failures)
    assert emulator.control.requests() == []


@pytest.mark.parametrize("value", [" ", ".", "..", "a" * 100_000, ""], ids=["blank", "dot", "dot-dot", "long", "empty"])
def test_an_unusable_id_reaching_the_client_is_one_clear_error_before_sending(
    emulator: EmulatorServer, value: str
) -> None:
    # A state or a CLI argument can still hand the client such an id: refused before sending, as one sentence.
    emulator.control.clear_requests()
    with DataRobotClient(emulator.api_url, emulator.token) as client:
        for call in (
            lambda: client.retraining_policies.get(DEPLOYMENT, value),
            lambda: list(client.retraining_policies.list(value)),
            lambda: client.retraining_policy_runs.get(DEPLOYMENT, "p", value),
        ):
            with pytest.raises(DataRobotError) as caught:
                call()
            assert not isinstance(caught.value, httpx.HTTPError)
            assert_one_sentence(caught.value, "id")
            assert len(str(caught.value)) <= 500
    assert emulator.control.requests() == []


def test_a_provider_read_of_an_unusable_id_is_one_sentence(emulator: EmulatorServer) -> None:
    provider = configure_provider(RetrainingPolicyProvider(), emulator.api_url, emulator.token)
    with pytest.raises(DataRobotError) as caught:
        provider.read("a" * 100_000, {"deployment_id": DEPLOYMENT, "name": "p"})
    assert_one_sentence(caught.value, DEPLOYMENT)
