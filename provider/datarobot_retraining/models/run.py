"""Wire model of a retraining policy run (reference §3.7)."""

from __future__ import annotations

from datetime import datetime

from .common import ResponseModel
from .enums import RunOutcome, outcome_of

__all__ = ["RetrainingPolicyRun"]


class RetrainingPolicyRun(ResponseModel):
    """One run of a retraining policy, as the server reports it."""

    id: str
    status: str
    """As the server spells it (the values are unpublished); `outcome` says what it means."""
    start_time: datetime | None = None
    finish_time: datetime | None = None
    challenger_id: str | None = None
    error_message: str | None = None
    model_package_id: str | None = None
    project_id: str | None = None
    registered_model_id: str | None = None
    use_case_id: str | None = None
    """The use case of the run's policy (the public docs' `latestRun` shows it)."""

    @property
    def outcome(self) -> RunOutcome:
        """What `status` means; `outcome.finished` once the run cannot change any more (unknown: not finished)."""
        return outcome_of(self.status)
