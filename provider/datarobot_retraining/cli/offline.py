"""`datarobot-retraining offline ...`: a Pulumi program's preview, up, refresh or destroy without the Pulumi CLI."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from datarobot_retraining.cli.session import CliError, Session
from datarobot_retraining.config import ENV_TOKEN, STACK_ENDPOINT_KEY, STACK_TOKEN_KEY

offline_app = typer.Typer(
    help="Run a Pulumi program without the Pulumi CLI, through the offline runner (a test tool, not the engine).",
    no_args_is_help=True,
)

ProgramDir = Annotated[
    Path,
    typer.Argument(
        metavar="PROGRAM_DIR",
        help="A project folder (its Pulumi.yaml gives the name, the program and config defaults), or a program "
        "folder holding __main__.py.",
        show_default=False,
    ),
]
StateFile = Annotated[
    Path | None,
    typer.Option(
        "--state",
        metavar="FILE",
        help="The state file (default: PROGRAM_DIR/.offline-state/STACK.json).",
        show_default=False,
    ),
]
ConfigValues = Annotated[
    list[str] | None,
    typer.Option(
        "--config",
        "-c",
        metavar="KEY=VALUE",
        help="A stack config value, repeatable (deploymentId=..., datarobot:endpoint=...); a key without a namespace "
        "belongs to the project. The endpoint and token also come from --endpoint/--token or the environment.",
        show_default=False,
    ),
]
StackName = Annotated[str, typer.Option("--stack", help="The stack name.")]
ProjectName = Annotated[
    str | None,
    typer.Option(
        "--project", help="The project name when PROGRAM_DIR has no Pulumi.yaml (default: the folder's name).",
        show_default=False,
    ),
]  # fmt: skip

OPERATIONS = {
    "preview": "Show what up would change, property by property, and every problem of every resource; change nothing.",
    "up": "Show the plan, then apply it: create, update, replace and delete resources; print the stack outputs.",
    "refresh": "Read every resource in the state from DataRobot and record what changed outside the program.",
    "destroy": "Delete every resource in the state.",
}


def run_offline(
    session: Session,
    operation: str,
    program_dir: Path,
    *,
    state: Path | None,
    config: list[str] | None,
    stack: str,
    project: str | None,
) -> None:
    """One operation of the offline runner on a program folder; its failures become one-line CLI errors."""
    from pulumi_datarobot_retraining.testing.offline import OfflineRunError, OfflineRunner

    if not program_dir.is_dir():
        raise CliError(f"{program_dir} is not a folder: give the folder of a Pulumi project or of a __main__.py.")
    values = dict(_pair(text) for text in config or [])
    # The global options configure the provider as the stack config would; a --config value is more specific.
    for key, value in ((STACK_ENDPOINT_KEY, session.endpoint), (STACK_TOKEN_KEY, session.token)):
        if value:
            values.setdefault(key, value)
    if not values.get(STACK_TOKEN_KEY) and not os.environ.get(ENV_TOKEN, "").strip():
        raise CliError(f"No DataRobot API token: pass --token, set {ENV_TOKEN}, or --config {STACK_TOKEN_KEY}=TOKEN.")
    # Errors are scrubbed of the session's token; a token given as config is one too.
    session.token = values.get(STACK_TOKEN_KEY) or session.token
    runner = OfflineRunner.for_project(program_dir, state, values, project=project, stack=stack)
    try:
        getattr(runner, operation)()
    except OfflineRunError as error:
        if error.missing_config:
            raise CliError(
                f"The program needs the config value '{error.missing_config}': pass --config "
                f"{error.missing_config}=VALUE, or give it a default in the project's Pulumi.yaml."
            ) from error
        raise CliError(str(error)) from error


def _pair(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise typer.BadParameter(f"expected KEY=VALUE, got {text!r}", param_hint="--config")
    return key.strip(), value


def _register(operation: str, summary: str) -> None:
    def command(
        ctx: typer.Context,
        program_dir: ProgramDir,
        *,
        state: StateFile = None,
        config: ConfigValues = None,
        stack: StackName = "local",
        project: ProjectName = None,
    ) -> None:
        session = ctx.find_object(Session)
        assert session is not None, "the root callback creates the session"
        run_offline(session, operation, program_dir, state=state, config=config, stack=stack, project=project)

    command.__doc__ = summary
    offline_app.command(operation)(command)


for _operation, _summary in OPERATIONS.items():
    _register(_operation, _summary)
