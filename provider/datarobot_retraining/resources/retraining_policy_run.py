"""RetrainingPolicyRunProvider: starts a run of a retraining policy on create and whenever `triggers` change."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pulumi.dynamic import CreateResult, DiffResult, ReadResult, UpdateResult

from datarobot_retraining.client.polling import Deadline, poll
from datarobot_retraining.errors import (
    AmbiguousRequestError,
    APIError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    ResourceOperationError,
    ResponseValidationError,
    UnprocessableEntityError,
    WaitTimeoutError,
)
from datarobot_retraining.inputs._validation import Failure, contains_unknown
from datarobot_retraining.inputs.retraining_policy_run import (
    RUN_INPUT_KEYS,
    RUN_OUTPUT_KEYS,
    RetrainingPolicyRunInputs,
    check_policy_run,
)
from datarobot_retraining.leaf_diff import same_value
from datarobot_retraining.models import RetrainingPolicyRun, RunOutcome, outcome_of
from datarobot_retraining.resources._base import (
    REPORT_EVERY_SECONDS,
    DataRobotResourceProvider,
    plain,
    progress,
    reason_of,
)

if TYPE_CHECKING:
    from datarobot_retraining.client import DataRobotClient


class RetrainingPolicyRunProvider(DataRobotResourceProvider):
    """Starts a run of one retraining policy when created, and again whenever `triggers` change.

    The resource id is an identifier of this resource (not a DataRobot id): each update that starts a run keeps
    the id and points `run_id` at the new run. Lifecycle:

    - check: validates, fills `wait=False` and `wait_timeout_seconds=3600`; unknown values pass through.
    - diff (no API call): `deployment_id` or `policy_id` changed → replace; `triggers` changed → update that starts
      a run; only `wait`/`wait_timeout_seconds` changed → update that makes no request (the outputs record the
      new values); nothing changed → no diff, no run.
    - create/update: one POST starting a run. DataRobot runs one run of a policy at a time: when the policy is
      busy (409) the start waits for the run in progress to end, then starts. With `wait=True` it then polls the
      run until it ends; a failed or cancelled run fails the operation with the run's error (the state keeps the
      previous triggers, so the next `pulumi up` tries again). `wait_timeout_seconds` bounds the whole operation;
      on timeout the run goes on.
    - read (refresh): re-reads the run; a run that no longer exists removes the resource from the state.
    - delete: **does not undo a run** — a model package, challenger or replaced champion it produced stays. A run
      still in progress is cancelled when DataRobot allows it; one past the point of no return (creating the
      challenger, replacing the model) is left to finish, with a note on stderr. A run already gone is success.
    """

    inputs_model = RetrainingPolicyRunInputs

    # -- check: the base's (fills `wait` and `wait_timeout_seconds`). ---------------------------------------------
    def check_inputs(self, news: Mapping[str, Any]) -> tuple[dict[str, Any], list[Failure]]:
        return check_policy_run(news)

    # -- diff: preview and up, with the previous OUTPUTS as olds; no API call. --------------------------------
    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        desired = self.desired(news)
        replaces = self.replaces(olds, desired)
        settings_changed = any(
            not same_value(desired.get(key), olds.get(key)) for key in ("wait", "wait_timeout_seconds")
        )
        changes = bool(replaces) or triggers_changed(olds, desired) or settings_changed
        return DiffResult(changes=changes, replaces=replaces, delete_before_replace=False)

    # -- create: up only. Starts a run (and waits for it when asked). -----------------------------------------
    def create(self, props: dict[str, Any]) -> CreateResult:
        desired = self.desired(props)
        run = self._run(desired)
        return CreateResult(uuid.uuid4().hex, outputs(desired, run))

    # -- read: refresh. Re-reads the run; returns the outputs and the (unchanged) desired state. ----------------
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        deployment_id, policy_id, run_id = (str(props.get(k) or "") for k in ("deployment_id", "policy_id", "run_id"))
        if not (deployment_id and policy_id and run_id):
            raise ResourceOperationError(
                f"Cannot read RetrainingPolicyRun {id_}: its state names no run (deployment_id, policy_id and "
                "run_id are needed); this resource can only be refreshed after this program created it."
            )
        try:
            run = self.client().retraining_policy_runs.get(deployment_id, policy_id, run_id)
        except NotFoundError:
            return ReadResult(id_="", outs={})
        except APIError as error:
            raise ResourceOperationError(
                f"Could not read retraining run {run_id} of policy {policy_id} on deployment {deployment_id}: "
                f"{reason_of(error)}."
            ) from error
        inputs = {key: props[key] for key in RUN_INPUT_KEYS if props.get(key) is not None}
        return ReadResult(id_=id_, outs=outputs(inputs, run), inputs=inputs)

    # -- update: up only. A new run when triggers changed; otherwise only the state changes. ------------------
    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        desired = self.desired(news)
        if not triggers_changed(olds, desired):
            # Only wait / wait_timeout_seconds changed: they shape the next run's start, not the current run.
            kept = {key: olds.get(key) for key in RUN_OUTPUT_KEYS}
            return UpdateResult({**kept, **{k: desired[k] for k in RUN_INPUT_KEYS if k in desired}})
        run = self._run(desired)
        return UpdateResult(outputs(desired, run))

    # -- delete: never undoes a run; cancels one in progress when it can; already gone is success. -------------
    def delete(self, _id: str, props: dict[str, Any]) -> None:
        deployment_id, policy_id, run_id = (str(props.get(k) or "") for k in ("deployment_id", "policy_id", "run_id"))
        if not (deployment_id and policy_id and run_id) or outcome_of(props.get("status")).finished:
            return  # an ended run never changes again: nothing to cancel, no request
        client = self.client()
        where = f"retraining run {run_id} of policy {policy_id} on deployment {deployment_id}"
        try:
            run = client.retraining_policy_runs.get(deployment_id, policy_id, run_id)
            if run.outcome.finished:
                return
            client.retraining_policy_runs.cancel(deployment_id, policy_id, run_id)
        except NotFoundError:
            return
        except ConflictError as error:
            progress(
                f"Left {where} running: it cannot be cancelled any more ({reason_of(error)}); deleting the "
                "resource does not undo what the run does."
            )
            return
        except APIError as error:
            raise ResourceOperationError(
                f"Could not cancel {where} while deleting its RetrainingPolicyRun: {reason_of(error)}."
            ) from error
        progress(f"Cancelled {where} (it was {run.status}) because its RetrainingPolicyRun resource was deleted.")

    # -- shared -----------------------------------------------------------------------------------------------
    def _run(self, desired: Mapping[str, Any]) -> RetrainingPolicyRun:
        """Start a run and, with `wait=True`, wait for it to end; all within `wait_timeout_seconds`."""
        deployment_id, policy_id = str(desired["deployment_id"]), str(desired["policy_id"])
        deadline = Deadline.after(float(desired["wait_timeout_seconds"]))
        client = self.client()
        run = self._start(client, deployment_id, policy_id, deadline)
        progress(f"Started retraining run {run.id} of policy {policy_id} on deployment {deployment_id}.")
        if not desired.get("wait"):
            return run
        run = self._wait(client, deployment_id, policy_id, run, deadline)
        if run.outcome is RunOutcome.FAILED:
            why = (run.error_message or "DataRobot gave no error message").strip().rstrip(".")
            raise ResourceOperationError(
                f"Retraining run {run.id} of policy {policy_id} on deployment {deployment_id} failed: {why}."
            )
        if run.outcome is RunOutcome.CANCELLED:
            raise ResourceOperationError(
                f"Retraining run {run.id} of policy {policy_id} on deployment {deployment_id} was cancelled "
                "before it ended; run pulumi up again to start another one."
            )
        return run

    def _start(
        self, client: DataRobotClient, deployment_id: str, policy_id: str, deadline: Deadline
    ) -> RetrainingPolicyRun:
        runs = client.retraining_policy_runs
        subject = f"retraining policy {policy_id} on deployment {deployment_id}"
        # The newest run before each POST: if the answer is lost, only a run newer than this one can be ours; a run
        # already going (someone else's, or its schedule's) must never be taken for it.
        newest_before: str | None = None
        posted = False

        def post() -> RetrainingPolicyRun:
            nonlocal newest_before, posted
            posted = False  # until the look before this POST has answered
            newest_before = runs.newest_run_id(deployment_id, policy_id)
            posted = True
            return runs.start(deployment_id, policy_id, newest_before=newest_before)

        try:
            try:
                return post()
            except ConflictError:
                # DataRobot runs one run of a policy at a time: wait for the one in progress, then start ours.
                self._wait_until_idle(client, deployment_id, policy_id, deadline)
                return post()
        except (AmbiguousRequestError, InternalServerError, ResponseValidationError) as error:
            if not posted:  # the look before the POST failed: nothing was sent, nothing to find
                raise ResourceOperationError(f"Could not start a run of {subject}: {reason_of(error)}.") from error
            # The POST may have started a run without our hearing of it. Never send it again blindly.
            found = self._find_started(client, deployment_id, policy_id, error)
            if found is None or found.id == newest_before:
                going = "" if found is None else f" other than run {found.id}, which was already going before it"
                raise ResourceOperationError(
                    f"Starting a run of {subject} got no usable answer ({reason_of(error)}) and no run is in "
                    f"progress now{going}; run pulumi up again (see `datarobot-retraining runs list "
                    f"{deployment_id} {policy_id}`)."
                ) from error
            progress(f"Starting a run of {subject} lost its answer, but run {found.id} is in progress; using it.")
            return found
        except NotFoundError as error:
            raise ResourceOperationError(
                f"Cannot start a run of {subject}: the deployment or the policy was not found; check deployment_id "
                "and policy_id (e.g. pass the RetrainingPolicy resource's policy_id)."
            ) from error
        except (UnprocessableEntityError, BadRequestError) as error:
            raise self._explain_refusal(client, deployment_id, subject, error) from error
        except APIError as error:
            raise ResourceOperationError(f"Could not start a run of {subject}: {reason_of(error)}.") from error

    @staticmethod
    def _explain_refusal(
        client: DataRobotClient, deployment_id: str, subject: str, error: APIError
    ) -> ResourceOperationError:
        """A refused start, diagnosed from the deployment's settings (the refusal's wording is not a contract)."""
        prefix = f"Cannot start a run of {subject}: {reason_of(error)}"
        try:
            has_dataset = client.retraining_settings.get(deployment_id).dataset is not None
        except APIError:
            return ResourceOperationError(f"{prefix}.")
        if has_dataset:
            return ResourceOperationError(f"{prefix}; fix what it names and run pulumi up again.")
        return ResourceOperationError(
            f"{prefix}; the deployment has no retraining dataset, which a run trains on: give it one (a "
            "RetrainingSettings resource with dataset_id, listed in this resource's depends_on)."
        )

    def _find_started(
        self, client: DataRobotClient, deployment_id: str, policy_id: str, cause: APIError
    ) -> RetrainingPolicyRun | None:
        """The run a lost POST started, if any: the policy's newest run while it is still in progress."""
        try:
            latest = client.retraining_policies.get(deployment_id, policy_id).latest_run
        except APIError as error:
            raise ResourceOperationError(
                f"Starting a run of retraining policy {policy_id} on deployment {deployment_id} may or may not "
                f"have succeeded ({reason_of(cause)}) and the check failed too ({reason_of(error)}); look at "
                f"`datarobot-retraining runs list {deployment_id} {policy_id}` before running pulumi up again."
            ) from error
        return latest if latest is not None and not latest.outcome.finished else None

    def _wait_until_idle(self, client: DataRobotClient, deployment_id: str, policy_id: str, deadline: Deadline) -> None:
        last_report: float | None = None

        def active_runs() -> list[RetrainingPolicyRun]:
            return [r for r in client.retraining_policy_runs.list(deployment_id, policy_id) if not r.outcome.finished]

        def report(active: list[RetrainingPolicyRun], elapsed: float) -> None:
            nonlocal last_report
            if last_report is None or elapsed - last_report >= REPORT_EVERY_SECONDS:
                last_report = elapsed
                progress(
                    f"Retraining policy {policy_id} already has run {active[0].id} in progress ({active[0].status}); "
                    "waiting for it to end before starting a new run."
                )

        try:
            poll(
                active_runs,
                until=lambda active: not active,
                deadline=deadline,
                interval=self.run_poll_interval,
                report=report,
            )
        except WaitTimeoutError as timed_out:
            busy = timed_out.last[0]
            raise ResourceOperationError(
                f"Cannot start a run of retraining policy {policy_id} on deployment {deployment_id}: run "
                f"{busy.id} is still {busy.status} after {deadline.seconds:g} s and DataRobot runs one run of a "
                f"policy at a time; wait for it (`datarobot-retraining runs watch {deployment_id} {policy_id} "
                f"{busy.id}`) or raise wait_timeout_seconds, then run pulumi up again."
            ) from None

    def _wait(
        self,
        client: DataRobotClient,
        deployment_id: str,
        policy_id: str,
        run: RetrainingPolicyRun,
        deadline: Deadline,
    ) -> RetrainingPolicyRun:
        last_line, last_report = "", float("-inf")

        def read() -> RetrainingPolicyRun:
            try:
                return client.retraining_policy_runs.get(deployment_id, policy_id, run.id)
            except APIError as error:
                raise ResourceOperationError(
                    f"Lost track of retraining run {run.id} of policy {policy_id} on deployment {deployment_id} "
                    f"while waiting for it: {reason_of(error)}."
                ) from error

        def report(current: RetrainingPolicyRun, elapsed: float) -> None:
            nonlocal last_line, last_report
            line = f"Retraining run {current.id} of policy {policy_id}: {describe_status(current)}."
            if line != last_line or elapsed - last_report >= REPORT_EVERY_SECONDS:
                progress(line)
                last_line, last_report = line, elapsed

        try:
            return poll(
                read,
                until=lambda current: current.outcome.finished,
                deadline=deadline,
                interval=self.run_poll_interval,
                report=report,
                first=run,
            )
        except WaitTimeoutError as timed_out:
            last = timed_out.last
            raise ResourceOperationError(
                f"Gave up waiting for retraining run {last.id} of policy {policy_id} on deployment "
                f"{deployment_id}: it is still {last.status} after {deadline.seconds:g} s and goes on (it is not "
                f"cancelled); follow it with `datarobot-retraining runs watch {deployment_id} {policy_id} "
                f"{last.id}`, or raise wait_timeout_seconds."
            ) from None


def triggers_changed(olds: Mapping[str, Any], desired: Mapping[str, Any]) -> bool:
    """Whether the desired triggers differ from those of the last run (an unknown one may: count it)."""
    want = desired.get("triggers")
    return contains_unknown(want) or not same_value(want, olds.get("triggers"))


def describe_status(run: RetrainingPolicyRun) -> str:
    """`running (building project)`: the status as the server spells it, and the step when the server reports one
    (the emulator's `currentStep` with `runSteps=shown`; DataRobot's run object has none, and nothing depends on it)."""
    step = (run.model_extra or {}).get("currentStep")
    return f"{run.status} ({step})" if step else run.status


def outputs(desired: Mapping[str, Any], run: RetrainingPolicyRun) -> dict[str, Any]:
    """Every input as given, plus the run as the server reports it."""
    state = plain(run)
    return {
        **{key: desired[key] for key in RUN_INPUT_KEYS if key in desired},
        "run_id": run.id,
        **{field: state.get(field) for field in RUN_OUTPUT_KEYS if field != "run_id"},
    }
