"""RetrainingPolicyProvider: the check/diff/create/read/update/delete of one deployment's retraining policy."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection, Mapping
from typing import TYPE_CHECKING, Any

from pulumi.dynamic import CreateResult, DiffResult, ReadResult, UpdateResult

from datarobot_retraining.client.polling import Deadline, poll
from datarobot_retraining.config import STACK_RUN_WAIT_KEY, STACK_SET_RETRAINING_USER_KEY
from datarobot_retraining.errors import (
    AmbiguousRequestError,
    APIError,
    APIStatusError,
    AuthenticationError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    ResourceOperationError,
    ResponseValidationError,
    WaitTimeoutError,
)
from datarobot_retraining.inputs._validation import Failure
from datarobot_retraining.inputs.retraining_policy import (
    POLICY_COMPARISONS,
    POLICY_LEAVES,
    POLICY_SERVER_DEFAULTS,
    RetrainingPolicyInputs,
    check_policy,
)
from datarobot_retraining.inputs.retraining_policy_run import RUN_OUTPUT_KEYS
from datarobot_retraining.leaf_diff import (
    MANAGED_FIELDS,
    LeafEqual,
    changed_leaves,
    compared_by,
    get_path,
    holds_leaves,
    leaves,
    managed_list,
    nest,
    project,
    removed_leaves,
)
from datarobot_retraining.models import (
    RetrainingPolicy,
    RetrainingPolicyCreate,
    RetrainingPolicyRun,
    RetrainingPolicyUpdate,
    RetrainingSettingsUpdate,
)
from datarobot_retraining.resources._base import (
    REPORT_EVERY_SECONDS,
    DataRobotResourceProvider,
    progress,
    reason_of,
)
from datarobot_retraining.resources._ownership import ADOPTED, CREATED, OWNED, PROVENANCE, Claims
from datarobot_retraining.schedule import SCHEDULE_FIELDS, next_fire_times

if TYPE_CHECKING:
    from datarobot_retraining.client import DataRobotClient

MAX_POLICIES = 5
#: How the progress line of an adoption starts (it goes on with the name, then the policy id in parentheses); the
#: offline runner reads it to show the step as an adoption.
ADOPTION_NOTICE = "Adopting existing retraining policy"
# How many times a create whose outcome was lost is re-sent after confirming that it did not land.
_CREATE_ATTEMPTS = 3
# Guards the lazy creation of a provider instance's claims (an unpickled instance never ran __init__).
_CLAIMS_LOCK = threading.Lock()
# `latest_run` carries the run as RetrainingPolicyRun's outputs do, keyed `id` instead of `run_id`.
_RUN_KEYS = ("id", *(key for key in RUN_OUTPUT_KEYS if key != "run_id"))


# The create refusals diagnosed from the deployment's state. Which status DataRobot answers the five-policy limit
# with is not public (nor are most refusals'), so any of these is looked at, not only a 422.
_REFUSAL_STATUSES = frozenset({400, 403, 409, 422})


# Each leaf by its declared comparison (`POLICY_COMPARISONS`: the schedule by when it fires), else `same_value`.
_SAME_POLICY_LEAF = compared_by(POLICY_COMPARISONS)


def _equal_in(state: Mapping[str, Any]) -> LeafEqual:
    """How a desired leaf compares with its value in `state` (the server's policy, as outputs or plain data)."""

    def equal(path: str, want: Any, have: Any) -> bool:
        if path == "time_series_options.differencing_method" and want in (None, "auto") and have == "seasonal":
            # The API's description: with periodicities and the method unset or auto, the server uses seasonal. A
            # server that answers what it uses must not make `auto` a diff at every up.
            return bool(get_path(state, "time_series_options.periodicities"))
        return _SAME_POLICY_LEAF(path, want, have)

    return equal


def _runs_on_its_own(desired: Mapping[str, Any]) -> bool:
    """A policy DataRobot starts by itself (a trigger or a schedule), which therefore needs a retraining user."""
    return desired.get("trigger.type") is not None or desired.get("trigger.schedule") is not None


class RetrainingPolicyProvider(DataRobotResourceProvider):
    """Manages one retraining policy of one deployment. The resource id is the policy id.

    State: the outputs carry every field as the server now holds it, plus `managed_fields`, the leaf paths the
    program sets. `diff` compares only those, so values the server fills in never show as changes, and a leaf the
    program stops setting returns to the server default.

    Ownership: a create never takes a policy that existed before it. It first lists the deployment's policies
    (one GET): a namesake is adopted only with `adopt_existing=True` and is otherwise refused with a sentence
    saying so, and a create whose answer was lost accepts only a policy that was not there before the POST. The
    outputs record `provenance` (`created` or `adopted`), and delete removes only such a policy: one the state does
    not show as created or adopted is left in place, with a note (the resource leaves the stack, the policy stays,
    as with `retain_on_delete`). Within one provider process, creates of one name on one deployment run one at a
    time and a policy given to one resource is never given to another.
    """

    # After a create whose answer was lost and that is not (yet) visible, how long to wait and look once more
    # before sending it again: a server may still be finishing the request its client stopped waiting for.
    create_settle_seconds: float = 2.0

    inputs_model = RetrainingPolicyInputs

    # -- check: the base's, with the policy's rules. ------------------------------------------------------------
    def check_inputs(self, news: Mapping[str, Any]) -> tuple[dict[str, Any], list[Failure]]:
        return check_policy(news)

    @property
    def claims(self) -> Claims:
        """What this provider process has given to which resource (see `_ownership`)."""
        with _CLAIMS_LOCK:
            claims: Claims | None = self.__dict__.get("_claims")
            if claims is None:
                claims = self._claims = Claims()
            return claims

    # -- diff: runs in preview and up, with the previous OUTPUTS as olds; no API call. -------------------------
    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        # A managed resource holds this policy: no other resource of the stack may adopt it in this run.
        self.claims.claim(str(olds.get("deployment_id")), _id)
        desired = self.desired(news)
        replaces = self.replaces(olds, desired)
        changed = changed_leaves(olds, desired, POLICY_LEAVES, POLICY_SERVER_DEFAULTS, _equal_in(olds))
        return DiffResult(changes=bool(replaces or changed), replaces=replaces, delete_before_replace=False)

    # -- create: up only (never in preview). One GET (who holds the name), one POST (or the adoption's PATCH); a
    # lost answer is reconciled instead of re-sent blindly. --------------------------------------------------
    def create(self, props: dict[str, Any]) -> CreateResult:
        desired_props = self.desired(props)
        deployment_id = str(desired_props["deployment_id"])
        name = str(desired_props["name"])
        desired = leaves(desired_props, POLICY_LEAVES)
        client = self.client()
        adopt = bool(desired_props.get("adopt_existing"))
        claims = self.claims

        with claims.creating(deployment_id, name):
            namesakes = self._namesakes(client, deployment_id, name)
            verb = "adopt" if adopt else "create"
            taken = [p.id for p in namesakes if claims.is_claimed(deployment_id, p.id)]
            if taken:
                raise ResourceOperationError(
                    f"Cannot {verb} retraining policy '{name}' on deployment {deployment_id}: another resource of "
                    f"this stack already manages the policy with that name ({taken[0]}); give each resource its own "
                    "name."
                )
            ids = ", ".join(p.id for p in namesakes)
            if len(namesakes) > 1 and adopt:
                raise ResourceOperationError(
                    f"Cannot adopt retraining policy '{name}' on deployment {deployment_id}: {len(namesakes)} "
                    f"policies have that name ({ids}); delete or rename the extra ones, or give this policy a "
                    "unique name."
                )
            if namesakes and not adopt:
                held = (
                    f"a policy with that name already exists ({ids}) and this stack did not create it; set "
                    "adopt_existing=True to take it over"
                    if len(namesakes) == 1
                    else f"{len(namesakes)} policies with that name already exist ({ids}) and this stack did not "
                    "create them; delete or rename all but one and set adopt_existing=True to take it over"
                )
                raise ResourceOperationError(
                    f"Cannot create retraining policy '{name}' on deployment {deployment_id}: {held}, or give this "
                    "policy another name."
                )
            if namesakes:
                found = namesakes[0]
                progress(f"{ADOPTION_NOTICE} '{name}' ({found.id}) on deployment {deployment_id}.")
                policy, provenance = self._patch(client, deployment_id, found.id, name, desired), ADOPTED
            else:
                policy, provenance = self._create(client, deployment_id, name, desired), CREATED
            claims.claim(deployment_id, policy.id)
        return CreateResult(
            policy.id, self._outputs(deployment_id, policy, desired, adopt_existing=adopt, provenance=provenance)
        )

    def _with_retraining_user(
        self,
        client: DataRobotClient,
        deployment_id: str,
        name: str,
        desired: Mapping[str, Any],
        send: Callable[[], RetrainingPolicy],
        *,
        refusals: frozenset[int] = _REFUSAL_STATUSES,
    ) -> RetrainingPolicy:
        """`send()`; when DataRobot refuses it because the deployment has no retraining user and the policy has a
        trigger, set the token's user (as the Terraform provider does) and send it once more.

        After the refusal rather than before every send: DataRobot is seen to refuse such a policy, and a refused
        request created or changed nothing, so sending it again is safe; a create or an update that needs nothing
        costs no extra request and leaves the deployment's settings alone. The refusal is recognised from the
        deployment's state (no user, a trigger), not from its status or wording, which are not public. A user
        already set is never replaced. `datarobot-retraining:setRetrainingUser=false` turns this off.
        """
        try:
            return send()
        except APIStatusError as error:
            if error.status_code not in refusals or isinstance(error, AuthenticationError):
                raise
            if not self._set_missing_retraining_user(client, deployment_id, name, desired, error):
                raise
        return send()

    def _set_missing_retraining_user(
        self, client: DataRobotClient, deployment_id: str, name: str, desired: Mapping[str, Any], cause: APIError
    ) -> bool:
        """Set the token's user as the deployment's retraining user if it has none and the policy has a trigger."""
        if not self.config.set_retraining_user or not _runs_on_its_own(desired):
            return False
        try:
            if client.retraining_settings.get(deployment_id).retraining_user is not None:
                return False
            caller = client.account.info()
            client.retraining_settings.update(deployment_id, RetrainingSettingsUpdate(retraining_user_id=caller.uid))
        except APIError as error:
            raise ResourceOperationError(
                f"Retraining policy '{name}' on deployment {deployment_id} was refused ({reason_of(cause)}) and the "
                f"deployment has no retraining user, which a policy with a trigger needs; setting the token's user "
                f"failed too ({reason_of(error)}): set retraining_user_id on the deployment's RetrainingSettings."
            ) from error
        progress(
            f"Set the retraining user of deployment {deployment_id} to {caller.display_name} ({caller.uid}), the "
            f"API token's user: retraining policy '{name}' has a trigger, and DataRobot runs it as that user "
            f"(set {STACK_SET_RETRAINING_USER_KEY} to false to choose it yourself with RetrainingSettings)."
        )
        return True

    def _namesakes(self, client: DataRobotClient, deployment_id: str, name: str) -> list[RetrainingPolicy]:
        """The deployment's policies named `name` now, before anything is sent."""
        try:
            return [p for p in client.retraining_policies.list(deployment_id) if p.name == name]
        except NotFoundError as error:
            raise _deployment_not_found(name, deployment_id) from error
        except APIError as error:
            raise self._failure("look for policies with the name of", name, deployment_id, error) from error

    def _create(
        self, client: DataRobotClient, deployment_id: str, name: str, desired: dict[str, Any]
    ) -> RetrainingPolicy:
        """POST the policy; on a lost answer, look for the one that landed before sending it again.

        Only a policy that did not exist before this create can be taken for it: `create` never POSTs while any
        policy holds the name, and holds the name's lock meanwhile, so a policy of that name found now was made
        after `_namesakes` looked, by this POST (or, the one case no client can tell apart without an idempotency
        key, which the API does not offer, by someone outside this stack at the same moment).
        """
        body = RetrainingPolicyCreate.model_validate(nest(desired))
        for attempt in range(1, _CREATE_ATTEMPTS + 1):
            try:
                return self._with_retraining_user(
                    client, deployment_id, name, desired, lambda: client.retraining_policies.create(deployment_id, body)
                )
            except (AmbiguousRequestError, InternalServerError, ResponseValidationError) as error:
                # The POST may have landed (no answer, a 5xx after the work was done, or an answer we cannot read).
                # Look before sending it again: a duplicate policy is worse than a failure.
                found = self._find_created(client, deployment_id, name, desired, error)
                if found is None:
                    time.sleep(self.create_settle_seconds)
                    found = self._find_created(client, deployment_id, name, desired, error)
                if found is not None:
                    return found
                if attempt == _CREATE_ATTEMPTS:
                    raise self._failure("create", name, deployment_id, error) from error
                progress(
                    f"Creating retraining policy '{name}' on deployment {deployment_id} got no answer and it did "
                    f"not land; sending it again (attempt {attempt + 1} of {_CREATE_ATTEMPTS})."
                )
            except NotFoundError as error:
                raise _deployment_not_found(name, deployment_id) from error
            except APIStatusError as error:
                if error.status_code not in _REFUSAL_STATUSES or isinstance(error, AuthenticationError):
                    raise self._failure("create", name, deployment_id, error) from error
                raise self._explain_refusal(client, deployment_id, name, desired, error) from error
            except APIError as error:
                raise self._failure("create", name, deployment_id, error) from error
        raise AssertionError("unreachable: every attempt returns or raises")

    def _find_created(
        self,
        client: DataRobotClient,
        deployment_id: str,
        name: str,
        desired: dict[str, Any],
        cause: APIError,
    ) -> RetrainingPolicy | None:
        try:
            candidates = [
                p
                for p in client.retraining_policies.list(deployment_id)
                if p.name == name and _holds(plain_policy(p), desired)
            ]
        except APIError as error:
            raise ResourceOperationError(
                f"Creating retraining policy '{name}' on deployment {deployment_id} may or may not have succeeded "
                f"({reason_of(cause)}) and the check failed too ({reason_of(error)}); look at the deployment's "
                "policies before running pulumi up again, and use adopt_existing=True if the policy is there."
            ) from error
        if len(candidates) == 1:
            progress(
                f"Creating retraining policy '{name}' on deployment {deployment_id} lost its answer, but the policy "
                f"was created ({candidates[0].id}); using it."
            )
            return candidates[0]
        if len(candidates) > 1:
            ids = ", ".join(p.id for p in candidates)
            raise ResourceOperationError(
                f"Creating retraining policy '{name}' on deployment {deployment_id} lost its answer and "
                f"{len(candidates)} identical policies with that name now exist ({ids}); delete all but one and "
                "set adopt_existing=True to take it over."
            )
        return None

    def _explain_refusal(
        self,
        client: DataRobotClient,
        deployment_id: str,
        name: str,
        desired: dict[str, Any],
        error: APIStatusError,
    ) -> ResourceOperationError:
        """Turn a refused create (400, 403, 409 or 422) into the sentence that tells the user what to change.

        Neither the server's wording nor its status codes are a contract, so the cause is diagnosed from the
        deployment's state (only on this failure path) and the server's own text is kept at the end.
        """
        prefix = f"Cannot create retraining policy '{name}' on deployment {deployment_id}"
        server = reason_of(error)
        try:
            existing = list(client.retraining_policies.list(deployment_id))
            settings = client.retraining_settings.get(deployment_id)
        except APIError:
            return ResourceOperationError(f"{prefix}: {server}.")
        if len(existing) >= MAX_POLICIES:
            names = ", ".join(f"'{p.name}' ({p.id})" for p in existing)
            return ResourceOperationError(
                f"{prefix}: the deployment already has {len(existing)} retraining policies, the most DataRobot "
                f"allows ({names}); delete one, or take one over with adopt_existing=True and the same name."
            )
        if _runs_on_its_own(desired) and settings.retraining_user is None:
            return ResourceOperationError(
                f"{prefix}: a policy with a trigger needs a retraining user; set retraining_user_id on the "
                f"deployment's RetrainingSettings, or leave {STACK_SET_RETRAINING_USER_KEY} on so that the provider "
                f"sets the token's user (or leave the trigger out for a manual-only policy) ({server})."
            )
        if "challenger" in server.lower():
            return ResourceOperationError(
                f"{prefix}: action create_challenger needs challenger models enabled on the deployment; enable "
                "them (challenger_models_settings enabled=True on the pulumi_datarobot Deployment, or in the "
                f"DataRobot UI), or choose action=create_model_package ({server})."
            )
        if settings.dataset is None:
            # Public programs create policies without a dataset, so this is only a lead, after the known causes.
            return ResourceOperationError(
                f"{prefix}: {server}; the deployment has no retraining dataset yet, which this DataRobot may "
                "require first: declare a RetrainingSettings resource with dataset_id for this deployment and add "
                "it to this policy's depends_on."
            )
        return ResourceOperationError(f"{prefix}: {server}; fix the named property and run pulumi up again.")

    # -- read: refresh, and `.get()`. Returns outputs and the refreshed desired state. ------------------------
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        deployment_id = str(props.get("deployment_id") or "")
        if not deployment_id:
            raise ResourceOperationError(
                f"Cannot read retraining policy {id_}: its deployment_id is unknown; pass deployment_id to "
                "RetrainingPolicy.get()."
            )
        try:
            policy = self.client().retraining_policies.get(deployment_id, id_)
        except NotFoundError:
            # Deleted outside Pulumi (or its deployment was): the engine drops it from the state.
            return ReadResult(id_="", outs={})
        except APIError as error:
            raise self._failure("read", str(props.get("name") or id_), deployment_id, error) from error
        managed = [p for p in props.get(MANAGED_FIELDS) or [] if p in POLICY_LEAVES]
        adopt = bool(props.get("adopt_existing"))
        outs = self._outputs(
            deployment_id,
            policy,
            dict.fromkeys(managed),
            adopt_existing=adopt,
            provenance=props.get(PROVENANCE),
            managed=managed,
        )
        refreshed_inputs: dict[str, Any] = {
            "deployment_id": deployment_id,
            **nest({path: get_path(outs, path) for path in managed}),
        }
        if "name" not in refreshed_inputs:
            refreshed_inputs["name"] = policy.name
        if props.get("adopt_existing"):
            refreshed_inputs["adopt_existing"] = True
        return ReadResult(id_=policy.id, outs=outs, inputs=refreshed_inputs)

    # -- update: up only. One PATCH with the complete desired state; outputs from the server's answer. --------
    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        desired_props = self.desired(news)
        deployment_id = str(desired_props["deployment_id"])
        name = str(desired_props["name"])
        desired = leaves(desired_props, POLICY_LEAVES)
        # The server merges nested objects, so a leaf the program no longer sets is sent back to its default.
        resets = {path: POLICY_SERVER_DEFAULTS.get(path) for path in removed_leaves(olds, desired, POLICY_LEAVES)}
        policy = self._patch(self.client(), deployment_id, id_, name, {**resets, **desired})
        adopt = bool(desired_props.get("adopt_existing"))
        return UpdateResult(
            self._outputs(deployment_id, policy, desired, adopt_existing=adopt, provenance=olds.get(PROVENANCE))
        )

    def _patch(
        self, client: DataRobotClient, deployment_id: str, policy_id: str, name: str, values: dict[str, Any]
    ) -> RetrainingPolicy:
        body = RetrainingPolicyUpdate.model_validate(nest(values))
        try:
            # A 409 on an update means a run in progress (below), never a missing retraining user.
            return self._with_retraining_user(
                client,
                deployment_id,
                name,
                values,
                lambda: client.retraining_policies.update(deployment_id, policy_id, body),
                refusals=_REFUSAL_STATUSES - {409},
            )
        except ConflictError:
            # Some servers refuse edits while a run is in progress: wait for it (bounded), then edit once more.
            self._wait_for_runs(client, deployment_id, policy_id, name, cancel=False, purpose="updating")
            try:
                return client.retraining_policies.update(deployment_id, policy_id, body)
            except APIError as error:
                raise self._failure("update", name, deployment_id, error) from error
        except NotFoundError as error:
            raise ResourceOperationError(
                f"Cannot update retraining policy '{name}' ({policy_id}) on deployment {deployment_id}: it no "
                "longer exists; run `pulumi refresh` so Pulumi forgets it, then `pulumi up` creates it again."
            ) from error
        except APIError as error:
            raise self._failure("update", name, deployment_id, error) from error

    # -- delete: up/destroy. Only what the stack created or adopted; already gone is success; a run in progress is
    # cancelled or awaited (bounded). ----------------------------------------------------------------------------
    def delete(self, id_: str, props: dict[str, Any]) -> None:
        deployment_id = str(props.get("deployment_id") or "")
        name = str(props.get("name") or id_)
        if props.get(PROVENANCE) not in OWNED:
            # Not deleted, and not refused either: refusing would block every destroy and replacement of the stack
            # with no change to the program that could unblock it, while the policy left behind is one command away.
            progress(
                f"Left retraining policy '{name}' ({id_}) on deployment {deployment_id} in place: the state does not "
                "show that this stack created or adopted it, so deleting the resource only removes it from the "
                "stack; delete the policy in DataRobot if it is no longer wanted."
            )
            return
        client = self.client()
        try:
            client.retraining_policies.delete(deployment_id, id_)
            return
        except NotFoundError:
            return
        except ConflictError:
            pass
        except APIError as error:
            raise self._failure("delete", name, deployment_id, error) from error
        self._wait_for_runs(client, deployment_id, id_, name, cancel=True, purpose="deleting")
        try:
            client.retraining_policies.delete(deployment_id, id_)
        except NotFoundError:
            return
        except APIError as error:
            raise self._failure("delete", name, deployment_id, error) from error

    def _wait_for_runs(
        self,
        client: DataRobotClient,
        deployment_id: str,
        policy_id: str,
        name: str,
        *,
        cancel: bool,
        purpose: str,
    ) -> None:
        """Block until the policy has no run in progress, cancelling runs first when asked (and allowed).

        Bounded by the configured run wait timeout; reports progress on stderr so the user sees why it waits.
        """
        asked_to_cancel: set[str] = set()
        last_report: float | None = None

        def active_runs() -> list[RetrainingPolicyRun] | None:
            """The runs still in progress (cancelled first when asked); None once the policy is gone."""
            try:
                runs = client.retraining_policy_runs.list(deployment_id, policy_id)
                active = [run for run in runs if not run.outcome.finished]
            except NotFoundError:
                return None
            except APIError as error:
                raise self._failure(f"check the runs before {purpose}", name, deployment_id, error) from error
            for run in active:
                if cancel and run.id not in asked_to_cancel:
                    asked_to_cancel.add(run.id)
                    try:
                        client.retraining_policy_runs.cancel(deployment_id, policy_id, run.id)
                        progress(f"Cancelled run {run.id} of retraining policy '{name}' before {purpose} it.")
                    except ConflictError:
                        progress(
                            f"Run {run.id} of retraining policy '{name}' is past the point where it can be "
                            f"cancelled; waiting for it to finish before {purpose} it."
                        )
                    except NotFoundError:
                        pass
            return active

        def report(active: list[RetrainingPolicyRun] | None, elapsed: float) -> None:
            nonlocal last_report
            if active and (last_report is None or elapsed - last_report >= REPORT_EVERY_SECONDS):
                last_report = elapsed
                progress(
                    f"Waiting for run {active[0].id} ({active[0].status}) of retraining policy '{name}' to end "
                    f"before {purpose} it."
                )

        timeout = self.config.run_wait_timeout
        try:
            poll(
                active_runs,
                until=lambda active: not active,
                deadline=Deadline.after(timeout),
                interval=self.run_poll_interval,
                report=report,
            )
        except WaitTimeoutError as timed_out:
            run = timed_out.last[0]
            raise ResourceOperationError(
                f"Gave up {purpose} retraining policy '{name}' ({policy_id}) on deployment "
                f"{deployment_id}: run {run.id} is still {run.status} after "
                f"{timeout:.0f} s; wait for it to end (`datarobot-retraining runs watch "
                f"{deployment_id} {policy_id} {run.id}`) and run pulumi again, or raise "
                f"{STACK_RUN_WAIT_KEY}."
            ) from None

    # -- shared ------------------------------------------------------------------------------------------------
    def _outputs(
        self,
        deployment_id: str,
        policy: RetrainingPolicy,
        desired: Mapping[str, Any],
        *,
        adopt_existing: bool,
        provenance: str | None,
        managed: Collection[str] | None = None,
    ) -> dict[str, Any]:
        state = plain_policy(policy)
        outs: dict[str, Any] = project(state, POLICY_LEAVES)
        trigger = outs.get("trigger") or {}
        schedule = trigger.get("schedule") if trigger.get("type") == "schedule" else None
        latest = state.get("latest_run")
        outs.update(
            policy_id=policy.id,
            deployment_id=deployment_id,
            use_case_name=state.get("use_case_name"),
            latest_run={key: latest.get(key) for key in _RUN_KEYS} if isinstance(latest, dict) else None,
            next_scheduled_runs=next_fire_times(schedule),
            adopt_existing=adopt_existing,
            # How the resource came to hold the policy (None: a read-only `.get()`, or a state from before 0.1.0's
            # ownership rules); delete touches only `created` and `adopted`.
            provenance=provenance,
        )
        outs[MANAGED_FIELDS] = managed_list(managed if managed is not None else desired)
        return outs

    @staticmethod
    def _failure(action: str, name: str, deployment_id: str, error: Exception) -> ResourceOperationError:
        return ResourceOperationError(
            f"Could not {action} retraining policy '{name}' on deployment {deployment_id}: {reason_of(error)}."
        )


def _deployment_not_found(name: str, deployment_id: str) -> ResourceOperationError:
    return ResourceOperationError(
        f"Cannot create retraining policy '{name}': deployment {deployment_id} was not found; check "
        "deployment_id and that the API token's user can see the deployment."
    )


def plain_policy(policy: RetrainingPolicy) -> dict[str, Any]:
    """A policy response as snake_case data keyed like the inputs (`use_case {id, name}` → `use_case_id`).

    Keys the server added beyond the model are still in here; callers project the leaves they know.
    """
    state: dict[str, Any] = policy.model_dump(mode="json")
    schedule = get_path(state, "trigger.schedule")
    if isinstance(schedule, dict):
        state["trigger"]["schedule"] = {key: schedule.get(key) for key in SCHEDULE_FIELDS}
    use_case = state.pop("use_case", None) or {}
    state["use_case_id"] = use_case.get("id")
    state["use_case_name"] = use_case.get("name")
    return state


def _holds(state: Mapping[str, Any], desired: Mapping[str, Any]) -> bool:
    """Whether a policy (as plain data) holds every desired leaf."""
    return holds_leaves(state, desired, _equal_in(state))
