"""RetrainingSettings: the program-side resource for a deployment's retraining dataset, environment, user."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi.dynamic

from datarobot_retraining.resources.retraining_settings import RetrainingSettingsProvider
from pulumi_datarobot_retraining._utilities import merge_id, refuse_import, resource_props

_OUTPUT_ONLY = (
    "dataset_name",
    "prediction_environment_name",
    "retraining_user_name",
    "credential_name",
    "managed_fields",
)


@dataclass
class RetrainingSettingsArgs:
    """The inputs of a RetrainingSettings resource, for programs that build them before declaring the resource."""

    deployment_id: pulumi.Input[str]
    dataset_id: pulumi.Input[str] | None = None
    prediction_environment_id: pulumi.Input[str] | None = None
    retraining_user_id: pulumi.Input[str] | None = None
    credential_id: pulumi.Input[str] | None = None


class RetrainingSettings(pulumi.dynamic.Resource, module="datarobot", name="RetrainingSettings"):
    """The retraining settings of one deployment (type `pulumi-python:dynamic/datarobot:RetrainingSettings`).

    Policies need them first: declare the settings and give each policy `depends_on=[settings]`. Deleting this
    resource clears the values it set; use `pulumi.ResourceOptions(retain_on_delete=True)` to keep them.
    """

    deployment_id: pulumi.Output[str]
    """The deployment whose retraining this configures (also the resource id). Changing it replaces the resource."""
    dataset_id: pulumi.Output[str | None]
    """The dataset retraining runs train on."""
    dataset_name: pulumi.Output[str | None]
    prediction_environment_id: pulumi.Output[str | None]
    """Where retrained models are deployed."""
    prediction_environment_name: pulumi.Output[str | None]
    retraining_user_id: pulumi.Output[str | None]
    """The user whose permissions automatic (triggered) runs use; required by triggered policies."""
    retraining_user_name: pulumi.Output[str | None]
    credential_id: pulumi.Output[str | None]
    """The credential used to read the retraining dataset, when it needs one: as the server reports it, or as this
    resource last wrote it when the server's answer does not show it (DataRobot's is not known to)."""
    credential_name: pulumi.Output[str | None]
    managed_fields: pulumi.Output[list[str]]
    """The settings this resource sets (the others are left as they are on the server)."""

    def __init__(
        self,
        resource_name: str,
        *,
        deployment_id: pulumi.Input[str] | None = None,
        dataset_id: pulumi.Input[str] | None = None,
        prediction_environment_id: pulumi.Input[str] | None = None,
        retraining_user_id: pulumi.Input[str] | None = None,
        credential_id: pulumi.Input[str] | None = None,
        args: RetrainingSettingsArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """Declare a deployment's retraining settings. Keywords given here win over the same fields in `args`.

        A value left out is not managed: the server keeps whatever it holds. A value removed from the program
        after it was set is cleared.
        """
        keywords = {
            "deployment_id": deployment_id,
            "dataset_id": dataset_id,
            "prediction_environment_id": prediction_environment_id,
            "retraining_user_id": retraining_user_id,
            "credential_id": credential_id,
        }
        props = resource_props(
            "RetrainingSettings",
            resource_name,
            args,
            keywords,
            required=("deployment_id",),
            attributes=(*keywords, *_OUTPUT_ONLY),
        )
        super().__init__(
            RetrainingSettingsProvider(), resource_name, props, refuse_import("RetrainingSettings", resource_name, opts)
        )

    @classmethod
    def get(
        cls, resource_name: str, id: pulumi.Input[str], opts: pulumi.ResourceOptions | None = None
    ) -> RetrainingSettings:
        """Reference the existing retraining settings of deployment `id` read-only (nothing is changed)."""
        resource = cls.__new__(cls)
        props: dict[str, Any] = {
            **dict.fromkeys(_OUTPUT_ONLY),
            "deployment_id": id,
            "dataset_id": None,
            "prediction_environment_id": None,
            "retraining_user_id": None,
            "credential_id": None,
        }
        pulumi.dynamic.Resource.__init__(
            resource, RetrainingSettingsProvider(), resource_name, props, merge_id(opts, id)
        )
        return resource
