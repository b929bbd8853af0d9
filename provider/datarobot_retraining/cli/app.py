"""The `datarobot-retraining` commands: thin calls to the client, shown by `formatting`, failures as one line."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, NoReturn

import typer
from rich.text import Text

from datarobot_retraining.cli.first_steps import welcome_lines
from datarobot_retraining.cli.formatting import (
    policies_view,
    policy_document,
    print_json,
    run_document,
    run_outcome,
    run_view,
    runs_view,
    settings_document,
    settings_view,
    show,
    status_text,
)
from datarobot_retraining.cli.offline import offline_app
from datarobot_retraining.cli.session import (
    ABORTS,
    CURRENT_SESSION,
    EXIT_RUN_FAILED,
    EXIT_USAGE,
    CliError,
    OneLineErrorGroup,
    Session,
    deployment_not_found,
    resolve_policy,
)
from datarobot_retraining.cli.waiting import Progress, follow_run
from datarobot_retraining.client import DataRobotClient
from datarobot_retraining.errors import (
    APIError,
    APIStatusError,
    ConflictError,
    NotFoundError,
    UnprocessableEntityError,
)
from datarobot_retraining.models import RetrainingPolicy, RetrainingPolicyRun, RunOutcome

PROG = "datarobot-retraining"
DEFAULT_WAIT_TIMEOUT = 3600.0

app = typer.Typer(
    name=PROG,
    cls=OneLineErrorGroup,
    help="Operate DataRobot automated retraining: settings, policies and their runs.",
    epilog="Exit codes: 0 success, 1 error, 2 usage error, 3 a waited-for run failed or was cancelled, "
    "4 --timeout ran out while waiting.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
settings_app = typer.Typer(help="A deployment's retraining settings.", no_args_is_help=True)
policies_app = typer.Typer(help="A deployment's retraining policies.", no_args_is_help=True)
runs_app = typer.Typer(help="Start, cancel, list and watch the runs of a policy.", no_args_is_help=True)
emulator_app = typer.Typer(help="The local DataRobot-compatible emulator.", no_args_is_help=True)
app.add_typer(settings_app, name="settings")
app.add_typer(policies_app, name="policies")
app.add_typer(runs_app, name="runs")
app.add_typer(emulator_app, name="emulator")
app.add_typer(offline_app, name="offline")

Deployment = Annotated[str, typer.Argument(metavar="DEPLOYMENT", help="Deployment id.", show_default=False)]
Policy = Annotated[str, typer.Argument(metavar="POLICY", help="Policy id, or its exact name.", show_default=False)]
Run = Annotated[str, typer.Argument(metavar="RUN", help="Run id.", show_default=False)]
Json = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON (snake_case keys) on stdout.")]


@app.callback()
def root(
    ctx: typer.Context,
    endpoint: Annotated[
        str | None,
        typer.Option(
            help="API base URL (default: $DATAROBOT_ENDPOINT, else https://app.datarobot.com/api/v2).",
            show_default=False,
        ),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(help="API token (default: $DATAROBOT_API_TOKEN). Never printed.", show_default=False),
    ] = None,
) -> None:
    """Operate DataRobot automated retraining: settings, policies and their runs."""
    session = Session(endpoint=endpoint, token=token)
    ctx.obj = session
    CURRENT_SESSION.set(session)
    ctx.call_on_close(session.close)


def _session(ctx: typer.Context) -> Session:
    session = ctx.find_object(Session)
    assert session is not None, "the root callback creates the session"
    return session


# -- settings ----------------------------------------------------------------------------------------------------
@settings_app.command("show")
def settings_show(ctx: typer.Context, deployment: Deployment, as_json: Json = False) -> None:
    """Show a deployment's retraining dataset, prediction environment, user and credential."""
    client = _session(ctx).client()
    try:
        settings = client.retraining_settings.get(deployment)
    except NotFoundError as error:
        raise deployment_not_found(deployment) from error
    document = settings_document(deployment, settings)
    if as_json:
        print_json(document)
    else:
        show(settings_view(document))


# -- policies ----------------------------------------------------------------------------------------------------
@policies_app.command("list")
def policies_list(ctx: typer.Context, deployment: Deployment, as_json: Json = False) -> None:
    """List a deployment's policies: name, id, trigger in words, action, latest run, next scheduled runs."""
    client = _session(ctx).client()
    try:
        documents = [policy_document(p) for p in client.retraining_policies.list(deployment)]
    except NotFoundError as error:
        raise deployment_not_found(deployment) from error
    if as_json:
        print_json(documents)
    elif not documents:
        show(Text(f"Deployment {deployment} has no retraining policies."))
    else:
        show(policies_view(documents))


@policies_app.command("delete")
def policies_delete(
    ctx: typer.Context,
    deployment: Deployment,
    policy_ref: Policy,
    *,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Delete without asking first.")] = False,
    as_json: Json = False,
) -> None:
    """Delete a policy (asks first): for one made by hand, or left behind by a stack that lost its state."""
    client = _session(ctx).client()
    policy = resolve_policy(client, deployment, policy_ref)
    where = f"retraining policy '{policy.name}' ({policy.id}) of deployment {deployment}"
    if not yes:
        question = f"Delete {where}? A Pulumi stack that manages it would create it again on its next up."
        try:
            confirmed = typer.confirm(question, default=False, err=True)
        except ABORTS:
            confirmed = False
        if not confirmed:
            raise CliError(f"Kept {where}: the deletion was not confirmed (answer y, or pass --yes).")
    try:
        client.retraining_policies.delete(deployment, policy.id)
    except NotFoundError as error:
        raise CliError(f"Nothing was deleted: {where} was not found any more.") from error
    except ConflictError as error:
        run = policy.latest_run
        follow = (
            f"; cancel its run first (`{PROG} runs cancel {deployment} {policy.id} {run.id}`) or wait for it to end"
            if run is not None and not run.outcome.finished
            else ""
        )
        raise CliError(f"Cannot delete {where} now: {_server_words(error)}{follow}.") from error
    if as_json:
        print_json(policy_document(policy))
    else:
        show(Text(f"Deleted {where}."))


# -- runs --------------------------------------------------------------------------------------------------------
@runs_app.command("start")
def runs_start(
    ctx: typer.Context,
    deployment: Deployment,
    policy_ref: Policy,
    *,
    wait: Annotated[bool, typer.Option("--wait", help="Wait for the run to end; exit 3 if it fails.")] = False,
    timeout: Annotated[
        float, typer.Option(help="With --wait: give up waiting after this many seconds (exit 4; the run goes on).")
    ] = DEFAULT_WAIT_TIMEOUT,
    as_json: Json = False,
) -> None:
    """Start a run of a policy now."""
    _positive(timeout, "--timeout")
    client = _session(ctx).client()
    policy = resolve_policy(client, deployment, policy_ref)
    try:
        run = client.retraining_policy_runs.start(deployment, policy.id)
    except ConflictError as error:
        raise CliError(
            f"Policy '{policy.name}' cannot start a run now: {_server_words(error)} (see `{PROG} runs list "
            f"{deployment} {policy.id}`)."
        ) from error
    except UnprocessableEntityError as error:
        raise CliError(f"Policy '{policy.name}' cannot start a run: {_server_words(error)}.") from error
    if not wait:
        _show_run(run, as_json, f"Started run {run.id} of policy '{policy.name}' ({policy.id}): {status_text(run)}.")
        return
    if not as_json:
        show(Text(f"Started run {run.id} of policy '{policy.name}' ({policy.id})."))
    with Progress(as_json=as_json) as progress:
        run = follow_run(client, deployment, policy.id, run, timeout=timeout, progress=progress)
    _finish(run, policy, as_json)


@runs_app.command("cancel")
def runs_cancel(
    ctx: typer.Context, deployment: Deployment, policy_ref: Policy, run_id: Run, as_json: Json = False
) -> None:
    """Cancel a run in progress (not possible once it is creating the challenger or replacing the model)."""
    client = _session(ctx).client()
    policy = resolve_policy(client, deployment, policy_ref)
    try:
        run = client.retraining_policy_runs.cancel(deployment, policy.id, run_id)
    except NotFoundError as error:
        raise _no_such_run(policy, run_id) from error
    except ConflictError as error:
        raise _cannot_cancel(client, deployment, policy, run_id, error) from error
    _show_run(run, as_json, f"Cancelled run {run.id} of policy '{policy.name}'.")


@runs_app.command("list")
def runs_list(ctx: typer.Context, deployment: Deployment, policy_ref: Policy, as_json: Json = False) -> None:
    """A policy's run history, oldest first: start, end, duration, status, project, model package, error."""
    client = _session(ctx).client()
    policy = resolve_policy(client, deployment, policy_ref)
    documents = [run_document(r) for r in client.retraining_policy_runs.list(deployment, policy.id)]
    if as_json:
        print_json(documents)
    elif not documents:
        show(Text(f"Policy '{policy.name}' ({policy.id}) has no runs yet."))
    else:
        show(runs_view(documents))


@runs_app.command("watch")
def runs_watch(
    ctx: typer.Context,
    deployment: Deployment,
    policy_ref: Policy,
    run_id: Run,
    *,
    timeout: Annotated[
        float | None, typer.Option(help="Stop watching after this many seconds (exit 4; the run goes on).")
    ] = None,
    as_json: Json = False,
) -> None:
    """Show a live status line until the run ends; exit 3 if it failed or was cancelled."""
    if timeout is not None:
        _positive(timeout, "--timeout")
    client = _session(ctx).client()
    policy = resolve_policy(client, deployment, policy_ref)
    try:
        run = client.retraining_policy_runs.get(deployment, policy.id, run_id)
    except NotFoundError as error:
        raise _no_such_run(policy, run_id) from error
    with Progress(as_json=as_json) as progress:
        run = follow_run(client, deployment, policy.id, run, timeout=timeout, progress=progress)
    _finish(run, policy, as_json)


def _show_run(run: RetrainingPolicyRun, as_json: bool, sentence: str) -> None:
    if as_json:
        print_json(run_document(run))
    else:
        show(Text(sentence))


def _finish(run: RetrainingPolicyRun, policy: RetrainingPolicy, as_json: bool) -> None:
    """Show the ended run on stdout; a run that did not succeed also fails the command (one line, exit 3)."""
    if as_json:
        print_json(run_document(run))
    else:
        show(Text(run_outcome(run, policy)))
        show(run_view(run_document(run)))
    if run.outcome is not RunOutcome.SUCCEEDED:
        raise CliError(run_outcome(run, policy), EXIT_RUN_FAILED)


def _cannot_cancel(
    client: DataRobotClient, deployment: str, policy: RetrainingPolicy, run_id: str, error: APIStatusError
) -> CliError:
    where = f"Run {run_id} of policy '{policy.name}'"
    try:
        run = client.retraining_policy_runs.get(deployment, policy.id, run_id)
    except APIError:
        run = None
    if run is not None and run.outcome.finished:
        return CliError(f"{where} has already ended ({run.status}); there is nothing to cancel.")
    return CliError(f"{where} cannot be cancelled any more: {_server_words(error)}.")


def _server_words(error: APIStatusError) -> str:
    return (error.server_message or str(error)).strip().rstrip(".")


def _no_such_run(policy: RetrainingPolicy, run_id: str) -> CliError:
    return CliError(f"Policy '{policy.name}' ({policy.id}) has no run {run_id}.")


def _positive(value: float, option: str) -> None:
    if not value > 0:
        raise typer.BadParameter(f"must be a positive number of seconds, got {value:g}", param_hint=option)


# -- emulator ----------------------------------------------------------------------------------------------------
@emulator_app.command(
    "serve",
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    add_help_option=False,
)
def emulator_serve(ctx: typer.Context) -> None:
    """Serve the emulator (same flags as `python -m datarobot_emulator`; see `emulator serve --help`)."""
    try:
        from datarobot_emulator.__main__ import build_parser
        from datarobot_emulator.__main__ import main as serve
        from datarobot_emulator.server import DEFAULT_TOKEN
    except ImportError as error:
        raise CliError(
            f"The emulator is not installed ({error}); install pulumi-datarobot-retraining[emulator]."
        ) from error
    argv: Sequence[str] = list(ctx.args)
    parser = build_parser()
    parser.prog = f"{PROG} emulator serve"
    if {"-h", "--help"} & set(argv):
        parser.print_help()
        return

    def refuse(message: str) -> NoReturn:
        raise CliError(f"{message} (see '{parser.prog} --help')", EXIT_USAGE)

    parser.error = refuse  # type: ignore[method-assign]
    args = parser.parse_args(argv)  # flags are checked here, so a mistake is one line; serve() parses them again

    def welcome(api_url: str) -> None:
        typer.echo("\n".join(welcome_lines(api_url, args, DEFAULT_TOKEN)))

    # A failure to start (a port in use, a database it cannot open) is the emulator's own one line on stderr.
    code = serve(argv, on_ready=welcome)
    if code:
        raise typer.Exit(code)


def main(argv: Sequence[str] | None = None) -> None:
    """The console script: run the command line and exit with its code."""
    app(args=argv, prog_name=PROG)
