"""The emulator's own wire schemas, written from the API reference: request validation, §6 defaults, response
shapes.

Deliberately independent of the client's pydantic models: if both sides shared one model, a misreading of the
reference would hide in both and every test would still pass.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from .errors import UnprocessableError
from .schedule import MAX_DURATION, SCHEDULE_KEYS, parse_duration, schedule_value
from .variants import Variants

Doc = dict[str, Any]

ACTIONS = ("create_challenger", "create_model_package", "model_replacement")
TRIGGER_TYPES = ("schedule", "data_drift_decline", "accuracy_decline", "custom_job")
# Manual-only policies: JSON null, or the literal "None" Terraform sends. Both are echoed as received.
MANUAL_TRIGGER_TYPES = (None, "None")
MODEL_SELECTION_STRATEGIES = ("autopilot_recommended", "same_blueprint", "same_hyperparameters", "custom_job")
FEATURE_LIST_STRATEGIES = ("same_as_champion", "informative_features")
PROJECT_OPTIONS_STRATEGIES = ("same_as_champion", "override_champion", "custom")
AUTOPILOT_MODES = ("auto", "comprehensive", "quick")
CV_METHODS = ("RandomCV", "StratifiedCV")
VALIDATION_TYPES = ("CV", "TVH")
METRICS = (
    "Accuracy",
    "AUC",
    "Balanced Accuracy",
    "FVE Binomial",
    "Gini Norm",
    "Kolmogorov-Smirnov",
    "LogLoss",
    "Rate@Top5%",
    "Rate@Top10%",
    "TPR",
    "FPR",
    "TNR",
    "PPV",
    "NPV",
    "F1",
    "MCC",
    "FVE Gamma",
    "FVE Poisson",
    "FVE Tweedie",
    "Gamma Deviance",
    "MAE",
    "MAPE",
    "Poisson Deviance",
    "R Squared",
    "RMSE",
    "RMSLE",
    "Tweedie Deviance",
)
DIFFERENCING_METHODS = ("auto", "simple", "none", "seasonal")
TREAT_AS_EXPONENTIAL = ("auto", "never", "always")
TIME_UNITS = ("MILLISECOND", "SECOND", "MINUTE", "HOUR", "DAY", "WEEK", "MONTH", "QUARTER", "YEAR", "ROW")

NAME_MAX = 512
DESCRIPTION_MAX = 10000
POLICY_LIMIT = 5

# §6: every key of a nested object, with the values the Terraform provider's schema fills in client-side. A key the
# create does not send comes back null by default: a saved real answer and the public docs' example show it for keys
# left out of a nested object sent, and an object never sent comes back as an object of nulls as `timeSeriesOptions`
# is seen to (for the other objects that is our choice). With the `nestedKeys=filled` variant these values are used
# instead, as the emulator's first reading had it.
DEFAULT_AUTOPILOT_OPTIONS: Doc = {
    "mode": "quick",
    "blendBestModels": False,
    "scoringCodeOnly": False,
    "runLeakageRemovedFeatureList": True,
    "shapOnlyMode": False,
}
DEFAULT_PROJECT_OPTIONS: Doc = {
    "cvMethod": "RandomCV",
    "validationType": "CV",
    "holdoutPct": 20,
    "reps": 5,
    "metric": None,
    "validationPct": None,
}
DEFAULT_TRIGGER: Doc = {
    "type": None,
    "schedule": None,
    "statusDeclinesToWarning": False,
    "statusDeclinesToFailing": False,
    "statusStillInDecline": False,
    "minIntervalBetweenRuns": None,
    "customJobId": None,
}
DEFAULT_TIME_SERIES_OPTIONS: Doc = {
    "calendarId": None,
    "differencingMethod": None,
    "exponentiallyWeightedMovingAlpha": None,
    "periodicities": None,
    "treatAsExponential": None,
}
NESTED_DEFAULTS: dict[str, Doc] = {
    "autopilotOptions": DEFAULT_AUTOPILOT_OPTIONS,
    "projectOptions": DEFAULT_PROJECT_OPTIONS,
    "trigger": DEFAULT_TRIGGER,
    "timeSeriesOptions": DEFAULT_TIME_SERIES_OPTIONS,
}
SCALAR_DEFAULTS: Doc = {
    "description": None,
    "action": "create_challenger",
    "featureListStrategy": "same_as_champion",
    "modelSelectionStrategy": "autopilot_recommended",
    "projectOptionsStrategy": "same_as_champion",
    "useCaseId": None,
}
POLICY_KEYS = ("name", *SCALAR_DEFAULTS, *NESTED_DEFAULTS)

SETTINGS_KEYS = ("datasetId", "predictionEnvironmentId", "retrainingUserId", "credentialId")

_NOT_ALLOWED = "is not an allowed key"


class _Checker:
    """Collects field errors so one 422 names every bad field, not just the first."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def fail(self, path: str, reason: str) -> None:
        self.errors.setdefault(path, reason)

    def raise_if_any(self) -> None:
        if self.errors:
            raise UnprocessableError.from_errors(self.errors)

    # Each coercer returns the normalised value; on error it records it and returns the input unchanged.
    def string(self, path: str, value: Any, *, max_len: int | None = None, min_len: int = 0) -> Any:
        if value is None:
            return None
        if not isinstance(value, str):
            self.fail(path, "must be a string")
        elif len(value) < min_len:
            self.fail(path, "must not be empty")
        elif max_len is not None and len(value) > max_len:
            self.fail(path, f"must be at most {max_len} characters (got {len(value)})")
        return value

    def enum(self, path: str, value: Any, allowed: tuple[Any, ...]) -> Any:
        if value is not None and value not in allowed:
            self.fail(path, f"must be one of {', '.join(str(a) for a in allowed)} (got {value!r})")
        return value

    def boolean(self, path: str, value: Any) -> Any:
        if value is not None and not isinstance(value, bool):
            self.fail(path, "must be a boolean")
        return value

    def integer(self, path: str, value: Any, lo: int | None = None, hi: int | None = None) -> Any:
        if value is None:
            return None
        # bool is an int subclass in Python but never a number on the wire.
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(path, "must be an integer")
            return value
        if isinstance(value, float):
            if not value.is_integer():
                self.fail(path, "must be an integer")
                return value
            value = int(value)  # Pulumi sends 5.0 for 5; echo the integer back.
        self._range(path, value, lo, hi)
        return value

    def number(
        self,
        path: str,
        value: Any,
        lo: float | None = None,
        hi: float | None = None,
        *,
        int_if_integral: bool = False,
    ) -> Any:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(path, "must be a number")
            return value
        if int_if_integral and isinstance(value, float) and value.is_integer():
            # Integral percentages arrive as floats from some clients; echo them as the ints users wrote.
            value = int(value)
        self._range(path, value, lo, hi)
        return value

    def _range(self, path: str, value: float, lo: float | None, hi: float | None) -> None:
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            low = "-inf" if lo is None else f"{lo:g}"
            high = "inf" if hi is None else f"{hi:g}"
            self.fail(path, f"must be between {low} and {high} (got {value:g})")

    def obj(self, path: str, value: Any, keys: tuple[str, ...]) -> dict[str, Any] | None:
        """A nested object: None when null, else the dict after flagging unknown keys."""
        if value is None:
            return None
        if not isinstance(value, dict):
            self.fail(path, "must be an object")
            return None
        for key in value:
            if key not in keys:
                self.fail(f"{path}.{key}" if path else key, _NOT_ALLOWED)
        return value


def _nested(
    check: _Checker, path: str, value: Any, fields: dict[str, Callable[[str, Any], Any]]
) -> dict[str, Any] | None:
    body = check.obj(path, value, tuple(fields))
    if body is None:
        return None
    return {key: fields[key](f"{path}.{key}", body[key]) for key in body if key in fields}


def _schedule(check: _Checker, path: str, value: Any) -> Any:
    body = check.obj(path, value, SCHEDULE_KEYS)
    if body is None:
        return None
    result: dict[str, list[Any]] = {}
    missing = [key for key in SCHEDULE_KEYS if key not in body]
    if missing:
        # What a partial schedule means is not public, and every known client sends all five keys: refusing it is
        # safer than reading the missing keys as "every" (a schedule firing every minute).
        check.fail(
            path, f'must have all of {", ".join(SCHEDULE_KEYS)} (missing {", ".join(missing)}); ["*"] means every'
        )
    for key in SCHEDULE_KEYS:
        if key not in body:
            continue
        items = body[key]
        if not isinstance(items, list) or not items:
            check.fail(f"{path}.{key}", 'must be a non-empty array of integers or strings (["*"] means every)')
            continue
        echoed: list[Any] = []
        for index, item in enumerate(items):
            if schedule_value(key, item) is None:
                check.fail(f"{path}.{key}.{index}", f"{item!r} is not a valid {key} value")
            # Echo as received, except integral floats which come back as the integers the user wrote.
            echoed.append(int(item) if isinstance(item, float) and item.is_integer() else item)
        result[key] = echoed
    return result


def _duration(check: _Checker, path: str, value: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, str) or parse_duration(value) is None:
        shown = value if not isinstance(value, str) or len(value) <= 40 else f"{value[:40]}…"
        check.fail(
            path,
            f"must be an ISO-8601 duration such as P1D or PT12H, at most {MAX_DURATION.days:,} days (got {shown!r})",
        )
    return value


def _periodicities(check: _Checker, path: str, value: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, list):
        check.fail(path, "must be an array")
        return value
    result = []
    for index, item in enumerate(value):
        item_path = f"{path}.{index}"
        body = check.obj(item_path, item, ("timeSteps", "timeUnit"))
        if body is None:
            if item is None:
                check.fail(item_path, "must be an object")
            continue
        for key in ("timeSteps", "timeUnit"):
            if body.get(key) is None:
                check.fail(f"{item_path}.{key}", "is required")
        result.append(
            {
                "timeSteps": check.integer(f"{item_path}.timeSteps", body.get("timeSteps"), lo=0),
                "timeUnit": check.enum(f"{item_path}.timeUnit", body.get("timeUnit"), TIME_UNITS),
            }
        )
    return result


def parse_policy_body(body: Any, *, create: bool) -> Doc:
    """Validate a policy create/update body; return the sparse, normalised set of keys it carried.

    Nested objects come back sparse too (only the keys sent), so an update can merge them key by key.
    """
    check = _Checker()
    if not isinstance(body, dict):
        raise UnprocessableError.from_errors({"body": "must be a JSON object"})
    for key in body:
        if key not in POLICY_KEYS:
            check.fail(key, _NOT_ALLOWED)
    c = check
    result: Doc = {}
    if "name" in body:
        if body["name"] is None:
            check.fail("name", "must not be null")
        result["name"] = c.string("name", body["name"], max_len=NAME_MAX, min_len=1)
    elif create:
        check.fail("name", "is required")
    scalar_rules: dict[str, Callable[[str, Any], Any]] = {
        "description": lambda p, v: c.string(p, v, max_len=DESCRIPTION_MAX),
        "action": lambda p, v: c.enum(p, v, ACTIONS),
        "featureListStrategy": lambda p, v: c.enum(p, v, FEATURE_LIST_STRATEGIES),
        "modelSelectionStrategy": lambda p, v: c.enum(p, v, MODEL_SELECTION_STRATEGIES),
        "projectOptionsStrategy": lambda p, v: c.enum(p, v, PROJECT_OPTIONS_STRATEGIES),
        "useCaseId": lambda p, v: c.string(p, v, min_len=1),
    }
    for key, rule in scalar_rules.items():
        if key in body:
            if body[key] is None and key in ("action", "featureListStrategy", "modelSelectionStrategy"):
                check.fail(key, "must not be null")
            result[key] = rule(key, body[key])
    nested_rules: dict[str, dict[str, Callable[[str, Any], Any]]] = {
        "autopilotOptions": {
            "mode": lambda p, v: c.enum(p, v, AUTOPILOT_MODES),
            "blendBestModels": c.boolean,
            "runLeakageRemovedFeatureList": c.boolean,
            "scoringCodeOnly": c.boolean,
            "shapOnlyMode": c.boolean,
        },
        "projectOptions": {
            "cvMethod": lambda p, v: c.enum(p, v, CV_METHODS),
            "validationType": lambda p, v: c.enum(p, v, VALIDATION_TYPES),
            "metric": lambda p, v: c.enum(p, v, METRICS),
            "holdoutPct": lambda p, v: c.number(p, v, 0, 98, int_if_integral=True),
            "validationPct": lambda p, v: c.number(p, v, 1, 99, int_if_integral=True),
            "reps": lambda p, v: c.integer(p, v, 2, 50),
        },
        "timeSeriesOptions": {
            "calendarId": c.string,
            "differencingMethod": lambda p, v: c.enum(p, v, DIFFERENCING_METHODS),
            "exponentiallyWeightedMovingAlpha": lambda p, v: c.number(p, v, 0.0, 1.0),
            "periodicities": lambda p, v: _periodicities(c, p, v),
            "treatAsExponential": lambda p, v: c.enum(p, v, TREAT_AS_EXPONENTIAL),
        },
        "trigger": {
            "type": lambda p, v: v if v == "None" else c.enum(p, v, TRIGGER_TYPES),
            "schedule": lambda p, v: _schedule(c, p, v),
            "statusDeclinesToWarning": c.boolean,
            "statusDeclinesToFailing": c.boolean,
            "statusStillInDecline": c.boolean,
            "minIntervalBetweenRuns": lambda p, v: _duration(c, p, v),
            "customJobId": c.string,
        },
    }
    for key, fields in nested_rules.items():
        if key in body:
            result[key] = _nested(check, key, body[key], fields)
    check.raise_if_any()
    return result


def _unset(key: str, variants: Variants) -> Doc:
    """A nested object whose keys were not sent: nulls, or with `nestedKeys=filled` the §6 values."""
    defaults = NESTED_DEFAULTS[key]
    return copy.deepcopy(defaults) if variants.fills_nested_defaults else dict.fromkeys(defaults)


def new_policy(policy_id: str, parsed: Doc, variants: Variants) -> Doc:
    """A full stored policy from a validated create body: the scalar defaults, every nested key present."""
    doc: Doc = {"id": policy_id, "name": parsed["name"]}
    doc.update(copy.deepcopy(SCALAR_DEFAULTS))
    for key in NESTED_DEFAULTS:
        doc[key] = _unset(key, variants)
    return merge_policy(doc, {k: v for k, v in parsed.items() if k != "name"}, variants)


def merge_policy(current: Doc, parsed: Doc, variants: Variants) -> Doc:
    """Apply a validated update: scalars replace, nested objects merge key by key (explicit null clears a key;
    a whole nested object sent as null is as if none of its keys had ever been sent)."""
    doc = copy.deepcopy(current)
    for key, value in parsed.items():
        if key in NESTED_DEFAULTS:
            if value is None:
                doc[key] = _unset(key, variants)
                continue
            # A schedule is complete when sent (the parser refuses a partial one), so it replaces the stored one.
            doc[key] = {**doc[key], **value}
        else:
            doc[key] = value
    return doc


def check_policy(doc: Doc) -> None:
    """Rules across fields of the resulting policy (checked after a merge, so an update cannot sneak past
    them)."""
    check = _Checker()
    autopilot = doc["autopilotOptions"]
    if autopilot.get("blendBestModels") and autopilot.get("shapOnlyMode"):
        check.fail("autopilotOptions.blendBestModels", "is not supported together with shapOnlyMode")
    ts = doc["timeSeriesOptions"]
    if ts.get("differencingMethod") == "seasonal" and not ts.get("periodicities"):
        check.fail("timeSeriesOptions.periodicities", "are required when differencingMethod is seasonal")
    trigger = doc["trigger"]
    if trigger.get("type") == "schedule" and trigger.get("schedule") is None:
        check.fail("trigger.schedule", "is required when trigger.type is schedule")
    if trigger.get("type") == "custom_job" and not trigger.get("customJobId"):
        check.fail("trigger.customJobId", "is required when trigger.type is custom_job")
    check.raise_if_any()


def parse_settings_body(body: Any) -> Doc:
    """A retraining settings PATCH: ids, each optional and nullable (null clears)."""
    check = _Checker()
    parsed = check.obj("", body, SETTINGS_KEYS)
    if parsed is None:
        raise UnprocessableError.from_errors({"body": "must be a JSON object"})
    result = {key: check.string(key, parsed[key], min_len=1) for key in parsed if key in SETTINGS_KEYS}
    check.raise_if_any()
    return result


def policy_response(doc: Doc, latest_run: Doc | None, use_case: Doc | None, variants: Variants) -> Doc:
    """§3.1: every key present, nested objects complete, no deploymentId, no timestamps; ``customJob`` only for a
    policy that names a custom job (the docs' example policy has no such key)."""
    custom_job_id = doc["trigger"].get("customJobId")
    response = {
        "id": doc["id"],
        "name": doc["name"],
        "description": doc["description"],
        "action": doc["action"],
        "autopilotOptions": dict(doc["autopilotOptions"]),
        "featureListStrategy": doc["featureListStrategy"],
        "modelSelectionStrategy": doc["modelSelectionStrategy"],
        "projectOptions": dict(doc["projectOptions"]),
        "projectOptionsStrategy": doc["projectOptionsStrategy"],
        "timeSeriesOptions": _time_series_answer(doc["timeSeriesOptions"], variants),
        "trigger": dict(doc["trigger"]),
        "latestRun": latest_run,
        "useCase": None if use_case is None else {"id": use_case["id"], "name": use_case["name"]},
    }
    if custom_job_id is not None:
        # No custom-job API in the emulator: the job is known only by the id the trigger names.
        response["customJob"] = {"id": custom_job_id, "name": None}
    return response


def _time_series_answer(options: Doc, variants: Variants) -> Doc:
    """The stored options as answered: with periodicities and the method unset or auto, the API's description says
    the server uses `seasonal`, so (unless `differencing=asSent`) that is what it reports. Stored as sent, so
    removing the periodicities later brings the method back."""
    answer = dict(options)
    if (
        variants.resolves_differencing
        and answer.get("periodicities")
        and answer.get("differencingMethod") in (None, "auto")
    ):
        answer["differencingMethod"] = "seasonal"
    return answer
