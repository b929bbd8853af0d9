"""Desired state of a deployment's retraining settings, declared once: its fields and leaf paths; `check`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict

from datarobot_retraining.inputs._check import check_inputs
from datarobot_retraining.inputs._shape import NotSent, ReplacesOnChange, Required, leaf_paths
from datarobot_retraining.inputs._validation import Failure, Id, InputModel


class RetrainingSettingsInputs(InputModel):
    """Which dataset, prediction environment, user and credential a deployment's retraining runs use."""

    deployment_id: Annotated[Id | None, Required(), NotSent(), ReplacesOnChange()] = None
    """The deployment whose retraining this configures (also the resource id). Changing it replaces the resource."""
    dataset_id: Id | None = None
    """The dataset retraining runs train on."""
    prediction_environment_id: Id | None = None
    """Where retrained models are deployed."""
    retraining_user_id: Id | None = None
    """The user whose permissions automatic (triggered) runs use; required by triggered policies."""
    credential_id: Id | None = None
    """The credential used to read the retraining dataset, when it needs one; kept as last written when the server's
    answer does not show it (DataRobot's is not known to)."""


class RetrainingSettingsOutputs(BaseModel):
    """What the provider reports beyond the inputs (the SDK declares them as output attributes)."""

    dataset_name: str | None
    prediction_environment_name: str | None
    retraining_user_name: str | None
    credential_name: str | None
    managed_fields: list[str]
    """The settings this resource sets (the others are left as they are on the server)."""

    model_config = ConfigDict(use_attribute_docstrings=True)


#: The settings a resource can set, compare and clear (they have no server defaults: a removed one is cleared).
SETTINGS_LEAVES: tuple[str, ...] = leaf_paths(RetrainingSettingsInputs)


def check_settings(news: Mapping[str, Any]) -> tuple[dict[str, Any], list[Failure]]:
    """Validate and normalize settings inputs (the one check path and its rule for unknowns: `inputs._check`)."""
    return check_inputs(
        news, RetrainingSettingsInputs, root="RetrainingSettings", outputs=RetrainingSettingsOutputs.model_fields
    )
