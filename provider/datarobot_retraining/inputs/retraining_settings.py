"""Desired state of a deployment's retraining settings: validation for `check` and its leaf paths."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from datarobot_retraining.inputs._validation import (
    PROVIDER_KEY,
    Failure,
    Id,
    InputModel,
    restore_unknowns,
    split_unknowns,
    validation_failures,
)


class RetrainingSettingsInputs(InputModel):
    """Which dataset, prediction environment, user and credential a deployment's retraining runs use."""

    deployment_id: Id | None = None
    dataset_id: Id | None = None
    prediction_environment_id: Id | None = None
    retraining_user_id: Id | None = None
    credential_id: Id | None = None


SETTINGS_LEAVES: tuple[str, ...] = (
    "dataset_id",
    "prediction_environment_id",
    "retraining_user_id",
    "credential_id",
)


def check_settings(news: Mapping[str, Any]) -> tuple[dict[str, Any], list[Failure]]:
    """Validate and normalize settings inputs; unknown values pass through untouched and unjudged."""
    props = {k: v for k, v in news.items() if k != PROVIDER_KEY}
    known, unknown_paths = split_unknowns(props)
    try:
        model = RetrainingSettingsInputs.model_validate(known)
    except ValidationError as error:
        return dict(news), validation_failures(error, root="RetrainingSettings")
    normalized = model.model_dump(mode="json", exclude_unset=True)
    failures = []
    if normalized.get("deployment_id") is None and ("deployment_id",) not in unknown_paths:
        failures.append(Failure("deployment_id", "deployment_id is required"))
    result = restore_unknowns(normalized, unknown_paths)
    if PROVIDER_KEY in news:
        result[PROVIDER_KEY] = news[PROVIDER_KEY]
    return result, failures
