"""Wire model of a deployment, as far as the retraining workflow reads it (reference §2, deployments)."""

from __future__ import annotations

from typing import Any

from .common import IntOrFloat, ResponseModel

__all__ = [
    "Deployment",
    "DeploymentModel",
    "DeploymentModelPackage",
    "DeploymentOwner",
    "DeploymentOwners",
    "DeploymentPredictionEnvironment",
    "HealthState",
]


class DeploymentModel(ResponseModel):
    """The champion model of a deployment."""

    id: str | None = None
    type: str | None = None
    target_name: str | None = None
    target_type: str | None = None
    project_id: str | None = None


class DeploymentModelPackage(ResponseModel):
    """The model package (registered model version) the deployment serves."""

    id: str | None = None
    name: str | None = None
    registered_model_id: str | None = None


class DeploymentPredictionEnvironment(ResponseModel):
    """Where the deployment makes predictions."""

    id: str | None = None
    name: str | None = None
    platform: str | None = None


class DeploymentOwner(ResponseModel):
    """One owner in the owners preview."""

    id: str | None = None
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None


class DeploymentOwners(ResponseModel):
    """The owners count and a preview of the first few."""

    count: IntOrFloat | None = None
    preview: list[DeploymentOwner] | None = None


class HealthState(ResponseModel):
    """One health indicator (`accuracyHealth`, `modelHealth`, `serviceHealth`)."""

    status: str | None = None
    message: str | None = None


class Deployment(ResponseModel):
    """A deployment; every nested object is optional and tolerant of keys we do not know."""

    id: str
    label: str | None = None
    description: str | None = None
    status: str | None = None
    importance: str | None = None
    model: DeploymentModel | None = None
    model_package: DeploymentModelPackage | None = None
    prediction_environment: DeploymentPredictionEnvironment | None = None
    owners: DeploymentOwners | None = None
    accuracy_health: HealthState | None = None
    model_health: HealthState | None = None
    service_health: HealthState | None = None
    permissions: list[Any] | None = None
