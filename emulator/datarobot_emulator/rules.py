"""Business rules of the emulated API (no HTTP): what each endpoint does to the store, and why it may refuse."""

from __future__ import annotations

from typing import Any

from . import lookups
from . import runs as run_lifecycle
from .errors import ConflictError, NotFoundError, RefusalError, UnprocessableError
from .lookups import OBJECT_KINDS, SETTINGS_REFERENCES
from .orchestration import Orchestrator
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
from .seed import DEMO_ORG_ID, DEMO_USER, deployment_settings_doc
from .store import Store, Tx
from .variants import Variants

Doc = dict[str, Any]


class ApiRules:
    """The real API's operations over a ``Store``.

    Every public method runs in one transaction. Most first *sync* (``Orchestrator.sync``): runs advance to the
    clock's now and due schedules fire, so state is current on every read even if the background ticker has not run.
    """

    def __init__(self, store: Store, orchestrator: Orchestrator) -> None:
        self.store = store
        self.orchestrator = orchestrator

    @property
    def variants(self) -> Variants:
        """The answers the emulator gives where the public record is silent (see `variants`)."""
        return self.orchestrator.variants

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
            self.orchestrator.sync(tx)
            if not search:
                return tx.obj_list("deployment", offset, limit), tx.obj_count("deployment")
            needle = search.lower()
            matches = [d for d in tx.obj_list("deployment") if needle in str(d.get("label", "")).lower()]
            return matches[offset : offset + limit], len(matches)

    def get_deployment(self, deployment_id: str) -> Doc:
        with self.store.transaction() as tx:
            self.orchestrator.sync(tx)
            return lookups.deployment(tx, deployment_id)

    def get_deployment_settings(self, deployment_id: str) -> Doc:
        with self.store.transaction() as tx:
            lookups.deployment(tx, deployment_id)
            return tx.obj_get("deploymentSettings", deployment_id) or deployment_settings_doc(False)

    def patch_deployment_settings(self, deployment_id: str, body: Any) -> str:
        """Apply a deployment settings change; returns the id of the (already completed) async job."""
        with self.store.transaction() as tx:
            lookups.deployment(tx, deployment_id)
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
                    # Other deployment settings exist in DataRobot but do not matter to retraining: kept as sent.
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
            lookups.deployment(tx, deployment_id)
            settings = lookups.retraining_settings(tx, deployment_id)

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
            lookups.deployment(tx, deployment_id)
            parsed = parse_settings_body(body)
            errors = {}
            for key, value in parsed.items():
                kind = SETTINGS_REFERENCES[key]
                if value is not None and tx.obj_get(kind, value) is None:
                    errors[key] = OBJECT_KINDS[kind][0].replace(".", f" ({value}).")
            if errors:
                raise UnprocessableError.from_errors(errors)
            settings = lookups.retraining_settings(tx, deployment_id)
            settings.update(parsed)
            tx.obj_put("retrainingSettings", deployment_id, settings)

    # -- policies --
    def list_policies(self, deployment_id: str, offset: int, limit: int) -> tuple[list[Doc], int]:
        with self.store.transaction() as tx:
            self.orchestrator.sync(tx)
            lookups.deployment(tx, deployment_id)
            docs = tx.policy_list(deployment_id, offset, limit)
            return [self._policy_out(tx, d) for d in docs], tx.policy_count(deployment_id)

    def _check_policy_rules(self, tx: Tx, deployment_id: str, doc: Doc, parsed: Doc, *, create: bool) -> None:
        """§5 rules 3, 6 and the use-case reference (rule 2 only with `policyNeedsDataset=true`: public programs
        create policies without a dataset); on update only for what the update touches."""
        settings = lookups.retraining_settings(tx, deployment_id)
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
            self.orchestrator.sync(tx)
            lookups.deployment(tx, deployment_id)
            parsed = parse_policy_body(body, create=True)
            # Counted in the same IMMEDIATE transaction as the insert: two racing creates cannot both see room.
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
            now = self.orchestrator.clock.now()
            tx.policy_insert(doc["id"], deployment_id, doc, self.orchestrator.next_fire_at(doc, now))
            return self._policy_out(tx, doc)

    def get_policy(self, deployment_id: str, policy_id: str) -> Doc:
        with self.store.transaction() as tx:
            self.orchestrator.sync(tx)
            return self._policy_out(tx, lookups.policy(tx, deployment_id, policy_id))

    def _refuse_while_running(self, tx: Tx, policy_id: str, what: str) -> None:
        active = tx.runs_active(policy_id)
        if active:
            status = run_lifecycle.served_status(active[0], self.variants)
            raise ConflictError(f"Cannot {what} retraining policy {policy_id} while run {active[0]['id']} is {status}.")

    def patch_policy(self, deployment_id: str, policy_id: str, body: Any) -> Doc:
        with self.store.transaction() as tx:
            self.orchestrator.sync(tx)
            current = lookups.policy(tx, deployment_id, policy_id)
            parsed = parse_policy_body(body, create=False)
            self._refuse_while_running(tx, policy_id, "update")
            doc = merge_policy(current, parsed, self.variants)
            check_policy(doc)
            self._check_policy_rules(tx, deployment_id, doc, parsed, create=False)
            tx.policy_update(policy_id, doc, self.orchestrator.next_fire_at(doc, self.orchestrator.clock.now()))
            return self._policy_out(tx, doc)

    def delete_policy(self, deployment_id: str, policy_id: str) -> None:
        with self.store.transaction() as tx:
            self.orchestrator.sync(tx)
            lookups.policy(tx, deployment_id, policy_id)
            self._refuse_while_running(tx, policy_id, "delete")
            tx.policy_delete(policy_id)

    # -- runs --
    def start_run(self, deployment_id: str, policy_id: str) -> Doc:
        with self.store.transaction() as tx:
            self.orchestrator.sync(tx)
            doc = lookups.policy(tx, deployment_id, policy_id)
            active = tx.runs_active(policy_id)
            if active:
                raise ConflictError(f"Retraining policy {policy_id} already has run {active[0]['id']} in progress.")
            if lookups.retraining_settings(tx, deployment_id)["datasetId"] is None:
                raise UnprocessableError(
                    "Retraining settings have no dataset: set one before starting a run.",
                    {"retrainingSettings.datasetId": "is required"},
                )
            run = self.orchestrator.create_run(tx, deployment_id, doc, self.orchestrator.clock.now(), "manual")
            return run_lifecycle.run_response(run, self.variants)

    def list_runs(self, deployment_id: str, policy_id: str, offset: int, limit: int) -> tuple[list[Doc], int]:
        with self.store.transaction() as tx:
            self.orchestrator.sync(tx)
            lookups.policy(tx, deployment_id, policy_id)
            docs = tx.run_list(policy_id, offset, limit)
            return [run_lifecycle.run_response(d, self.variants) for d in docs], tx.run_count(policy_id)

    def get_run(self, deployment_id: str, policy_id: str, run_id: str) -> Doc:
        with self.store.transaction() as tx:
            self.orchestrator.sync(tx)
            return run_lifecycle.run_response(lookups.run(tx, deployment_id, policy_id, run_id), self.variants)

    def patch_run(self, deployment_id: str, policy_id: str, run_id: str, body: Any) -> Doc:
        with self.store.transaction() as tx:
            self.orchestrator.sync(tx)
            run = lookups.run(tx, deployment_id, policy_id, run_id)
            # The cancel body is not public beyond its key: either spelling, in any case.
            status = body.get("status") if isinstance(body, dict) and set(body) == {"status"} else None
            if not isinstance(status, str) or status.lower() not in ("cancelled", "canceled"):
                raise UnprocessableError.from_errors(
                    {"status": 'the only change a run accepts is {"status": "cancelled"}'}
                )
            run_lifecycle.cancel(run, self.orchestrator.clock.now(), self.variants)
            tx.run_update(run_id, run, active=False)
            return run_lifecycle.run_response(run, self.variants)
