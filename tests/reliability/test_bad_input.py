"""Bad input: property-based `check` over arbitrary values, and malformed server answers (clear one-line errors).

`check` runs in preview, before anything exists: whatever the program passes, it must return (never raise) either
a normalized result without failures or failures that each name a property path, and it must never call the API.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from datarobot_emulator import seed
from datarobot_emulator.server import EmulatorServer
from datarobot_retraining.client import DataRobotClient
from datarobot_retraining.errors import DataRobotError, ResourceOperationError
from datarobot_retraining.inputs.retraining_policy import POLICY_LEAVES, RetrainingPolicyInputs
from datarobot_retraining.inputs.retraining_settings import RetrainingSettingsInputs
from datarobot_retraining.leaf_diff import leaves, nest
from datarobot_retraining.models import (
    RetrainingPolicyCreate,
    RetrainingPolicyUpdate,
    RetrainingSettingsUpdate,
    outcome_of,
)
from datarobot_retraining.models.enums import (
    Action,
    AutopilotMode,
    CVMethod,
    DifferencingMethod,
    FeatureListStrategy,
    Metric,
    ModelSelectionStrategy,
    ProjectOptionsStrategy,
    TimeUnit,
    TreatAsExponential,
    TriggerType,
    ValidationType,
)
from datarobot_retraining.resources import RetrainingPolicyProvider, RetrainingSettingsProvider
from tests.reliability.workload import configure_provider

# -- strategies ---------------------------------------------------------------------------------------------------

HUGE = st.builds(lambda char, n: char * n, st.characters(), st.integers(10_000, 30_000))
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["", " ", "None", "null", "*", "0", "1e3", "P1D", "jan", "schedule", "\n\t", "\x00"]),
    HUGE,
)
JSON = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=10,
)


def _enum(*enums: Any) -> list[str]:
    return [member.value for enum in enums for member in enum]


def strategies(noisy: bool) -> tuple[st.SearchStrategy[dict[str, Any]], st.SearchStrategy[dict[str, Any]]]:
    """(policy, settings) inputs: plausible values only, or (noisy) anything at any property, unknown keys too.

    Clean inputs still break the cross-field rules now and then; noisy ones break everything, nested levels
    included (plausible values stay in the mix so the deeper properties are reached).
    """

    def maybe(valid: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        return st.one_of(valid, valid, JSON) if noisy else valid

    def enum(*enums: Any) -> st.SearchStrategy[Any]:
        values = st.sampled_from(_enum(*enums))
        return st.one_of(values, values.map(str.upper), st.text(max_size=12)) if noisy else values

    def number(low: int, high: int) -> st.SearchStrategy[Any]:
        # Whole numbers arrive from the engine as floats: both spellings are valid.
        valid = st.one_of(st.integers(low, high), st.integers(low, high).map(float))
        wild = st.one_of(st.integers(-5, 120), st.floats(-5, 120), st.floats(allow_nan=True, allow_infinity=True))
        return st.one_of(valid, wild) if noisy else valid

    def objects(fields: dict[str, st.SearchStrategy[Any]], required: tuple[str, ...] = ()) -> Any:
        known = st.fixed_dictionaries(
            {k: v for k, v in fields.items() if k in required and not noisy},
            optional={k: v for k, v in fields.items() if k not in required or noisy},
        )
        if not noisy:
            return known
        unknown = st.dictionaries(st.text(min_size=1, max_size=12), JSON, max_size=2)
        return st.builds(lambda a, b, extra: {**(b if extra else {}), **a}, known, unknown, st.booleans())

    schedule_value = st.one_of(number(0, 23), st.sampled_from(["*", "jan", "Sunday", "13"]))
    schedule = objects(
        {
            key: maybe(st.one_of(st.lists(schedule_value, min_size=1, max_size=4), schedule_value))
            for key in ("minute", "hour", "day_of_month", "month", "day_of_week")
        }
    )
    trigger = objects(
        {
            "type": maybe(st.one_of(st.none(), st.just("None"), enum(TriggerType))),
            "schedule": maybe(schedule),
            "status_declines_to_warning": maybe(st.booleans()),
            "status_declines_to_failing": maybe(st.booleans()),
            "status_still_in_decline": maybe(st.booleans()),
            "min_interval_between_runs": maybe(st.sampled_from(["P1D", "PT12H", "1 day", "P", "PT", ""])),
            "custom_job_id": maybe(st.text(min_size=1, max_size=30)),
        }
    )
    text = st.text(min_size=1, max_size=40)
    policy = objects(
        {
            "__provider": st.just("serialized-provider"),
            "deployment_id": maybe(st.sampled_from([seed.DEMO_DEPLOYMENT_ID, "x"])),
            "name": maybe(st.one_of(text, st.text(min_size=500, max_size=512))),
            "description": maybe(st.one_of(st.none(), text, HUGE.filter(lambda t: len(t) <= 10_000))),
            "action": maybe(enum(Action)),
            "trigger": maybe(trigger),
            "model_selection_strategy": maybe(enum(ModelSelectionStrategy)),
            "feature_list_strategy": maybe(enum(FeatureListStrategy)),
            "project_options_strategy": maybe(enum(ProjectOptionsStrategy)),
            "autopilot_options": maybe(
                objects(
                    {
                        "mode": maybe(enum(AutopilotMode)),
                        "blend_best_models": maybe(st.booleans()),
                        "shap_only_mode": maybe(st.booleans()),
                        "scoring_code_only": maybe(st.booleans()),
                        "run_leakage_removed_feature_list": maybe(st.booleans()),
                    }
                )
            ),
            "project_options": maybe(
                objects(
                    {
                        "cv_method": maybe(enum(CVMethod)),
                        "validation_type": maybe(enum(ValidationType)),
                        "metric": maybe(st.one_of(st.none(), enum(Metric))),
                        "holdout_pct": maybe(number(0, 98)),
                        "validation_pct": maybe(number(1, 99)),
                        "reps": maybe(number(2, 50)),
                    }
                )
            ),
            "time_series_options": maybe(
                objects(
                    {
                        "calendar_id": maybe(text),
                        "differencing_method": maybe(enum(DifferencingMethod)),
                        "treat_as_exponential": maybe(enum(TreatAsExponential)),
                        "exponentially_weighted_moving_alpha": maybe(st.floats(0, 1)),
                        "periodicities": maybe(
                            st.lists(
                                objects(
                                    {"time_steps": maybe(number(0, 100)), "time_unit": maybe(enum(TimeUnit))},
                                    required=("time_steps", "time_unit"),
                                ),
                                max_size=3,
                            )
                        ),
                    }
                )
            ),
            "use_case_id": maybe(st.one_of(st.none(), text)),
            "adopt_existing": maybe(st.booleans()),
        },
        required=("deployment_id", "name"),
    )
    identifier = st.one_of(st.none(), st.sampled_from([seed.DEMO_DATASET_ID]), text)
    settings_ = objects(
        {
            "__provider": st.just("serialized-provider"),
            "deployment_id": maybe(st.sampled_from([seed.DEMO_DEPLOYMENT_ID, "x"])),
            "dataset_id": maybe(identifier),
            "prediction_environment_id": maybe(identifier),
            "retraining_user_id": maybe(identifier),
            "credential_id": maybe(identifier),
        },
        required=("deployment_id",),
    )
    return policy, settings_


_CLEAN_POLICY, _CLEAN_SETTINGS = strategies(noisy=False)
_NOISY_POLICY, _NOISY_SETTINGS = strategies(noisy=True)
POLICY = st.one_of(_CLEAN_POLICY, _NOISY_POLICY)
SETTINGS = st.one_of(_CLEAN_SETTINGS, _NOISY_SETTINGS)

POLICY_FIELDS = set(RetrainingPolicyInputs.model_fields)
SETTINGS_FIELDS = set(RetrainingSettingsInputs.model_fields)
MAX_REASON = 2_000


def check_failures_name_properties(
    props: dict[str, Any], failures: list[Any], fields: set[str], root_name: str
) -> None:
    roots = [str(key) for key in props] + sorted(fields)
    for failure in failures:
        where = failure.property
        assert isinstance(where, str) and where, (where, failure.reason)
        assert any(where == r or where.startswith((f"{r}.", f"{r}[")) for r in roots), (where, sorted(props))
        assert isinstance(failure.reason, str) and failure.reason.strip(), failure
        # One line, except where the reason quotes a key the user wrote with a line break in it.
        quoted = failure.reason
        for key in re.split(r"[.\[\]]", where):
            quoted = quoted.replace(key, "") if key else quoted
        assert "\n" not in quoted, failure.reason
        assert "Traceback" not in failure.reason, failure.reason
        assert len(failure.reason) <= MAX_REASON, f"{failure.property}: a {len(failure.reason)}-character reason"


def assert_json_clean(value: Any) -> None:
    """The normalized inputs go to the engine and on the wire: plain JSON, no NaN or infinity."""
    json.dumps(value, allow_nan=False)


# -- check: never raises, fails by property, never calls the API ----------------------------------------------------


@pytest.fixture
def policy_provider(emulator: EmulatorServer) -> RetrainingPolicyProvider:
    provider: RetrainingPolicyProvider = configure_provider(
        RetrainingPolicyProvider(), emulator.api_url, emulator.token
    )
    return provider


@pytest.fixture
def settings_provider(emulator: EmulatorServer) -> RetrainingSettingsProvider:
    provider: RetrainingSettingsProvider = configure_provider(
        RetrainingSettingsProvider(), emulator.api_url, emulator.token
    )
    return provider


HYPOTHESIS = settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
    derandomize=True,
    database=None,
)


@pytest.mark.timeout(120)
def test_policy_check_never_raises_and_names_the_property(
    policy_provider: RetrainingPolicyProvider, emulator: EmulatorServer
) -> None:
    outcomes = {"accepted": 0, "refused": 0}

    @HYPOTHESIS
    @given(props=POLICY)
    def run(props: dict[str, Any]) -> None:
        result = policy_provider.check({}, props)
        assert isinstance(result.inputs, dict)
        check_failures_name_properties(props, result.failures, POLICY_FIELDS, "RetrainingPolicy")
        if result.failures:
            outcomes["refused"] += 1
            return
        outcomes["accepted"] += 1
        inputs = dict(result.inputs)
        assert_json_clean({k: v for k, v in inputs.items() if k != "__provider"})
        # Normalized means stable: checking the result again changes nothing and finds nothing.
        again = policy_provider.check(inputs, inputs)
        assert again.failures == [] and again.inputs == inputs
        # What check accepts, create and update can send: building the wire bodies cannot fail.
        desired = nest(leaves(inputs, POLICY_LEAVES))
        assert_json_clean(RetrainingPolicyCreate.model_validate(desired).to_wire())
        assert_json_clean(RetrainingPolicyUpdate.model_validate(desired).to_wire())
        # And the engine's next step, diff against an existing state, cannot fail either.
        policy_provider.diff("policy-id", {"deployment_id": inputs.get("deployment_id"), "managed_fields": []}, inputs)

    emulator.control.clear_requests()
    run()
    print(f"policy check: {outcomes}, 0 exceptions, 0 requests")
    assert emulator.control.requests() == []
    # Both sides of the property were exercised.
    assert outcomes["accepted"] >= 20 and outcomes["refused"] >= 100, outcomes


@pytest.mark.timeout(60)
def test_settings_check_never_raises_and_names_the_property(
    settings_provider: RetrainingSettingsProvider, emulator: EmulatorServer
) -> None:
    outcomes = {"accepted": 0, "refused": 0}

    @HYPOTHESIS
    @given(props=SETTINGS)
    def run(props: dict[str, Any]) -> None:
        result = settings_provider.check({}, props)
        assert isinstance(result.inputs, dict)
        check_failures_name_properties(props, result.failures, SETTINGS_FIELDS, "RetrainingSettings")
        if result.failures:
            outcomes["refused"] += 1
            return
        outcomes["accepted"] += 1
        inputs = dict(result.inputs)
        assert_json_clean({k: v for k, v in inputs.items() if k != "__provider"})
        again = settings_provider.check(inputs, inputs)
        assert again.failures == [] and again.inputs == inputs
        settings_provider.diff("deployment", {"deployment_id": inputs.get("deployment_id")}, inputs)

    emulator.control.clear_requests()
    run()
    print(f"settings check: {outcomes}, 0 exceptions, 0 requests")
    assert emulator.control.requests() == []
    assert outcomes["accepted"] >= 20 and outcomes["refused"] >= 50, outcomes


@pytest.mark.parametrize(
    ("props", "path"),
    [
        ({"name": 5.0}, "name"),
        ({"name": "x" * 600}, "name"),
        ({"description": "x" * 10_001}, "description"),
        ({"project_options": {"reps": 5.5}}, "project_options.reps"),
        ({"project_options": {"reps": float("nan")}}, "project_options.reps"),
        ({"project_options": {"holdout_pct": float("inf")}}, "project_options.holdout_pct"),
        ({"project_options": {"metric": {"nested": ["garbage"]}}}, "project_options.metric"),
        ({"trigger": {"schedule": {"hour": [24]}}}, "trigger.schedule.hour"),
        ({"trigger": {"typo": 1}}, "trigger.typo"),
        ({"trigger": "daily"}, "trigger"),
        ({"autopilot_options": {"blend_best_models": "yes please"}}, "autopilot_options.blend_best_models"),
        ({"time_series_options": {"periodicities": [{"time_steps": -1, "time_unit": "DAY"}]}}, "time_series_options"),
        ({"unknown_key": {"a": [1, 2, {"b": None}]}}, "unknown_key"),
    ],
)
def test_policy_check_examples_fail_at_the_named_property(
    policy_provider: RetrainingPolicyProvider, props: dict[str, Any], path: str
) -> None:
    result = policy_provider.check({}, {"deployment_id": seed.DEMO_DEPLOYMENT_ID, "name": "p", **props})
    assert result.failures, props
    assert any(f.property.startswith(path) for f in result.failures), result.failures
    check_failures_name_properties(props, result.failures, POLICY_FIELDS, "RetrainingPolicy")


# -- malformed server answers ------------------------------------------------------------------------------------------

Answer = Callable[[httpx.Request], httpx.Response]
POLICY_ID = "65f0000000000000000000aa"


def html(status: int, title: str) -> httpx.Response:
    body = f"<html><head><title>{title}</title></head><body><h1>{title}</h1><hr>nginx</body></html>\n" * 3
    return httpx.Response(status, text=body, headers={"Content-Type": "text/html"})


MALFORMED: dict[str, Answer] = {
    "non-JSON 200": lambda r: httpx.Response(200, text="OK\nall good", headers={"Content-Type": "text/plain"}),
    "HTML 200 (a login page)": lambda r: html(200, "Sign in - Corporate SSO"),
    "HTML 502 error page": lambda r: html(502, "502 Bad Gateway"),
    "HTML 500 error page": lambda r: html(500, "500 Internal Server Error"),
    "empty 200": lambda r: httpx.Response(200),
    "JSON null": lambda r: httpx.Response(200, json=None),
    "JSON list": lambda r: httpx.Response(200, json=[1, 2]),
    "truncated JSON": lambda r: httpx.Response(
        200, text='{"id": "abc", "name":', headers={"Content-Type": "application/json"}
    ),
    "missing keys": lambda r: httpx.Response(200, json={"name": "no id", "data": [{"name": "no id"}]}),
    "wrong types": lambda r: httpx.Response(
        200, json={"id": 12, "name": ["a"], "trigger": "daily", "data": "nope", "dataset": 5, "retrainingUser": []}
    ),
    "plain-text 400": lambda r: httpx.Response(400, text="Bad Request\nTraceback (most recent call last): ..."),
    "422 with a message object": lambda r: httpx.Response(422, json={"message": {"name": ["is too long"]}}),
}


@pytest.fixture
def mock_client() -> Iterator[Callable[[Answer], DataRobotClient]]:
    clients: list[DataRobotClient] = []

    def make(answer: Answer) -> DataRobotClient:
        client = DataRobotClient("https://dr.example.com/api/v2", "mock-token", transport=httpx.MockTransport(answer))
        client._http._sleep = lambda _seconds: None  # retried 5xx cost no time
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def assert_one_clear_line(error: BaseException, *must_contain: str) -> None:
    text = str(error)
    assert "\n" not in text and text.strip(), repr(text)
    assert len(text) <= 800, text
    for noise in ("Traceback", "validation error for", "pydantic", "<html", "For further information"):
        assert noise not in text, text
    for part in must_contain:
        assert part in text, (part, text)


@pytest.mark.parametrize("answer", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_answers_give_one_line_client_errors(
    mock_client: Callable[[Answer], DataRobotClient], answer: Answer
) -> None:
    client = mock_client(answer)
    calls: list[Callable[[], Any]] = [
        lambda: client.retraining_policies.get(seed.DEMO_DEPLOYMENT_ID, POLICY_ID),
        lambda: list(client.retraining_policies.list(seed.DEMO_DEPLOYMENT_ID)),
        lambda: client.retraining_policies.create(seed.DEMO_DEPLOYMENT_ID, RetrainingPolicyCreate(name="p")),
        lambda: client.retraining_policies.update(
            seed.DEMO_DEPLOYMENT_ID, POLICY_ID, RetrainingPolicyUpdate(description="d")
        ),
        lambda: client.retraining_settings.get(seed.DEMO_DEPLOYMENT_ID),
        lambda: list(client.retraining_policy_runs.list(seed.DEMO_DEPLOYMENT_ID, POLICY_ID)),
    ]
    failed = 0
    for call in calls:
        try:
            call()
        except DataRobotError as error:
            failed += 1
            assert_one_clear_line(error, f"/deployments/{seed.DEMO_DEPLOYMENT_ID}/")
            assert error.__cause__ is None or isinstance(error.__cause__, Exception)
    # Settings tolerate missing keys (all optional); everything else must fail on every malformed answer.
    assert failed >= len(calls) - 1


@pytest.mark.parametrize("answer", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_answers_give_one_line_provider_errors(
    mock_client: Callable[[Answer], DataRobotClient], answer: Answer
) -> None:
    client = mock_client(answer)
    policies = RetrainingPolicyProvider()
    settings_ = RetrainingSettingsProvider()
    for provider in (policies, settings_):
        provider.client = lambda: client  # type: ignore[method-assign]
    props = {"deployment_id": seed.DEMO_DEPLOYMENT_ID, "name": "p", "action": "create_model_package"}
    outs = {**props, "policy_id": POLICY_ID, "managed_fields": ["action", "name"]}
    settings_outs = {"deployment_id": seed.DEMO_DEPLOYMENT_ID, "dataset_id": "d", "managed_fields": ["dataset_id"]}
    calls: list[Callable[[], Any]] = [
        lambda: policies.create(props),
        lambda: policies.read(POLICY_ID, outs),
        lambda: policies.update(POLICY_ID, outs, {**props, "description": "d"}),
        lambda: settings_.create({"deployment_id": seed.DEMO_DEPLOYMENT_ID, "dataset_id": "d"}),
        lambda: settings_.read(seed.DEMO_DEPLOYMENT_ID, settings_outs),
    ]
    for call in calls:
        try:
            call()
        except ResourceOperationError as error:
            assert_one_clear_line(error, seed.DEMO_DEPLOYMENT_ID)
        except Exception as error:  # anything else would reach the user as a traceback
            pytest.fail(f"{type(error).__name__} escaped the provider: {error}")


def test_unknown_enum_values_in_answers_are_tolerated(
    emulator: EmulatorServer, mock_client: Callable[[Answer], DataRobotClient]
) -> None:
    # A real answer from the emulator, with tomorrow's values in every enum-like field.
    with DataRobotClient(emulator.api_url, emulator.token) as real:
        real.retraining_settings.update(
            seed.DEMO_DEPLOYMENT_ID,
            RetrainingSettingsUpdate(dataset_id=seed.DEMO_DATASET_ID),
        )
        created = real.request(
            "POST", f"/deployments/{seed.DEMO_DEPLOYMENT_ID}/retrainingPolicies/", json={"name": "future"}
        ).json()
    future = json.loads(json.dumps(created))
    future.update(action="retrain_and_deploy_twice", featureListStrategy="quantum_features")
    future["trigger"].update(type="on_full_moon")
    future["autopilotOptions"].update(mode="hyperdrive")
    future["projectOptions"].update(metric="Brand New Metric", cvMethod="GroupCV", validationType="OOT")
    future["timeSeriesOptions"].update(differencingMethod="fractional", treatAsExponential="sometimes")
    future["latestRun"] = {"id": "run-1", "status": "paused_for_review", "startTime": None}
    future["somethingNew"] = {"nested": [1, 2]}

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=future)

    client = mock_client(answer)
    policy = client.retraining_policies.get(seed.DEMO_DEPLOYMENT_ID, future["id"])
    assert policy.action == "retrain_and_deploy_twice"
    assert policy.latest_run is not None and not outcome_of(policy.latest_run.status).finished

    provider = RetrainingPolicyProvider()
    provider.client = lambda: client  # type: ignore[method-assign]
    outs = {"deployment_id": seed.DEMO_DEPLOYMENT_ID, "name": "future", "managed_fields": ["action", "name"]}
    result = provider.read(future["id"], outs)
    assert result.outs is not None
    assert result.outs["action"] == "retrain_and_deploy_twice"
    assert result.outs["trigger"]["type"] == "on_full_moon"
    assert result.outs["latest_run"]["status"] == "paused_for_review"
    assert result.outs["next_scheduled_runs"] == []
    # The program still says create_model_package: the unknown value is a plain difference, not a crash.
    checked = provider.check({}, {**outs, "action": "create_model_package"}).inputs
    assert provider.diff(future["id"], result.outs, checked).changes is True
    json.dumps(result.outs)  # outputs stay plain JSON for the engine
