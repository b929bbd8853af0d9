"""State and business rules of the emulated API (no HTTP here): what each endpoint does to the store, and why
it may refuse."""

from __future__ import annotations

import logging
import threading
from typing import Any

from . import runs as run_lifecycle
from .clock import Clock, to_datetime
from .errors import ConflictError, NotFoundError, RefusalError, UnprocessableError
from .schedule import next_fire, parse_duration
from .schemas import (
    MANUAL_TRIGGER_TYPES,
    POLICY_LIMIT,
    check_policy,
    merge_policy,
    new_policy,
    parse_policy_body,
    parse_settings_body,
    policy_response,
)
from .seed import (
    DEMO_ORG_ID,
    DEMO_USER,
    HEALTH_STATUSES,
    add_deployments,
    apply_seed,
    deployment_settings_doc,
    health,
)
from .store import Store, Tx
from .variants import Variants

log = logging.getLogger(__name__)

Doc = dict[str, Any]

DEPLOYMENT_NOT_FOUND = "Deployment not found."
POLICY_NOT_FOUND = "Deployment or retraining policy not found."
RUN_NOT_FOUND = "Retraining run not found."

DECLINE_KINDS = {"accuracy_decline": "accuracy", "data_drift_decline": "data_drift"}
# Which deployment health field a decline trigger watches: DataRobot calls data-drift health "modelHealth".
HEALTH_FIELDS = {"accuracy": "accuracyHealth", "data_drift": "modelHealth", "service": "serviceHealth"}
_DECLINE_RANK = {"passing": 0, "unknown": 0, "unavailable": 0, "warning": 1, "failing": 2}

# Objects served read-only, with the 404 message and the key that carries the id on the wire.
OBJECT_KINDS = {
    "dataset": ("Dataset not found.", "datasetId"),
    "predictionEnvironment": ("Prediction environment not found.", "id"),
    "useCase": ("Use case not found.", "id"),
    "user": ("User not found.", "id"),
    "credential": ("Credential not found.", "credentialId"),
}
SETTINGS_REFERENCES = {
    "datasetId": "dataset",
    "predictionEnvironmentId": "predictionEnvironment",
    "retrainingUserId": "user",
    "credentialId": "credential",
}
EMPTY_SETTINGS: Doc = dict.fromkeys(SETTINGS_REFERENCES)

DEFAULT_FAIL_MESSAGE = "Autopilot failed: the emulator was told to fail this run."


class Backend:
    """The emulator's state machine over a ``Store``.

    Every public method runs in one transaction. Each one first *syncs*: runs advance to the clock's now and
    due
    schedules fire, so state is current on every read even if the background ticker has not run yet.
    """

    def __init__(
        self,
        store: Store,
        *,
        step_seconds: float = 2.0,
        seed: str | None = "demo",
        seed_deployments: int | None = None,
        reset: bool = False,
        variants: Variants | None = None,
    ) -> None:
        self.store = store
        self.default_step_seconds = step_seconds
        self.step_seconds = step_seconds
        # Per process, like the step length: a reset returns to the start-up set.
        self.default_variants = variants or Variants()
        self.variants = self.default_variants
        self._ticker: threading.Thread | None = None
        self._ticker_stop = threading.Event()
        with store.transaction() as tx:
            if reset or tx.meta_get("seed") is None:
                # A file database that already holds a world keeps it: restarts must not lose state.
                self._reset(tx, seed or "empty", seed_deployments)
            state = tx.meta_get("clock", {})
            self.clock = Clock(float(state.get("offset", 0.0)), state.get("frozenAt"))
            # Schedules do not catch up on ticks missed while the emulator was down; they resume from now.
            self._recompute_next_fires(tx, self.clock.now())

    # -- lifecycle --
    def _reset(self, tx: Tx, seed: str, deployments: int | None) -> None:
        tx.wipe()
        apply_seed(tx, seed, deployments=deployments)
        tx.meta_set("seed", seed)
        self.clock = Clock()
        tx.meta_set("clock", self.clock.state())
        self.step_seconds = self.default_step_seconds
        self.variants = self.default_variants

    def reset(self, seed: str = "demo", deployments: int | None = None) -> None:
        with self.store.transaction() as tx:
            self._reset(tx, seed, deployments)

    def tick(self) -> list[str]:
        """Advance runs and fire due schedules now; returns ids of runs started."""
        with self.store.transaction() as tx:
            return self._sync(tx)

    def start_ticker(self, interval: float) -> None:
        """A daemon thread that ticks every ``interval`` seconds, so runs and schedules progress with nobody
        reading."""
        if self._ticker is not None:
            return
        self._ticker_stop.clear()

        def loop() -> None:
            while not self._ticker_stop.wait(interval):
                try:
                    self.tick()
                except Exception:  # the ticker must survive anything; the next tick retries
                    log.exception("emulator ticker failed")

        self._ticker = threading.Thread(target=loop, name="emulator-ticker", daemon=True)
        self._ticker.start()

    def stop_ticker(self) -> None:
        if self._ticker is not None:
            self._ticker_stop.set()
            self._ticker.join()
            self._ticker = None

    # -- sync: runs and schedules --
    def _sync(self, tx: Tx) -> list[str]:
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
        # The retrained model becomes the champion: the deployment now serves a new model from the run's
        # project.
        model = dict(deployment["model"])
        model["id"], model["projectId"] = tx.next_id(), run["projectId"]
        deployment["model"] = model
        deployment["modelPackage"] = {
            "id": run["modelPackageId"],
            "name": f"{model.get('type')} (retrained)",
            "registeredModelId": run["registeredModelId"],
        }
        tx.obj_put("deployment", deployment["id"], deployment)

    def _next_fire_at(self, doc: Doc, after: float) -> float | None:
        trigger = doc["trigger"]
        if trigger.get("schedule") is None:
            return None
        # A schedule drives a "schedule" trigger, and the still-in-decline re-check of a decline trigger;
        # manual and custom-job policies may store a schedule but it never fires.
        if trigger.get("type") != "schedule" and trigger.get("type") not in DECLINE_KINDS:
            return None
        when = next_fire(trigger["schedule"], to_datetime(after))
        return None if when is None else when.timestamp()

    def _recompute_next_fires(self, tx: Tx, now: float) -> None:
        for policy_id, _deployment_id, doc in tx.policies_all():
            tx.policy_set_next_fire(policy_id, self._next_fire_at(doc, now))

    def _fire_due_schedules(self, tx: Tx, now: float) -> list[str]:
        started = []
        for policy_id, deployment_id, doc in tx.policies_due(now):
            # However many ticks were crossed, at most one run per policy per evaluation.
            tx.policy_set_next_fire(policy_id, self._next_fire_at(doc, now))
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
        if self._settings(tx, deployment_id)["datasetId"] is None:
            return None
        return self._create_run(tx, deployment_id, doc, now, reason)

    def _create_run(self, tx: Tx, deployment_id: str, doc: Doc, now: float, reason: str) -> Doc:
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

    # -- lookups --
    def _deployment(self, tx: Tx, deployment_id: str) -> Doc:
        doc = tx.obj_get("deployment", deployment_id)
        if doc is None:
            raise NotFoundError(DEPLOYMENT_NOT_FOUND)
        return doc

    def _policy(self, tx: Tx, deployment_id: str, policy_id: str) -> Doc:
        self._deployment(tx, deployment_id)
        found = tx.policy_get(policy_id)
        if found is None or found[0] != deployment_id:
            raise NotFoundError(POLICY_NOT_FOUND)
        return found[1]

    def _settings(self, tx: Tx, deployment_id: str) -> Doc:
        return tx.obj_get("retrainingSettings", deployment_id) or dict(EMPTY_SETTINGS)

    def _policy_out(self, tx: Tx, doc: Doc) -> Doc:
        latest = tx.run_latest(doc["id"])
        use_case = tx.obj_get("useCase", doc["useCaseId"]) if doc.get("useCaseId") else None
        latest_run = None if latest is None else run_lifecycle.run_response(latest, self.variants)
        return policy_response(doc, latest_run, use_case, self.variants)

    # -- discovery --
    def account_info(self) -> Doc:
        user = DEMO_USER
        return {
            "uid": user["id"],
            "username": user["username"],
            "email": user["email"],
            "firstName": user["firstName"],
            "lastName": user["lastName"],
            "orgId": DEMO_ORG_ID,
            "permissions": {"ENABLE_MLOPS": True, "ENABLE_MLOPS_RETRAINING": True},
        }

    # -- deployments --
    def list_deployments(self, offset: int, limit: int, search: str | None = None) -> tuple[list[Doc], int]:
        with self.store.transaction() as tx:
            self._sync(tx)
            if not search:
                return tx.obj_list("deployment", offset, limit), tx.obj_count("deployment")
            needle = search.lower()
            matches = [d for d in tx.obj_list("deployment") if needle in str(d.get("label", "")).lower()]
            return matches[offset : offset + limit], len(matches)

    def get_deployment(self, deployment_id: str) -> Doc:
        with self.store.transaction() as tx:
            self._sync(tx)
            return self._deployment(tx, deployment_id)

    def get_deployment_settings(self, deployment_id: str) -> Doc:
        with self.store.transaction() as tx:
            self._deployment(tx, deployment_id)
            return tx.obj_get("deploymentSettings", deployment_id) or deployment_settings_doc(False)

    def patch_deployment_settings(self, deployment_id: str, body: Any) -> str:
        """Apply a deployment settings change; returns the id of the (already completed) async job."""
        with self.store.transaction() as tx:
            self._deployment(tx, deployment_id)
            if not isinstance(body, dict):
                raise UnprocessableError.from_errors({"body": "must be a JSON object"})
            errors: dict[str, str] = {}
            settings = tx.obj_get("deploymentSettings", deployment_id) or deployment_settings_doc(False)
            for key, value in body.items():
                if key in ("challengerModels", "predictionsDataCollection", "targetDrift", "featureDrift"):
                    if not isinstance(value, dict) or not isinstance(value.get("enabled"), bool):
                        errors[f"{key}.enabled"] = "must be a boolean"
                        continue
                    settings[key] = {**settings.get(key, {}), **value}
                else:
                    # Other deployment settings exist in DataRobot but do not matter to retraining: stored as
                    # sent.
                    settings[key] = value
            if errors:
                raise UnprocessableError.from_errors(errors)
            tx.obj_put("deploymentSettings", deployment_id, settings)
            job_id = tx.next_id()
            tx.obj_put("job", job_id, {"id": job_id, "status": "COMPLETED", "deploymentId": deployment_id})
            return job_id

    def get_job(self, job_id: str) -> Doc:
        with self.store.transaction() as tx:
            job = tx.obj_get("job", job_id)
            if job is None:
                raise NotFoundError("Status not found.")
            return job

    def list_objects(self, kind: str, offset: int, limit: int) -> tuple[list[Doc], int]:
        with self.store.transaction() as tx:
            return tx.obj_list(kind, offset, limit), tx.obj_count(kind)

    def get_object(self, kind: str, obj_id: str) -> Doc:
        with self.store.transaction() as tx:
            doc = tx.obj_get(kind, obj_id)
            if doc is None:
                raise NotFoundError(OBJECT_KINDS[kind][0])
            return doc

    # -- retraining settings --
    def get_retraining_settings(self, deployment_id: str) -> Doc:
        with self.store.transaction() as tx:
            self._deployment(tx, deployment_id)
            settings = self._settings(tx, deployment_id)

            def ref(key: str, label: str) -> Doc | None:
                obj_id = settings.get(key)
                if obj_id is None:
                    return None
                kind = SETTINGS_REFERENCES[key]
                obj = tx.obj_get(kind, obj_id) or {}
                return {"id": obj_id, label: obj.get(label)}

            answer = {
                "dataset": ref("datasetId", "name"),
                "predictionEnvironment": ref("predictionEnvironmentId", "name"),
                "retrainingUser": ref("retrainingUserId", "username"),
            }
            # No public source shows the credential in this answer (the PATCH takes credentialId all the same).
            if self.variants.echoes_credential:
                answer["credential"] = ref("credentialId", "name")
            return answer

    def patch_retraining_settings(self, deployment_id: str, body: Any) -> None:
        with self.store.transaction() as tx:
            self._deployment(tx, deployment_id)
            parsed = parse_settings_body(body)
            errors = {}
            for key, value in parsed.items():
                kind = SETTINGS_REFERENCES[key]
                if value is not None and tx.obj_get(kind, value) is None:
                    errors[key] = OBJECT_KINDS[kind][0].replace(".", f" ({value}).")
            if errors:
                raise UnprocessableError.from_errors(errors)
            settings = self._settings(tx, deployment_id)
            settings.update(parsed)
            tx.obj_put("retrainingSettings", deployment_id, settings)

    # -- policies --
    def list_policies(self, deployment_id: str, offset: int, limit: int) -> tuple[list[Doc], int]:
        with self.store.transaction() as tx:
            self._sync(tx)
            self._deployment(tx, deployment_id)
            docs = tx.policy_list(deployment_id, offset, limit)
            return [self._policy_out(tx, d) for d in docs], tx.policy_count(deployment_id)

    def _check_policy_rules(self, tx: Tx, deployment_id: str, doc: Doc, parsed: Doc, *, create: bool) -> None:
        """§5 rules 3, 6 and the use-case reference (rule 2 only with `policyNeedsDataset=true`: public programs
        create policies without a dataset); on update only for what the update touches."""
        settings = self._settings(tx, deployment_id)
        if create and self.variants.policy_needs_dataset_at_create and settings["datasetId"] is None:
            raise UnprocessableError(
                "Retraining settings must set a dataset before a retraining policy can be created.",
                {"retrainingSettings.datasetId": "is required (PATCH retrainingSettings first)"},
            )
        triggered = doc["trigger"]["type"] not in MANUAL_TRIGGER_TYPES
        if (create or "trigger" in parsed) and triggered and settings["retrainingUserId"] is None:
            raise UnprocessableError(
                "A policy with a trigger needs a retraining user in the retraining settings.",
                {"trigger.type": "needs retrainingSettings.retrainingUserId to be set"},
            )
        if (create or "action" in parsed) and doc["action"] == "create_challenger":
            dep_settings = tx.obj_get("deploymentSettings", deployment_id) or {}
            if not dep_settings.get("challengerModels", {}).get("enabled"):
                raise UnprocessableError(
                    "Action create_challenger needs challenger models enabled on the deployment "
                    "(deployment settings challengerModels.enabled).",
                    {"action": "needs deployment setting challengerModels.enabled = true"},
                )
        if parsed.get("useCaseId") is not None and tx.obj_get("useCase", parsed["useCaseId"]) is None:
            raise UnprocessableError.from_errors({"useCaseId": f"Use case not found ({parsed['useCaseId']})."})

    def create_policy(self, deployment_id: str, body: Any) -> Doc:
        with self.store.transaction() as tx:
            self._sync(tx)
            self._deployment(tx, deployment_id)
            parsed = parse_policy_body(body, create=True)
            # Counted inside the same IMMEDIATE transaction as the insert: two racing creates cannot both see
            # 4.
            if tx.policy_count(deployment_id) >= POLICY_LIMIT:
                raise RefusalError(
                    f"A deployment can have at most {POLICY_LIMIT} retraining policies; "
                    f"deployment {deployment_id} already has {POLICY_LIMIT}.",
                    {"deploymentId": f"has reached the limit of {POLICY_LIMIT} retraining policies"},
                    self.variants.limit_status,
                )
            doc = new_policy(tx.next_id(), parsed, self.variants)
            check_policy(doc)
            self._check_policy_rules(tx, deployment_id, doc, parsed, create=True)
            now = self.clock.now()
            tx.policy_insert(doc["id"], deployment_id, doc, self._next_fire_at(doc, now))
            return self._policy_out(tx, doc)

    def get_policy(self, deployment_id: str, policy_id: str) -> Doc:
        with self.store.transaction() as tx:
            self._sync(tx)
            return self._policy_out(tx, self._policy(tx, deployment_id, policy_id))

    def _refuse_while_running(self, tx: Tx, policy_id: str, what: str) -> None:
        active = tx.runs_active(policy_id)
        if active:
            status = run_lifecycle.served_status(active[0], self.variants)
            raise ConflictError(f"Cannot {what} retraining policy {policy_id} while run {active[0]['id']} is {status}.")

    def patch_policy(self, deployment_id: str, policy_id: str, body: Any) -> Doc:
        with self.store.transaction() as tx:
            self._sync(tx)
            current = self._policy(tx, deployment_id, policy_id)
            parsed = parse_policy_body(body, create=False)
            self._refuse_while_running(tx, policy_id, "update")
            doc = merge_policy(current, parsed, self.variants)
            check_policy(doc)
            self._check_policy_rules(tx, deployment_id, doc, parsed, create=False)
            tx.policy_update(policy_id, doc, self._next_fire_at(doc, self.clock.now()))
            return self._policy_out(tx, doc)

    def delete_policy(self, deployment_id: str, policy_id: str) -> None:
        with self.store.transaction() as tx:
            self._sync(tx)
            self._policy(tx, deployment_id, policy_id)
            self._refuse_while_running(tx, policy_id, "delete")
            tx.policy_delete(policy_id)

    # -- runs --
    def start_run(self, deployment_id: str, policy_id: str) -> Doc:
        with self.store.transaction() as tx:
            self._sync(tx)
            doc = self._policy(tx, deployment_id, policy_id)
            active = tx.runs_active(policy_id)
            if active:
                raise ConflictError(f"Retraining policy {policy_id} already has run {active[0]['id']} in progress.")
            if self._settings(tx, deployment_id)["datasetId"] is None:
                raise UnprocessableError(
                    "Retraining settings have no dataset: set one before starting a run.",
                    {"retrainingSettings.datasetId": "is required"},
                )
            run = self._create_run(tx, deployment_id, doc, self.clock.now(), "manual")
            return run_lifecycle.run_response(run, self.variants)

    def list_runs(self, deployment_id: str, policy_id: str, offset: int, limit: int) -> tuple[list[Doc], int]:
        with self.store.transaction() as tx:
            self._sync(tx)
            self._policy(tx, deployment_id, policy_id)
            docs = tx.run_list(policy_id, offset, limit)
            return [run_lifecycle.run_response(d, self.variants) for d in docs], tx.run_count(policy_id)

    def _run(self, tx: Tx, deployment_id: str, policy_id: str, run_id: str) -> Doc:
        self._policy(tx, deployment_id, policy_id)
        run = tx.run_get(policy_id, run_id)
        if run is None:
            raise NotFoundError(RUN_NOT_FOUND)
        return run

    def get_run(self, deployment_id: str, policy_id: str, run_id: str) -> Doc:
        with self.store.transaction() as tx:
            self._sync(tx)
            return run_lifecycle.run_response(self._run(tx, deployment_id, policy_id, run_id), self.variants)

    def patch_run(self, deployment_id: str, policy_id: str, run_id: str, body: Any) -> Doc:
        with self.store.transaction() as tx:
            self._sync(tx)
            run = self._run(tx, deployment_id, policy_id, run_id)
            # The cancel body is not public beyond its key: either spelling, in any case.
            status = body.get("status") if isinstance(body, dict) and set(body) == {"status"} else None
            if not isinstance(status, str) or status.lower() not in ("cancelled", "canceled"):
                raise UnprocessableError.from_errors(
                    {"status": 'the only change a run accepts is {"status": "cancelled"}'}
                )
            run_lifecycle.cancel(run, self.clock.now(), self.variants)
            tx.run_update(run_id, run, active=False)
            return run_lifecycle.run_response(run, self.variants)

    # -- control (outside the real API) --
    def add_deployments(self, count: int, challengers_enabled: bool = True) -> list[str]:
        with self.store.transaction() as tx:
            return add_deployments(tx, count, challengers_enabled=challengers_enabled)

    def set_health(self, deployment_id: str, kind: str, status: str, message: str | None = None) -> list[str]:
        """Move a deployment's accuracy/drift/service health; decline policies react at once. Returns started
        run ids."""
        if kind not in HEALTH_FIELDS:
            raise UnprocessableError.from_errors({"kind": f"must be one of {', '.join(HEALTH_FIELDS)}"})
        if status not in HEALTH_STATUSES:
            raise UnprocessableError.from_errors({"status": f"must be one of {', '.join(HEALTH_STATUSES)}"})
        with self.store.transaction() as tx:
            started = self._sync(tx)
            deployment = self._deployment(tx, deployment_id)
            field = HEALTH_FIELDS[kind]
            old = deployment[field]["status"]
            deployment[field] = health(status) if message is None else {"status": status, "message": message}
            tx.obj_put("deployment", deployment_id, deployment)
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

    def set_challengers_enabled(self, deployment_id: str, enabled: bool) -> None:
        with self.store.transaction() as tx:
            self._deployment(tx, deployment_id)
            settings = tx.obj_get("deploymentSettings", deployment_id) or deployment_settings_doc(False)
            settings["challengerModels"] = {**settings.get("challengerModels", {}), "enabled": enabled}
            tx.obj_put("deploymentSettings", deployment_id, settings)

    def clock_state(self) -> Doc:
        return {
            "now": self.clock.now(),
            "frozen": self.clock.frozen_at is not None,
            "offset": self.clock.offset,
        }

    def advance_clock(self, seconds: float) -> list[str]:
        """Move the clock; schedules crossed are evaluated now (at most one run per policy). Returns started
        run ids."""
        with self.store.transaction() as tx:
            self._sync(tx)  # runs and ticks due *before* the jump happen at the old time
            self.clock.advance(seconds)
            tx.meta_set("clock", self.clock.state())
            if seconds < 0:
                self._recompute_next_fires(tx, self.clock.now())
            return self._sync(tx)

    def set_clock(self, epoch: float | None = None, frozen: bool | None = None) -> list[str]:
        with self.store.transaction() as tx:
            self._sync(tx)
            before = self.clock.now()
            if frozen is not None:
                self.clock.freeze(frozen)
            if epoch is not None:
                self.clock.set(epoch)
            tx.meta_set("clock", self.clock.state())
            if self.clock.now() < before:
                self._recompute_next_fires(tx, self.clock.now())
            return self._sync(tx)

    def fail_next_runs(self, count: int, message: str | None = None) -> None:
        with self.store.transaction() as tx:
            tx.meta_set("failNext", {"count": count, "message": message})

    def set_variants(self, changes: dict[str, Any]) -> Variants:
        """Switch variants (`{wire name: choice}`) from now on; a reset returns to the start-up set."""
        self.variants = self.variants.changed(changes)
        return self.variants

    def set_step_seconds(self, seconds: float) -> None:
        """Step length of runs started from now on (runs in flight keep theirs)."""
        self.step_seconds = seconds
