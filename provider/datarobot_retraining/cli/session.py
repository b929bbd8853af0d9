"""What every command shares: the client built from flags or environment, policy lookup, one-line errors."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, NoReturn

import typer
import typer.core

from datarobot_retraining.client import DataRobotClient
from datarobot_retraining.config import ENV_ENDPOINT, ENV_TOKEN, missing_token, resolve_endpoint, resolve_token
from datarobot_retraining.errors import AuthenticationError, ConfigurationError, DataRobotError, NotFoundError
from datarobot_retraining.models import RetrainingPolicy
from datarobot_retraining.redaction import TokenRedactor

try:  # recent Typer carries its own copy of click; older ones use click itself
    from typer._click import exceptions as click_exceptions
except ImportError:  # pragma: no cover - depends on the installed Typer
    from click import exceptions as click_exceptions  # type: ignore[no-redef]

EXIT_OK = 0
EXIT_ERROR = 1
"""Anything that went wrong: bad configuration, an API error, an unknown or ambiguous policy."""
EXIT_USAGE = 2
"""The command line itself is wrong (missing argument, unknown option)."""
EXIT_RUN_FAILED = 3
"""A run that was waited for (`runs start --wait`, `runs watch`) ended failed or cancelled."""
EXIT_TIMEOUT = 4
"""A run that was waited for had not ended when `--timeout` ran out (it goes on)."""
EXIT_INTERRUPTED = 130

DEBUG_ENV = "DATAROBOT_RETRAINING_DEBUG"


class CliError(DataRobotError):
    """A failure the user sees as one line on stderr, with the exit code that classifies it (see `errors`)."""

    def __init__(self, message: str, exit_code: int = EXIT_ERROR) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


@dataclass
class Session:
    """The global options, and the client built from them on first use (so `emulator serve` needs no token)."""

    endpoint: str | None = None
    token: str | None = field(default=None, repr=False)
    _client: DataRobotClient | None = field(default=None, repr=False)

    def client(self) -> DataRobotClient:
        if self._client is None:
            # Resolved here, not by the client, so that errors name the flag and the token is known to the scrubber.
            token = resolve_token((self.token, "--token"), (os.environ.get(ENV_TOKEN), ENV_TOKEN))
            if token is None:
                raise missing_token("pass --token")
            self.token = token
            endpoint = resolve_endpoint(self.endpoint, os.environ.get(ENV_ENDPOINT))
            try:
                self._client = DataRobotClient(endpoint, token)
            except ConfigurationError as error:
                raise CliError(f"{str(error).rstrip('.')} (set by --endpoint or {ENV_ENDPOINT}).") from error
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


#: The session of the command being run; the error printer reads it to keep the token out of every line.
CURRENT_SESSION: ContextVar[Session | None] = ContextVar("CURRENT_SESSION", default=None)


def resolve_policy(client: DataRobotClient, deployment_id: str, ref: str) -> RetrainingPolicy:
    """The deployment's policy whose id is `ref`, else the one policy named exactly `ref`.

    An id wins over a name (names are not unique on the server, ids are). A name shared by several policies is an
    error that lists their ids, so the user can pick one.
    """
    try:
        policies = list(client.retraining_policies.list(deployment_id))
    except NotFoundError as error:
        raise deployment_not_found(deployment_id) from error
    for policy in policies:
        if policy.id == ref:
            return policy
    named = [p for p in policies if p.name == ref]
    if len(named) == 1:
        return named[0]
    if named:
        ids = ", ".join(p.id for p in named)
        raise CliError(
            f"Policy name '{ref}' is ambiguous on deployment {deployment_id}: {len(named)} policies have it "
            f"(ids {ids}); pass the id instead."
        )
    known = ", ".join(f"'{p.name}' ({p.id})" for p in policies) if policies else "none"
    raise CliError(
        f"Deployment {deployment_id} has no retraining policy with id or name '{ref}' (its policies: {known})."
    )


def deployment_not_found(deployment_id: str) -> CliError:
    return CliError(f"Deployment {deployment_id} was not found (or the API token's user cannot see it).")


def one_line(text: str) -> str:
    """The text on one line: a multi-line server message must not break the one-line error contract."""
    return " ".join(text.split())


# click < 8.2 has no such class: then no_args_is_help prints the help by itself and exits 0.
_NO_ARGS_IS_HELP: type[Exception] = getattr(click_exceptions, "NoArgsIsHelpError", type("_Never", (Exception,), {}))
ABORTS: tuple[type[BaseException], ...] = (typer.Abort, getattr(click_exceptions, "Abort", typer.Abort))


class OneLineErrorGroup(typer.core.TyperGroup):
    """The root command: every failure ends as ONE line on stderr (`error: ...`) and an exit code, never a
    traceback, for usage errors too. Set DATAROBOT_RETRAINING_DEBUG=1 to get the traceback of an unexpected error.
    """

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        hide_flag_types(self)
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except _NO_ARGS_IS_HELP as error:
            context = getattr(error, "ctx", None)
            if context is not None:
                typer.echo(context.get_help())
            sys.exit(EXIT_OK)
        except click_exceptions.UsageError as error:
            hint = f" (see '{error.ctx.command_path} --help')" if error.ctx is not None else ""
            fail(f"{error.format_message().rstrip('.')}{hint}.", EXIT_USAGE)
        except click_exceptions.ClickException as error:
            fail(error.format_message(), error.exit_code)
        except ABORTS:
            fail("Aborted.", EXIT_INTERRUPTED)
        except KeyboardInterrupt:
            fail("Interrupted.", EXIT_INTERRUPTED)
        except CliError as error:
            fail(error.message, error.exit_code)
        except AuthenticationError as error:
            fail(f"{str(error).rstrip('.')}; pass the right token with --token or set {ENV_TOKEN}.", EXIT_ERROR)
        except DataRobotError as error:
            fail(str(error), EXIT_ERROR)
        except Exception as error:
            if os.environ.get(DEBUG_ENV):
                raise
            fail(f"Unexpected {type(error).__name__}: {error} (set {DEBUG_ENV}=1 for the traceback).", EXIT_ERROR)
        sys.exit(result if isinstance(result, int) else EXIT_OK)


def hide_flag_types(command: Any) -> None:
    """Show flags in --help as `--wait`, not `--wait <bool>`: a flag takes no value, so it has no type to show.

    Typer labels every option with its type, flags and `--help` included; an empty metavar is how click spells
    "no value". Applied to the whole command tree (each command's help option too) before the command line runs.
    """
    help_option = command.get_help_option(typer.Context(command))
    for param in [*command.params, *([help_option] if help_option is not None else [])]:
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""
    for sub in getattr(command, "commands", {}).values():
        hide_flag_types(sub)


def fail(message: str, exit_code: int) -> NoReturn:
    typer.echo(f"error: {one_line(_scrub(message))}", err=True)
    sys.exit(exit_code)


def _scrub(text: str) -> str:
    # The client already keeps the token out of its errors; this also covers messages built here.
    session = _current_session()
    token = session.token if session is not None else None
    return TokenRedactor(token)(text) if token else text


def _current_session() -> Session | None:
    return CURRENT_SESSION.get()
