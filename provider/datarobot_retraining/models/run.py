"""Wire model of a retraining policy run (reference §3.7)."""

from __future__ import annotations

from datetime import datetime

from .common import ResponseModel
from .enums import is_terminal

__all__ = ["RUN_FIELDS", "RetrainingPolicyRun"]


class RetrainingPolicyRun(ResponseModel):
    """One run of a retraining policy, as the server reports it."""

    id: str
    status: str
    """`RunStatus` value on the emulator; kept as `str` because the real server's values are unpublished."""
    start_time: datetime | None = None
    finish_time: datetime | None = None
    project_id: str | None = None
    model_package_id: str | None = None
    registered_model_id: str | None = None
    challenger_id: str | None = None
    error_message: str | None = None

    @property
    def is_terminal(self) -> bool:
        """True once the run cannot change any more (unknown statuses count as in progress)."""
        return is_terminal(self.status)


#: A run's fields, snake_case, in the order every output shows them (a policy's `latest_run`, a RetrainingPolicyRun's
#: outputs, the CLI's run documents): declared once, by the model above.
RUN_FIELDS: tuple[str, ...] = tuple(RetrainingPolicyRun.model_fields)
