"""Wire models of a deployment's retraining settings (§3.8): read shape (objects), write shape (ids)."""

from __future__ import annotations

from .common import NamedRef, RequestModel, ResponseModel, UserRef

__all__ = ["RetrainingSettings", "RetrainingSettingsUpdate"]


class RetrainingSettings(ResponseModel):
    """What `GET .../retrainingSettings/` answers; each reference is `None` when unset."""

    dataset: NamedRef | None = None
    prediction_environment: NamedRef | None = None
    retraining_user: UserRef | None = None
    credential: NamedRef | None = None
    """Absent from every public example of this answer: `"credential" in model_fields_set` tells absent from null."""


class RetrainingSettingsUpdate(RequestModel):
    """The PATCH body: only the fields you set are sent; set one to `None` to clear it on the server."""

    dataset_id: str | None = None
    prediction_environment_id: str | None = None
    retraining_user_id: str | None = None
    credential_id: str | None = None
