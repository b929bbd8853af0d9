"""Wire models of a deployment's retraining settings (§3.8): read shape (objects), write shape (ids, generated)."""

from __future__ import annotations

from .common import NamedRef, ResponseModel, UserRef
from .retraining_settings_update import RetrainingSettingsUpdate

__all__ = ["RetrainingSettings", "RetrainingSettingsUpdate"]


class RetrainingSettings(ResponseModel):
    """What `GET .../retrainingSettings/` answers; each reference is `None` when unset."""

    dataset: NamedRef | None = None
    prediction_environment: NamedRef | None = None
    retraining_user: UserRef | None = None
    credential: NamedRef | None = None
    """Absent from every public example of this answer: `"credential" in model_fields_set` tells absent from null."""
