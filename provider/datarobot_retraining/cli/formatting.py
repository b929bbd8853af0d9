"""How the command shows things: stable snake_case JSON documents, and Rich tables and lines for people."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import Any

import typer
from pydantic import BaseModel
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from datarobot_retraining.models import RetrainingPolicy, RetrainingPolicyRun, RetrainingSettings, RunOutcome
from datarobot_retraining.schedule import describe_trigger, next_fire_times

NONE = "-"
# Wide enough that piped output (logs, CI) never wraps an id; a terminal uses its own width.
PIPE_WIDTH = 1000


# ---------------------------------------------------------------------------------------------------------------
# JSON: the documents `--json` prints. Keys are stable and snake_case; absent values are null, never left out.


def run_document(run: RetrainingPolicyRun) -> dict[str, Any]:
    """One run (reference §3.7) plus `duration_seconds` (null until it ended)."""
    return {
        "id": run.id,
        "status": run.status,
        "start_time": iso(run.start_time),
        "finish_time": iso(run.finish_time),
        "duration_seconds": duration_seconds(run),
        "project_id": run.project_id,
        "model_package_id": run.model_package_id,
        "registered_model_id": run.registered_model_id,
        "challenger_id": run.challenger_id,
        "error_message": run.error_message,
    }


def policy_document(policy: RetrainingPolicy, *, now: datetime | None = None) -> dict[str, Any]:
    """One policy as `policies list --json` shows it: identity, trigger (raw and in words), action, runs."""
    trigger = declared_fields(policy.trigger) if policy.trigger is not None else None
    return {
        "id": policy.id,
        "name": policy.name,
        "description": policy.description,
        "action": policy.action,
        "trigger": trigger,
        "trigger_description": describe_trigger(trigger),
        "latest_run": run_document(policy.latest_run) if policy.latest_run is not None else None,
        "next_scheduled_runs": next_runs(trigger, now=now),
    }


def declared_fields(model: BaseModel) -> dict[str, Any]:
    """A response model as snake_case JSON data, declared fields only: keys a server adds do not leak into ours."""

    def convert(value: Any) -> Any:
        if isinstance(value, BaseModel):
            return {name: convert(getattr(value, name)) for name in type(value).model_fields}
        if isinstance(value, list):
            return [convert(item) for item in value]
        if isinstance(value, datetime):
            return iso(value)
        return value

    result: dict[str, Any] = convert(model)
    return result


#: The credential row when the server's answer has no `credential` (DataRobot's answer is not known to carry one).
CREDENTIAL_NOT_REPORTED = "(not reported by the server)"


def settings_document(deployment_id: str, settings: RetrainingSettings) -> dict[str, Any]:
    """A deployment's retraining settings: each reference `{id, name}` (`{id, username}` for the user) or null;
    `credential` only when the server reports it (no public source shows it in this answer)."""

    def ref(value: Any, label: str = "name") -> dict[str, Any] | None:
        return None if value is None else {"id": value.id, label: getattr(value, label)}

    document = {
        "deployment_id": deployment_id,
        "dataset": ref(settings.dataset),
        "prediction_environment": ref(settings.prediction_environment),
        "retraining_user": ref(settings.retraining_user, "username"),
    }
    if "credential" in settings.model_fields_set:
        document["credential"] = ref(settings.credential)
    return document


def next_runs(trigger: Mapping[str, Any] | None, *, now: datetime | None = None) -> list[str]:
    """When a schedule trigger fires next (three UTC times); empty for any other trigger."""
    if not trigger or trigger.get("type") != "schedule":
        return []
    return next_fire_times(trigger.get("schedule"), after=now)


def print_json(document: Any) -> None:
    typer.echo(json.dumps(document, indent=2))


# ---------------------------------------------------------------------------------------------------------------
# Values in words.


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def duration_seconds(run: RetrainingPolicyRun) -> float | None:
    if run.start_time is None or run.finish_time is None:
        return None
    return round((run.finish_time - run.start_time).total_seconds(), 3)


def duration_text(seconds: float | None) -> str:
    """`0.15s`, `42s`, `4m 05s`, `2h 03m`."""
    if seconds is None:
        return NONE
    if seconds < 10:
        return f"{seconds:.2f}".rstrip("0").rstrip(".") + "s"
    whole = round(seconds)
    if whole < 60:
        return f"{whole}s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes}m {secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"


def time_text(value: datetime | str | None) -> str:
    """`2025-06-02 00:00:05 UTC` (seconds dropped when zero)."""
    if value is None:
        return NONE
    when = datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else value
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    when = when.astimezone(timezone.utc)
    return when.strftime("%Y-%m-%d %H:%M UTC" if when.second == 0 else "%Y-%m-%d %H:%M:%S UTC")


def run_step(run: RetrainingPolicyRun) -> str | None:
    """The step a run is at, when the server says (the emulator's `currentStep` with `runSteps=shown`; the real API
    does not): shown, never relied on."""
    step = (run.model_extra or {}).get("currentStep")
    return str(step) if step else None


def status_text(run: RetrainingPolicyRun) -> str:
    step = run_step(run)
    return f"{run.status} ({step})" if step else run.status


def watch_line(run: RetrainingPolicyRun, elapsed: float) -> str:
    """The live status line: `Run 66a1... after 12s: running (building project)` (time since watching began)."""
    return f"Run {run.id} after {duration_text(elapsed)}: {status_text(run)}"


def run_outcome(run: RetrainingPolicyRun, policy: RetrainingPolicy) -> str:
    """One sentence on how a run ended, for the line after a wait."""
    where = f"Run {run.id} of policy '{policy.name}'"
    outcome = run.outcome
    if outcome is RunOutcome.SUCCEEDED:
        return f"{where} succeeded in {duration_text(duration_seconds(run))}."
    if outcome is RunOutcome.FAILED:
        return f"{where} failed: {(run.error_message or 'DataRobot gave no error message').rstrip('.')}."
    if outcome is RunOutcome.CANCELLED:
        return f"{where} was cancelled."
    return f"{where} is {status_text(run)}."


# ---------------------------------------------------------------------------------------------------------------
# Tables for people.


def show(renderable: Any) -> None:
    """Print a table or line on stdout; piped output loses the padding Rich adds at the end of lines."""
    console = stdout_console()
    if console.is_terminal:
        console.print(renderable)
        return
    with console.capture() as captured:
        console.print(renderable)
    typer.echo("\n".join(line.rstrip() for line in captured.get().splitlines()))


def stdout_console() -> Console:
    # Created per command: under a test runner sys.stdout is swapped, and Rich must write to the current one.
    probe = Console(highlight=False)
    return probe if probe.is_terminal else Console(highlight=False, width=PIPE_WIDTH)


def stderr_console() -> Console:
    return Console(stderr=True, highlight=False)


def _table(*columns: str) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


def _cell(value: Any) -> Text:
    # Text, not markup: a policy named "[red]x" must print as it is.
    return Text(NONE if value is None or value == "" else str(value))


def settings_view(document: Mapping[str, Any]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()

    def ref(value: Mapping[str, Any] | None, label: str = "name") -> Text:
        return _cell(None if value is None else f"{value.get(label) or '(unnamed)'} ({value['id']})")

    table.add_row(Text("Deployment"), _cell(document["deployment_id"]))
    table.add_row(Text("Dataset"), ref(document["dataset"]))
    table.add_row(Text("Prediction environment"), ref(document["prediction_environment"]))
    table.add_row(Text("Retraining user"), ref(document["retraining_user"], "username"))
    if "credential" in document:
        table.add_row(Text("Credential"), ref(document["credential"]))
    else:
        table.add_row(Text("Credential"), Text(CREDENTIAL_NOT_REPORTED, style="dim"))
    return table


def policies_view(documents: Iterable[Mapping[str, Any]]) -> Table:
    table = _table("Name", "ID", "Trigger", "Action", "Latest run", "Next runs")
    for doc in documents:
        latest = doc["latest_run"]
        table.add_row(
            _cell(doc["name"]),
            _cell(doc["id"]),
            _cell(doc["trigger_description"]),
            _cell(doc["action"]),
            _cell(latest["status"] if latest else None),
            _cell("\n".join(time_text(t) for t in doc["next_scheduled_runs"]) or None),
        )
    return table


def runs_view(documents: Iterable[Mapping[str, Any]]) -> Table:
    table = _table("Run", "Status", "Start", "End", "Duration", "Project", "Model package", "Error")
    for doc in documents:
        table.add_row(
            _cell(doc["id"]),
            _cell(doc["status"]),
            _cell(time_text(doc["start_time"])),
            _cell(time_text(doc["finish_time"])),
            _cell(duration_text(doc["duration_seconds"])),
            _cell(doc["project_id"]),
            _cell(doc["model_package_id"]),
            _cell(doc["error_message"]),
        )
    return table


def run_view(document: Mapping[str, Any]) -> Table:
    """One run, field by field (after `runs start`, `runs cancel`, `runs watch`)."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    for label, key in (
        ("Run", "id"),
        ("Status", "status"),
        ("Start", "start_time"),
        ("End", "finish_time"),
        ("Duration", "duration_seconds"),
        ("Project", "project_id"),
        ("Model package", "model_package_id"),
        ("Registered model", "registered_model_id"),
        ("Challenger", "challenger_id"),
        ("Error", "error_message"),
    ):
        value = document[key]
        if key in ("start_time", "finish_time"):
            value = time_text(value)
        elif key == "duration_seconds":
            value = duration_text(value)
        table.add_row(Text(label), _cell(value))
    return table
