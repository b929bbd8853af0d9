"""Run lifecycle: scheduled → running (building project → autopilot → the action's step) → a final state.

A run's state is a function of its creation time, its step length and the clock, so it can be advanced lazily on
any read and by the background ticker with the same result.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .clock import iso
from .errors import ConflictError
from .variants import Variants

Doc = dict[str, Any]

SCHEDULED, RUNNING, SUCCEEDED, FAILED, CANCELLED = "scheduled", "running", "succeeded", "failed", "cancelled"
ACTIVE_STATUSES = frozenset({SCHEDULED, RUNNING})
FINAL_STATUSES = frozenset({SUCCEEDED, FAILED, CANCELLED})

BUILDING_PROJECT = "building project"
RUNNING_AUTOPILOT = "running autopilot"
ACTION_STEPS = {
    "create_challenger": "creating challenger",
    "model_replacement": "replacing model",
    "create_model_package": "saving model package",
}
# The reference: no cancel once the run touches the deployment (adding a challenger or swapping the champion).
UNCANCELLABLE_STEPS = frozenset({"creating challenger", "replacing model"})

# How each status is served, per `runStatuses` variant (the real values are unpublished): ours, another plausible
# family of spellings, and words no client can know (a client must then stay bounded by its timeouts).
STATUS_SPELLINGS: dict[str, dict[str, str]] = {
    "lowercase": {status: status for status in (SCHEDULED, RUNNING, SUCCEEDED, FAILED, CANCELLED)},
    "alternate": {
        SCHEDULED: "QUEUED",
        RUNNING: "RUNNING",
        SUCCEEDED: "COMPLETED",
        FAILED: "ERROR",
        CANCELLED: "CANCELED",
    },
    "opaque": {SCHEDULED: "stage-1", RUNNING: "stage-2", SUCCEEDED: "stage-3", FAILED: "stage-4", CANCELLED: "stage-5"},
}

# Events advance() reports so the backend can apply side effects (ids, champion replacement) exactly once.
STARTED, FINISHED = "started", "finished"


def new_run(
    run_id: str,
    *,
    policy_id: str,
    deployment_id: str,
    action: str,
    created_at: float,
    step_seconds: float,
    fail_message: str | None,
    started_by: str,
    use_case_id: str | None = None,
) -> Doc:
    return {
        "id": run_id,
        "policyId": policy_id,
        "deploymentId": deployment_id,
        "action": action,
        "createdAt": created_at,
        "stepSeconds": step_seconds,
        "failMessage": fail_message,
        "startedBy": started_by,
        "status": SCHEDULED,
        "currentStep": None,
        "startTime": None,
        "finishTime": None,
        "challengerId": None,
        "errorMessage": None,
        "modelPackageId": None,
        "projectId": None,
        "registeredModelId": None,
        "useCaseId": use_case_id,
    }


def _timeline(doc: Doc) -> list[tuple[float, str, str | None]]:
    """(instant, status, step) boundaries after creation, in order."""
    t0, step = float(doc["createdAt"]), float(doc["stepSeconds"])
    points: list[tuple[float, str, str | None]] = [
        (t0 + step, RUNNING, BUILDING_PROJECT),
        (t0 + 2 * step, RUNNING, RUNNING_AUTOPILOT),
    ]
    if doc["failMessage"] is not None:
        # A failing run dies at the end of Autopilot: it never reaches the step that touches the deployment.
        points.append((t0 + 3 * step, FAILED, None))
    else:
        points.append((t0 + 3 * step, RUNNING, ACTION_STEPS[doc["action"]]))
        points.append((t0 + 4 * step, SUCCEEDED, None))
    return points


def advance(doc: Doc, now: float, new_id: Callable[[], str]) -> list[str]:
    """Move ``doc`` (in place) to its state at ``now``; return the events crossed (STARTED, FINISHED)."""
    if doc["status"] in FINAL_STATUSES:
        return []
    events: list[str] = []
    for instant, status, step in _timeline(doc):
        if instant > now:
            break
        if doc["startTime"] is None and status != SCHEDULED:
            doc["startTime"] = instant
            # The project exists from the first step on, so even a failed run names it.
            doc["projectId"] = new_id()
            events.append(STARTED)
        doc["status"], doc["currentStep"] = status, step
        if status == FAILED:
            doc["finishTime"] = instant
            doc["errorMessage"] = doc["failMessage"]
            events.append(FINISHED)
        elif status == SUCCEEDED:
            doc["finishTime"] = instant
            doc["modelPackageId"] = new_id()
            doc["registeredModelId"] = new_id()
            if doc["action"] == "create_challenger":
                doc["challengerId"] = new_id()
            events.append(FINISHED)
    return events


def cancel(doc: Doc, now: float, variants: Variants) -> None:
    """Cancel in place, or 409 when the reference says the run is past the point of no return."""
    if doc["status"] in FINAL_STATUSES:
        raise ConflictError(
            f"Retraining run {doc['id']} cannot be cancelled: its status is {served_status(doc, variants)}."
        )
    if doc["currentStep"] in UNCANCELLABLE_STEPS:
        raise ConflictError(
            f"Retraining run {doc['id']} cannot be cancelled: it has reached the {doc['currentStep']!r} step."
        )
    doc["status"], doc["currentStep"], doc["finishTime"] = CANCELLED, None, now


def served_status(doc: Doc, variants: Variants) -> str:
    """The run's status as the variants spell it."""
    return STATUS_SPELLINGS[variants.run_statuses][doc["status"]]


def run_response(doc: Doc, variants: Variants) -> Doc:
    """§3.7 with ``useCaseId`` (the docs' ``latestRun`` shows it), plus ``currentStep`` when the variants show steps
    (an emulator extra the public run object does not have)."""
    response = {
        "id": doc["id"],
        "status": served_status(doc, variants),
        "startTime": iso(doc["startTime"]),
        "finishTime": iso(doc["finishTime"]),
        "challengerId": doc["challengerId"],
        "errorMessage": doc["errorMessage"],
        "modelPackageId": doc["modelPackageId"],
        "projectId": doc["projectId"],
        "registeredModelId": doc["registeredModelId"],
        # Runs stored by an older emulator have no use case recorded.
        "useCaseId": doc.get("useCaseId"),
    }
    if variants.shows_steps:
        response["currentStep"] = doc["currentStep"]
    return response
