"""The fault-injection lifecycle shared by `test_faults.py` and `soak`: provider operations under injected faults.

A model-based run: the workload keeps the desired state (which policies exist, with which inputs, and each
deployment's retraining settings), drives the real providers' check/diff/create/read/update/delete against a live
emulator, and before each operation arms faults on exactly the requests that operation is about to make (429 with
and without Retry-After, 502, 503, added latency, drop-after-commit). Afterwards it compares the emulator's state
with the desired state, leaf by leaf and policy by policy, through a separate fault-free client.
"""

from __future__ import annotations

import contextlib
import io
import logging
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from pulumi.dynamic import Config, ConfigureRequest

from datarobot_emulator import seed
from datarobot_emulator.control import EmulatorControl
from datarobot_emulator.server import EmulatorServer
from datarobot_retraining.client import DataRobotClient
from datarobot_retraining.inputs.retraining_policy import POLICY_LEAVES, POLICY_SERVER_DEFAULTS
from datarobot_retraining.inputs.retraining_settings import SETTINGS_LEAVES
from datarobot_retraining.leaf_diff import get_path, leaves, nest
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
from datarobot_retraining.schedule import canonical

MAX_POLICIES = 5
FAULT_KINDS = ("429", "429+Retry-After", "502", "503", "latency", "drop-after-commit")
# Retry-After values the emulator sends; a backoff wait can never be exactly one of these for the first
# retries, so an exact match in the recorded sleeps proves the header was honoured.
RETRY_AFTER_VALUES = (1.0, 2.0)
NO_CHANGE = "diff only (no change)"
_RETRY_LOG = re.compile(r"; retry \d+ of \d+ in ")


def configure_provider(provider: Any, api_url: str, token: str) -> Any:
    """Configure a provider the way the engine does (whole stack config, namespaced keys); quick run polls."""
    provider.configure(ConfigureRequest(Config({"datarobot:endpoint": api_url, "datarobot:apikey": token}, "p")))
    provider.run_poll_interval = (0.02, 0.1)
    provider.create_settle_seconds = 0.05  # the emulator's lost answers are settled when the client sees them
    return provider


def ready_deployment(emulator: EmulatorServer) -> str:
    """A fresh deployment with a retraining dataset and user, so that policies can be created on it."""
    deployment_id = emulator.control.add_deployments(1)[0]
    settings = configure_provider(RetrainingSettingsProvider(), emulator.api_url, emulator.token)
    settings.create(
        {
            "deployment_id": deployment_id,
            "dataset_id": seed.DEMO_DATASET_ID,
            "retraining_user_id": seed.DEMO_RETRAINING_USER_ID,
        }
    )
    return deployment_id


@contextlib.contextmanager
def recorded_sleeps(client: DataRobotClient, *, real: bool = False) -> Iterator[list[float]]:
    """Record every retry wait of `client` (the process-wide shared one); without `real`, do not wait at all.

    Uses the `_sleep` hook the request loop keeps for tests; restored on exit, so other tests sharing the client
    see the real waits again.
    """
    waits: list[float] = []
    http = client._http
    original = http._sleep

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        if real:
            time.sleep(seconds)

    http._sleep = sleep
    try:
        yield waits
    finally:
        http._sleep = original


class _RetryCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.retries = 0

    def emit(self, record: logging.LogRecord) -> None:
        if _RETRY_LOG.search(record.getMessage()):
            self.retries += 1


# ---------------------------------------------------------------------------------------------------------------
# Desired states: valid policies drawn at random over every leaf, and mutations of them.

_CHOICES: dict[str, tuple[Any, ...]] = {
    "action": tuple(a.value for a in Action),
    "model_selection_strategy": tuple(m.value for m in ModelSelectionStrategy),
    "feature_list_strategy": tuple(f.value for f in FeatureListStrategy),
    "project_options_strategy": tuple(p.value for p in ProjectOptionsStrategy),
    "use_case_id": (None, seed.DEMO_USE_CASE_ID),
    "trigger.type": (None, *(t.value for t in TriggerType)),
    "trigger.min_interval_between_runs": (None, "P1D", "PT12H", "P1W", "PT30M"),
    "trigger.custom_job_id": (None, "65f0c0ffee0000000000c0de", "65f0c0ffee0000000000beef"),
    "autopilot_options.mode": tuple(m.value for m in AutopilotMode),
    "project_options.cv_method": tuple(c.value for c in CVMethod),
    "project_options.validation_type": tuple(v.value for v in ValidationType),
    "project_options.metric": (None, *(m.value for m in Metric)),
    "time_series_options.calendar_id": (None, "65f0ca1e0da0000000000001"),
    "time_series_options.differencing_method": (None, *(d.value for d in DifferencingMethod)),
    "time_series_options.treat_as_exponential": (None, *(t.value for t in TreatAsExponential)),
    "time_series_options.exponentially_weighted_moving_alpha": (None, 0.0, 0.25, 0.5, 1.0),
}
_BOOL_LEAVES = {p for p in POLICY_LEAVES if p.startswith("trigger.status_") or p.startswith("autopilot_options.")} - {
    "autopilot_options.mode"
}


def _leaf_value(rng: random.Random, path: str) -> Any:
    if path in _CHOICES:
        return rng.choice(_CHOICES[path])
    if path in _BOOL_LEAVES:
        return rng.random() < 0.5
    if path == "description":
        return rng.choice([None, "retrain on drift", "ünïcödé ✓ " * rng.randint(1, 50), "x" * 9_000])
    if path == "trigger.schedule":
        return {
            "minute": sorted(rng.sample(range(60), rng.randint(1, 3))),
            "hour": sorted(rng.sample(range(24), rng.randint(1, 2))),
            "day_of_month": [rng.randint(1, 28)],
            "month": ["*"],
            "day_of_week": ["*"],
        }
    if path == "project_options.holdout_pct":
        return rng.choice([None, rng.randint(0, 98)])
    if path == "project_options.validation_pct":
        return rng.choice([None, rng.randint(1, 99)])
    if path == "project_options.reps":
        return rng.choice([None, rng.randint(2, 50)])
    if path == "time_series_options.periodicities":
        return rng.choice([None, [{"time_steps": rng.randint(0, 30), "time_unit": rng.choice(list(TimeUnit)).value}]])
    raise AssertionError(f"no generator for {path}")


def _fix_rules(flat: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """Make a drawn state obey the API's cross-field rules (§3.3, §3.5, §3.6), so every operation must succeed."""
    if flat.get("trigger.type") == TriggerType.SCHEDULE.value and flat.get("trigger.schedule") is None:
        flat["trigger.schedule"] = _leaf_value(rng, "trigger.schedule")
    if flat.get("trigger.type") == TriggerType.CUSTOM_JOB.value and not flat.get("trigger.custom_job_id"):
        flat["trigger.custom_job_id"] = "65f0c0ffee0000000000c0de"
    if flat.get("autopilot_options.blend_best_models") is True and flat.get("autopilot_options.shap_only_mode"):
        flat["autopilot_options.shap_only_mode"] = False
    if flat.get("time_series_options.differencing_method") == DifferencingMethod.SEASONAL.value and not flat.get(
        "time_series_options.periodicities"
    ):
        flat["time_series_options.periodicities"] = [{"time_steps": 7, "time_unit": "DAY"}]
    return flat


def random_policy(rng: random.Random, name: str) -> dict[str, Any]:
    """A valid desired policy (flat leaf paths, no deployment): the name plus a random subset of the other leaves."""
    flat: dict[str, Any] = {"name": name}
    for path in POLICY_LEAVES[1:]:
        if rng.random() < 0.35:
            flat[path] = _leaf_value(rng, path)
    return _fix_rules(flat, rng)


def mutate_policy(rng: random.Random, flat: Mapping[str, Any], new_name: str) -> dict[str, Any]:
    """Change, add or remove one to three leaves (a rename now and then): what an edited program does."""
    result = dict(flat)
    for path in rng.sample(POLICY_LEAVES[1:], rng.randint(1, 3)):
        if path in result and rng.random() < 0.3:
            del result[path]
        else:
            result[path] = _leaf_value(rng, path)
    if rng.random() < 0.1:
        result["name"] = new_name
    return _fix_rules(result, rng)


def random_settings(rng: random.Random) -> dict[str, Any]:
    """Settings a policy can live with (dataset and retraining user always set), the rest drawn."""
    flat: dict[str, Any] = {
        "dataset_id": rng.choice([seed.DEMO_DATASET_ID, seed.DEMO_DATASET_2_ID]),
        "retraining_user_id": seed.DEMO_RETRAINING_USER_ID,
    }
    environment = rng.choice(
        [None, "unset", seed.DEMO_PREDICTION_ENVIRONMENT_ID, seed.DEMO_PREDICTION_ENVIRONMENT_2_ID]
    )
    if environment != "unset":
        flat["prediction_environment_id"] = environment
    if rng.random() < 0.5:
        flat["credential_id"] = rng.choice([None, seed.DEMO_CREDENTIAL_ID])
    return flat


def expected_policy_leaves(inputs: Mapping[str, Any]) -> dict[str, Any]:
    """Every leaf as the server must answer it: what the program sets, the server's default for everything else,
    and (as the API describes) `seasonal` differencing for an unset or `auto` method with periodicities."""
    desired = leaves(inputs, POLICY_LEAVES)
    expected = {path: desired[path] if path in desired else POLICY_SERVER_DEFAULTS.get(path) for path in POLICY_LEAVES}
    method = "time_series_options.differencing_method"
    if expected["time_series_options.periodicities"] and expected[method] in (None, "auto"):
        expected[method] = "seasonal"
    return expected


def same(path: str, want: Any, have: Any) -> bool:
    if path.endswith("schedule"):
        return canonical(want) == canonical(have)
    if isinstance(want, bool) or isinstance(have, bool):
        return want is have
    if isinstance(want, int | float) and isinstance(have, int | float):
        return float(want) == float(have)
    if isinstance(want, list) and isinstance(have, list):
        return len(want) == len(have) and all(same("", a, b) for a, b in zip(want, have, strict=True))
    if isinstance(want, dict) and isinstance(have, dict):
        return all(same("", want.get(k), have.get(k)) for k in set(want) | set(have))
    return bool(want == have)


def _camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(part.title() for part in rest)


def _snake_tree(value: Any) -> Any:
    if isinstance(value, dict):
        return {re.sub(r"(?<!^)(?=[A-Z])", "_", k).lower(): _snake_tree(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_snake_tree(v) for v in value]
    return value


def server_policy_leaves(wire: Mapping[str, Any]) -> dict[str, Any]:
    """The leaves of a raw wire policy (camelCase JSON), read independently of the provider's own models."""
    result: dict[str, Any] = {}
    for path in POLICY_LEAVES:
        if path == "use_case_id":
            result[path] = (wire.get("useCase") or {}).get("id")
            continue
        node: Any = wire
        for part in path.split("."):
            node = node.get(_camel(part)) if isinstance(node, Mapping) else None
        result[path] = _snake_tree(node)
    return result


# ---------------------------------------------------------------------------------------------------------------
# The run.


@dataclass
class Figures:
    """What a fault run measured; every count comes from the run itself (request log, fault table, state)."""

    operations: Counter[str] = field(default_factory=Counter)
    failed_operations: list[str] = field(default_factory=list)
    faults_armed: Counter[str] = field(default_factory=Counter)
    faults_injected: Counter[str] = field(default_factory=Counter)
    api_requests: int = 0
    client_retries: int = 0
    retry_after_expected: Counter[float] = field(default_factory=Counter)
    retry_after_waits: Counter[float] = field(default_factory=Counter)
    creates_reconciled: int = 0
    creates_resent: int = 0
    deletes_after_lost_answer: int = 0
    runs_cancelled_for_delete: int = 0
    perpetual_diffs: list[str] = field(default_factory=list)
    read_mismatches: list[str] = field(default_factory=list)
    duplicates: int = 0
    orphans: int = 0
    missing: int = 0
    lost_writes: list[str] = field(default_factory=list)
    policies_at_peak: int = 0
    elapsed: float = 0.0

    @property
    def total_operations(self) -> int:
        """Calls of create/read/update/delete (a diff that found nothing to change is counted apart)."""
        return sum(n for kind, n in self.operations.items() if kind != NO_CHANGE)

    @property
    def total_faults(self) -> int:
        return sum(self.faults_injected.values())

    @property
    def fault_ratio(self) -> float:
        return self.total_faults / self.api_requests if self.api_requests else 0.0

    def merge(self, other: Figures) -> None:
        for name in (
            "operations",
            "faults_armed",
            "faults_injected",
            "retry_after_expected",
            "retry_after_waits",
        ):
            getattr(self, name).update(getattr(other, name))
        for name in ("failed_operations", "perpetual_diffs", "read_mismatches", "lost_writes"):
            getattr(self, name).extend(getattr(other, name))
        for name in (
            "api_requests",
            "client_retries",
            "creates_reconciled",
            "creates_resent",
            "deletes_after_lost_answer",
            "runs_cancelled_for_delete",
            "duplicates",
            "orphans",
            "missing",
            "elapsed",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.policies_at_peak = max(self.policies_at_peak, other.policies_at_peak)

    def rows(self) -> list[tuple[str, str]]:
        injected = ", ".join(f"{kind} {self.faults_injected[kind]}" for kind in FAULT_KINDS)
        return [
            ("provider operations", f"{self.total_operations} ({_counts(self.operations)})"),
            ("failed operations", str(len(self.failed_operations))),
            ("API requests", str(self.api_requests)),
            ("faults injected", f"{self.total_faults} ({self.fault_ratio:.0%} of requests): {injected}"),
            ("client retries", str(self.client_retries)),
            (
                "Retry-After honoured",
                f"{sum(self.retry_after_waits.values())} of {sum(self.retry_after_expected.values())} waits",
            ),
            ("creates whose answer was lost, adopted", str(self.creates_reconciled)),
            ("creates re-sent after confirming none landed", str(self.creates_resent)),
            ("deletes whose answer was lost, reported done", str(self.deletes_after_lost_answer)),
            ("runs cancelled so a delete could proceed", str(self.runs_cancelled_for_delete)),
            ("perpetual diffs", str(len(self.perpetual_diffs))),
            ("duplicate policies", str(self.duplicates)),
            ("orphan policies", str(self.orphans)),
            ("missing policies", str(self.missing)),
            ("lost writes", str(len(self.lost_writes))),
            ("elapsed", f"{self.elapsed:.1f} s"),
        ]


def _counts(counter: Mapping[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(counter.items()))


def format_table(rows: list[tuple[str, str]], title: str) -> str:
    width = max(len(name) for name, _ in rows)
    lines = [title, "-" * len(title)]
    lines += [f"{name.ljust(width)}  {value}" for name, value in rows]
    return "\n".join(lines)


@dataclass
class _Policy:
    deployment_id: str
    flat: dict[str, Any]
    inputs: dict[str, Any]
    id: str
    outs: dict[str, Any]


class FaultWorkload:
    """One lifecycle under faults against a live emulator: setup, random operations, verify, destroy, verify.

    `api_url`/`token`/`control` address the emulator; `seed` fixes every random choice (operations, states,
    faults); `fault_rate` is the chance that an operation's requests get a fault armed (two faults one time in
    five of those). With `real_sleep=False` retry waits are recorded but not slept.
    """

    def __init__(
        self,
        api_url: str,
        token: str,
        control: EmulatorControl,
        *,
        seed: int = 8,
        deployments: int = 4,
        fault_rate: float = 0.4,
        real_sleep: bool = False,
        name_prefix: str = "rel",
    ) -> None:
        self.api_url = api_url
        self.token = token
        self.control = control
        self.rng = random.Random(seed)
        self.fault_rate = fault_rate
        self.real_sleep = real_sleep
        self.prefix = f"{name_prefix}-{seed}"
        self.policy_provider = configure_provider(RetrainingPolicyProvider(), api_url, token)
        self.settings_provider = configure_provider(RetrainingSettingsProvider(), api_url, token)
        self.deployment_count = deployments
        self.deployments: list[str] = []
        self.policies: dict[str, _Policy] = {}
        self.settings: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
        self.figures = Figures()
        self._names = 0
        self._log = io.StringIO()

    # -- entry point --
    def run(self, operations: int = 300) -> Figures:
        """About `operations` provider operations in all (setup and destroy included)."""
        began = time.monotonic()
        client = self.policy_provider.client()
        counter = _RetryCounter()
        logger = logging.getLogger("datarobot_retraining")
        old_level = logger.level
        logger.setLevel(logging.DEBUG)
        logger.addHandler(counter)
        requests_before = len(self.control.requests())
        try:
            with recorded_sleeps(client, real=self.real_sleep) as waits, contextlib.redirect_stderr(self._log):
                self.deployments = self.control.add_deployments(self.deployment_count)
                for deployment_id in self.deployments:
                    self._create_settings(deployment_id)
                while self.figures.total_operations + len(self.policies) + len(self.deployments) < operations:
                    self._random_operation()
                api_requests = len(self.control.requests()) - requests_before
                self._verify("after the random operations")
                requests_before = len(self.control.requests())
                for key in sorted(self.policies):
                    self._delete(key)
                for deployment_id in self.deployments:
                    self._delete_settings(deployment_id)
                api_requests += len(self.control.requests()) - requests_before
                self._verify("after destroy")
            self.figures.retry_after_waits.update(w for w in waits if w in RETRY_AFTER_VALUES)
        finally:
            logger.removeHandler(counter)
            logger.setLevel(old_level)
            self.control.clear_faults()
        self.figures.api_requests = api_requests
        self.figures.client_retries = counter.retries
        text = self._log.getvalue()
        self.figures.creates_reconciled = text.count("lost its answer, but the policy was created")
        self.figures.creates_resent = text.count("did not land; sending it again")
        self.figures.runs_cancelled_for_delete = len(re.findall(r"Cancelled run \S+ of retraining policy", text))
        self.figures.elapsed = time.monotonic() - began
        return self.figures

    # -- faults --
    def _arm(self, targets: list[tuple[str, str]]) -> list[tuple[int, str, float | None]]:
        """Maybe arm one or two faults on the requests the next operation makes; returns (id, kind, retry_after)."""
        if self.rng.random() >= self.fault_rate:
            return []
        armed = []
        for index in range(2 if self.rng.random() < 0.2 else 1):
            method, path = targets[0] if index == 0 or len(targets) == 1 else self.rng.choice(targets)
            kind = self.rng.choice(FAULT_KINDS)
            options: dict[str, Any] = {}
            retry_after = None
            if kind == "429":
                options["status"] = 429
            elif kind == "429+Retry-After":
                retry_after = self.rng.choice(RETRY_AFTER_VALUES)
                options.update(status=429, retry_after=retry_after)
            elif kind in ("502", "503"):
                options["status"] = int(kind)
            elif kind == "latency":
                options["latency"] = round(self.rng.uniform(0.02, 0.25), 3)
            else:
                options["drop_after_commit"] = True
            fault = self.control.inject_fault(method, path, count=1, **options)
            self.figures.faults_armed[kind] += 1
            armed.append((int(fault["id"]), kind, retry_after))
        return armed

    def _settle(self, armed: list[tuple[int, str, float | None]]) -> list[str]:
        """Count the armed faults that hit a request, then disarm the rest; returns the kinds that hit."""
        if not armed:
            return []
        left = {int(f["id"]) for f in self.control.faults()}
        self.control.clear_faults()
        hit = []
        for fault_id, kind, retry_after in armed:
            if fault_id not in left:
                hit.append(kind)
                self.figures.faults_injected[kind] += 1
                if retry_after is not None:
                    self.figures.retry_after_expected[retry_after] += 1
        return hit

    @contextlib.contextmanager
    def _operation(self, kind: str, what: str, targets: list[tuple[str, str]]) -> Iterator[list[str]]:
        """Arm faults, run the body, settle the faults; a failed operation is recorded, never raised."""
        armed = self._arm(targets)
        hit: list[str] = []
        self.figures.operations[kind] += 1
        try:
            yield hit
        except Exception as error:
            self.figures.failed_operations.append(f"{kind} {what}: {type(error).__name__}: {error}")
        finally:
            hit.extend(self._settle(armed))

    # -- paths --
    @staticmethod
    def _policies_path(deployment_id: str) -> str:
        return f"deployments/{deployment_id}/retrainingPolicies"

    def _policy_path(self, policy: _Policy) -> str:
        return f"{self._policies_path(policy.deployment_id)}/{policy.id}"

    @staticmethod
    def _settings_path(deployment_id: str) -> str:
        return f"deployments/{deployment_id}/retrainingSettings"

    # -- operations --
    def _random_operation(self) -> None:
        counts = Counter(p.deployment_id for p in self.policies.values())
        self.figures.policies_at_peak = max(self.figures.policies_at_peak, len(self.policies))
        room = [d for d in self.deployments if counts[d] < MAX_POLICIES]
        choices: list[tuple[str, float]] = [("settings", 0.08)]
        if room:
            choices.append(("create", 0.34 if len(self.policies) < 12 else 0.2))
        if self.policies:
            choices += [("update", 0.3), ("read", 0.14), ("delete", 0.14 if len(self.policies) > 4 else 0.05)]
        operation = self.rng.choices([c for c, _ in choices], [w for _, w in choices])[0]
        if operation == "create":
            self._create(self.rng.choice(room))
        elif operation == "settings":
            self._update_settings(self.rng.choice(self.deployments))
        else:
            key = self.rng.choice(sorted(self.policies))
            if operation == "update":
                self._update(key)
            elif operation == "read":
                self._read(key)
            else:
                if self.rng.random() < 0.25:
                    self._start_run(key)
                self._delete(key)

    def _new_name(self) -> str:
        self._names += 1
        return f"{self.prefix}-{self._names:04d} policy"

    def _check(self, deployment_id: str, flat: Mapping[str, Any], olds: Mapping[str, Any]) -> dict[str, Any]:
        props = {"deployment_id": deployment_id, **nest(flat)}
        checked = self.policy_provider.check(dict(olds), props)
        if checked.failures:
            raise AssertionError(f"the workload drew an invalid policy {props}: {checked.failures}")
        return dict(checked.inputs)

    def _create(self, deployment_id: str) -> None:
        flat = random_policy(self.rng, self._new_name())
        inputs = self._check(deployment_id, flat, {})
        path = self._policies_path(deployment_id)
        with self._operation("create", flat["name"], [("POST", path), ("GET", path)]):
            result = self.policy_provider.create(inputs)
            outs = dict(result.outs or {})
            policy = _Policy(deployment_id, flat, inputs, str(result.id), outs)
            self.policies[policy.id] = policy
            self._expect_outputs("create", policy, outs)

    def _update(self, key: str) -> None:
        policy = self.policies[key]
        flat = mutate_policy(self.rng, policy.flat, self._new_name())
        inputs = self._check(policy.deployment_id, flat, policy.inputs)
        diff = self.policy_provider.diff(policy.id, policy.outs, inputs)
        if diff.replaces:
            raise AssertionError(f"an in-place edit was planned as a replacement: {diff.replaces}")
        if not diff.changes:
            # The engine would not call update; it keeps the old outputs and stores the new inputs.
            policy.flat, policy.inputs = flat, inputs
            self.figures.operations[NO_CHANGE] += 1
            return
        with self._operation("update", policy.flat["name"], [("PATCH", self._policy_path(policy))]):
            result = self.policy_provider.update(policy.id, policy.outs, inputs)
            policy.flat, policy.inputs, policy.outs = flat, inputs, dict(result.outs or {})
            self._expect_outputs("update", policy, policy.outs)

    def _read(self, key: str) -> None:
        policy = self.policies[key]
        with self._operation("read", policy.flat["name"], [("GET", self._policy_path(policy))]):
            result = self.policy_provider.read(policy.id, policy.outs)
            if result.id != policy.id:
                raise AssertionError(f"read returned id {result.id!r} for {policy.id}")
            self._expect_outputs("read", policy, dict(result.outs or {}))
            policy.outs = dict(result.outs or {})

    def _start_run(self, key: str) -> None:
        # A manual run in progress makes the delete cancel (or await) it first. Started without faults.
        policy = self.policies[key]
        with DataRobotClient(self.api_url, self.token) as client:
            client.retraining_policy_runs.start(policy.deployment_id, policy.id)

    def _delete(self, key: str) -> None:
        policy = self.policies[key]
        with self._operation("delete", policy.flat["name"], [("DELETE", self._policy_path(policy))]) as hit:
            self.policy_provider.delete(policy.id, policy.outs)
            del self.policies[key]
        if "drop-after-commit" in hit:
            self.figures.deletes_after_lost_answer += 1

    def _settings_targets(self, deployment_id: str) -> list[tuple[str, str]]:
        path = self._settings_path(deployment_id)
        return [("PATCH", path), ("GET", path)]

    def _create_settings(self, deployment_id: str) -> None:
        flat = random_settings(self.rng)
        checked = self.settings_provider.check({}, {"deployment_id": deployment_id, **flat})
        assert checked.failures == [], checked.failures
        with self._operation("settings create", deployment_id, self._settings_targets(deployment_id)):
            result = self.settings_provider.create(dict(checked.inputs))
            self.settings[deployment_id] = (dict(checked.inputs), dict(result.outs or {}))

    def _update_settings(self, deployment_id: str) -> None:
        old_inputs, outs = self.settings[deployment_id]
        checked = self.settings_provider.check(
            old_inputs, {"deployment_id": deployment_id, **random_settings(self.rng)}
        )
        assert checked.failures == [], checked.failures
        inputs = dict(checked.inputs)
        if not self.settings_provider.diff(deployment_id, outs, inputs).changes:
            self.settings[deployment_id] = (inputs, outs)
            self.figures.operations[NO_CHANGE] += 1
            return
        with self._operation("settings update", deployment_id, self._settings_targets(deployment_id)):
            result = self.settings_provider.update(deployment_id, outs, inputs)
            self.settings[deployment_id] = (inputs, dict(result.outs or {}))

    def _delete_settings(self, deployment_id: str) -> None:
        _inputs, outs = self.settings[deployment_id]
        with self._operation("settings delete", deployment_id, self._settings_targets(deployment_id)):
            self.settings_provider.delete(deployment_id, outs)
            del self.settings[deployment_id]

    # -- checks --
    def _expect_outputs(self, operation: str, policy: _Policy, outs: Mapping[str, Any]) -> None:
        expected = expected_policy_leaves(policy.inputs)
        wrong = [p for p, want in expected.items() if not same(p, want, get_path(outs, p))]
        if wrong:
            self.figures.read_mismatches.append(f"{operation} {policy.id}: {wrong}")
        if self.policy_provider.diff(policy.id, dict(outs), policy.inputs).changes:
            self.figures.perpetual_diffs.append(f"{operation} {policy.id}")

    def _verify(self, when: str) -> None:
        """Compare the emulator's state with the desired state, through a fault-free client of its own.

        The emulator is asked to show the credential in the settings answer for this look only (DataRobot's
        answer is not known to carry it, so the provider keeps what it wrote; the store must hold it all the same).
        """
        self.control.clear_faults()
        shown = self.control.variants()["settingsCredential"]
        self.control.set_variants(settingsCredential="echoed")
        try:
            self._verify_state(when)
        finally:
            self.control.set_variants(settingsCredential=shown)

    def _verify_state(self, when: str) -> None:
        with DataRobotClient(self.api_url, self.token) as client:
            for deployment_id in self.deployments:
                listed = client.request("GET", f"/deployments/{deployment_id}/retrainingPolicies/").json()["data"]
                names = Counter(p["name"] for p in listed)
                self.figures.duplicates += sum(n - 1 for n in names.values() if n > 1)
                desired = {k: p for k, p in self.policies.items() if p.deployment_id == deployment_id}
                on_server = {p["id"]: p for p in listed}
                self.figures.orphans += len(set(on_server) - set(desired))
                self.figures.missing += len(set(desired) - set(on_server))
                for key in set(desired) & set(on_server):
                    expected = expected_policy_leaves(desired[key].inputs)
                    have = server_policy_leaves(on_server[key])
                    wrong = [p for p, want in expected.items() if not same(p, want, have[p])]
                    if wrong:
                        detail = {p: (expected[p], have[p]) for p in wrong}
                        self.figures.lost_writes.append(f"{when}: policy {key}: {detail}")
                settings = client.request("GET", f"/deployments/{deployment_id}/retrainingSettings/").json()
                self._verify_settings(when, deployment_id, settings)

    def _verify_settings(self, when: str, deployment_id: str, wire: Mapping[str, Any]) -> None:
        inputs = self.settings.get(deployment_id, ({}, {}))[0]
        objects = {
            "dataset_id": "dataset",
            "prediction_environment_id": "predictionEnvironment",
            "retraining_user_id": "retrainingUser",
            "credential_id": "credential",
        }
        for path in SETTINGS_LEAVES:
            have = (wire.get(objects[path]) or {}).get("id")
            want = inputs.get(path)
            if have != want:
                self.figures.lost_writes.append(f"{when}: settings {deployment_id} {path}: want {want}, have {have}")


def print_figures(figures: Figures, title: str, out: Callable[[str], None] | None = None) -> None:
    (out or (lambda text: print(text, file=sys.stdout)))(format_table(figures.rows(), title))
