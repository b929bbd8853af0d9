"""Run orchestration: the clock moves runs along, and due schedules and health declines start runs through the gates.

No HTTP and no transactions of its own: every method works inside the caller's transaction.
"""

from __future__ import annotations

from typing import Any

from . import lookups
from . import runs as run_lifecycle
from .clock import Clock, to_datetime
from .schedule import next_fire, parse_duration
from .store import Tx
from .variants import Variants

Doc = dict[str, Any]

DECLINE_KINDS = {"accuracy_decline": "accuracy", "data_drift_decline": "data_drift"}
# Which deployment health field a decline trigger watches: DataRobot calls data-drift health "modelHealth".
HEALTH_FIELDS = {"accuracy": "accuracyHealth", "data_drift": "modelHealth", "service": "serviceHealth"}
_DECLINE_RANK = {"passing": 0, "unknown": 0, "unavailable": 0, "warning": 1, "failing": 2}

DEFAULT_FAIL_MESSAGE = "Autopilot failed: the emulator was told to fail this run."


class Orchestrator:
    """The clock, the step length of new runs, the variants the answers follow, and what they drive.

    ``sync`` is what every rule calls first and what the ticker calls on its own: runs advance to the clock's now and
    due schedules fire, so state is current on every read even if the background ticker has not run yet.
    """

    def __init__(self, step_seconds: float, variants: Variants | None = None) -> None:
        self.default_step_seconds = step_seconds
        self.step_seconds = step_seconds
        # Per process, like the step length: a reset returns to the start-up set.
        self.default_variants = variants or Variants()
        self.variants = self.default_variants
        self.clock = Clock()

    # -- sync: runs and schedules --
    def sync(self, tx: Tx) -> list[str]:
        now = self.clock.now()
        for run in tx.runs_active():
            self._advance_run(tx, run, now)
        return self._fire_due_schedules(tx, now)

    def _advance_run(self, tx: Tx, run: Doc, now: float) -> None:
        before = (run["status"], run["currentStep"])
        events = run_lifecycle.advance(run, now, tx.next_id)
        if run_lifecycle.FINISHED in events and run["status"] == run_lifecycle.SUCCEEDED:
            self._apply_success(tx, run)
        if events or before != (run["status"], run["currentStep"]):
            tx.run_update(run["id"], run, run["status"] in run_lifecycle.ACTIVE_STATUSES)

    def _apply_success(self, tx: Tx, run: Doc) -> None:
        if run["action"] != "model_replacement":
            return
        deployment = tx.obj_get("deployment", run["deploymentId"])
        if deployment is None:
            return
        # The retrained model becomes the champion: the deployment now serves a new model from the run's project.
        model = dict(deployment["model"])
        model["id"], model["projectId"] = tx.next_id(), run["projectId"]
        deployment["model"] = model
        deployment["modelPackage"] = {
            "id": run["modelPackageId"],
            "name": f"{model.get('type')} (retrained)",
            "registeredModelId": run["registeredModelId"],
        }
        tx.obj_put("deployment", deployment["id"], deployment)

    def next_fire_at(self, doc: Doc, after: float) -> float | None:
        trigger = doc["trigger"]
        if trigger.get("schedule") is None:
            return None
        # A schedule drives a "schedule" trigger, and the still-in-decline re-check of a decline trigger;
        # manual and custom-job policies may store a schedule but it never fires.
        if trigger.get("type") != "schedule" and trigger.get("type") not in DECLINE_KINDS:
            return None
        when = next_fire(trigger["schedule"], to_datetime(after))
        return None if when is None else when.timestamp()

    def recompute_next_fires(self, tx: Tx, now: float) -> None:
        for policy_id, _deployment_id, doc in tx.policies_all():
            tx.policy_set_next_fire(policy_id, self.next_fire_at(doc, now))

    def _fire_due_schedules(self, tx: Tx, now: float) -> list[str]:
        started = []
        for policy_id, deployment_id, doc in tx.policies_due(now):
            # However many ticks were crossed, at most one run per policy per evaluation.
            tx.policy_set_next_fire(policy_id, self.next_fire_at(doc, now))
            trigger = doc["trigger"]
            if trigger["type"] in DECLINE_KINDS:
                if not trigger.get("statusStillInDecline"):
                    continue
                status = self._health_status(tx, deployment_id, DECLINE_KINDS[trigger["type"]])
                if status not in ("warning", "failing"):
                    continue
            run = self._start_automatic(tx, deployment_id, doc, now, "schedule")
            if run is not None:
                started.append(run["id"])
        return started

    def _health_status(self, tx: Tx, deployment_id: str, kind: str) -> str | None:
        deployment = tx.obj_get("deployment", deployment_id)
        if deployment is None:
            return None
        status = deployment[HEALTH_FIELDS[kind]]["status"]
        return str(status)

    # -- declines --
    def fire_declines(self, tx: Tx, deployment_id: str, kind: str, old: str, status: str) -> list[str]:
        """Decline policies of ``kind`` react at once to a health that got worse; returns the ids of runs started."""
        started: list[str] = []
        if _DECLINE_RANK.get(status, 0) <= _DECLINE_RANK.get(old, 0):
            return started
        now = self.clock.now()
        for doc in tx.policy_list(deployment_id):
            trigger = doc["trigger"]
            if DECLINE_KINDS.get(trigger["type"]) != kind:
                continue
            fires = (status == "warning" and trigger.get("statusDeclinesToWarning")) or (
                status == "failing" and trigger.get("statusDeclinesToFailing")
            )
            if fires:
                run = self._start_automatic(tx, deployment_id, doc, now, f"{kind} decline")
                if run is not None:
                    started.append(run["id"])
        return started

    # -- starting runs --
    def _start_automatic(self, tx: Tx, deployment_id: str, doc: Doc, now: float, reason: str) -> Doc | None:
        """Start a triggered run unless a gate says no: run in progress, minimum interval, no dataset."""
        if tx.runs_active(doc["id"]):
            return None
        interval = doc["trigger"].get("minIntervalBetweenRuns")
        latest = tx.run_latest(doc["id"])
        if interval and latest is not None:
            delta = parse_duration(interval)
            if delta is not None and now - float(latest["createdAt"]) < delta.total_seconds():
                return None
        if lookups.retraining_settings(tx, deployment_id)["datasetId"] is None:
            return None
        return self.create_run(tx, deployment_id, doc, now, reason)

    def create_run(self, tx: Tx, deployment_id: str, doc: Doc, now: float, reason: str) -> Doc:
        fail = tx.meta_get("failNext", {"count": 0, "message": None})
        fail_message = None
        if fail["count"] > 0:
            fail_message = fail["message"] or DEFAULT_FAIL_MESSAGE
            tx.meta_set("failNext", {"count": fail["count"] - 1, "message": fail["message"]})
        run = run_lifecycle.new_run(
            tx.next_id(),
            policy_id=doc["id"],
            deployment_id=deployment_id,
            action=doc["action"],
            created_at=now,
            step_seconds=self.step_seconds,
            fail_message=fail_message,
            started_by=reason,
            use_case_id=doc.get("useCaseId"),
        )
        run_lifecycle.advance(run, now, tx.next_id)  # a zero step length finishes at once
        tx.run_insert(run["id"], doc["id"], deployment_id, run, run["status"] in run_lifecycle.ACTIVE_STATUSES)
        if run["status"] == run_lifecycle.SUCCEEDED:
            self._apply_success(tx, run)
        return run
