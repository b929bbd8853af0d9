"""What only the server's answer of a retraining policy holds (hand-written; the generated `RetrainingPolicy` adds
the fields of the desired state)."""

from __future__ import annotations

from typing import Any

from .common import NamedRef, ResponseModel
from .run import RetrainingPolicyRun

__all__ = ["PolicyAnswer"]


class PolicyAnswer(ResponseModel):
    """A policy's id, newest run, custom job and use case as the server reports them."""

    id: str
    latest_run: RetrainingPolicyRun | None = None
    custom_job: dict[str, Any] | None = None
    use_case: NamedRef | None = None
