"""Configuration, resolved here for the provider, the client and the CLI alike: endpoint, token, timeouts, switches.

Each setting comes from the first source that has it (explicit argument or flag > stack config > environment >
default); a blank value counts as unset. The token is checked once, here, for characters no HTTP header can carry.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from datarobot_retraining.errors import ConfigurationError

DEFAULT_ENDPOINT = "https://app.datarobot.com/api/v2"

# The official pulumi_datarobot provider reads these stack keys; reusing them lets one stack configure both.
STACK_ENDPOINT_KEY = "datarobot:endpoint"
STACK_TOKEN_KEY = "datarobot:apikey"
# Our own knobs live in our own namespace so they never collide with the official provider's schema.
STACK_RUN_WAIT_KEY = "datarobot-retraining:runWaitTimeoutSeconds"
STACK_REQUEST_TIMEOUT_KEY = "datarobot-retraining:requestTimeoutSeconds"
# false: a policy with a trigger never sets the deployment's retraining user to the token's user (see
# resources.retraining_policy).
STACK_SET_RETRAINING_USER_KEY = "datarobot-retraining:setRetrainingUser"

ENV_ENDPOINT = "DATAROBOT_ENDPOINT"
ENV_TOKEN = "DATAROBOT_API_TOKEN"
ENV_RUN_WAIT = "DATAROBOT_RETRAINING_RUN_WAIT_TIMEOUT"
ENV_REQUEST_TIMEOUT = "DATAROBOT_RETRAINING_REQUEST_TIMEOUT"
ENV_SET_RETRAINING_USER = "DATAROBOT_RETRAINING_SET_RETRAINING_USER"

DEFAULT_RUN_WAIT_TIMEOUT = 900.0
DEFAULT_REQUEST_TIMEOUT = 30.0
DEFAULT_SET_RETRAINING_USER = True

_TRUE = frozenset({"true", "yes", "on", "1"})
_FALSE = frozenset({"false", "no", "off", "0"})


class StackConfig(Protocol):
    """What the engine hands to `ResourceProvider.configure` (`pulumi.dynamic.Config` satisfies it)."""

    def get(self, key: str) -> Any: ...


@dataclass(frozen=True)
class ProviderConfig:
    """Where the provider talks to and how long it waits for a run before giving up.

    The token is excluded from `repr` so that a config printed in a log or an error never shows it.
    """

    endpoint: str = DEFAULT_ENDPOINT
    token: str | None = field(default=None, repr=False)
    run_wait_timeout: float = DEFAULT_RUN_WAIT_TIMEOUT
    request_timeout: float = DEFAULT_REQUEST_TIMEOUT
    set_retraining_user: bool = DEFAULT_SET_RETRAINING_USER

    @classmethod
    def resolve(
        cls,
        *,
        endpoint: str | None = None,
        token: str | None = None,
        run_wait_timeout: float | None = None,
        request_timeout: float | None = None,
        set_retraining_user: bool | None = None,
        stack_config: StackConfig | Mapping[str, Any] | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> ProviderConfig:
        """Resolve each setting from the first source that has it: arguments, stack config, environment, default."""
        env = os.environ if environ is None else environ

        def from_stack(key: str) -> str | None:
            if stack_config is None:
                return None
            value = stack_config.get(key)
            # Stack config values arrive as strings; an empty string means "not set" to a user.
            return str(value) if value not in (None, "") else None

        resolved_endpoint = resolve_endpoint(endpoint, from_stack(STACK_ENDPOINT_KEY), env.get(ENV_ENDPOINT))
        resolved_token = resolve_token(
            (token, "the token argument"),
            (from_stack(STACK_TOKEN_KEY), STACK_TOKEN_KEY),
            (env.get(ENV_TOKEN), ENV_TOKEN),
        )
        wait_text = (
            str(run_wait_timeout)
            if run_wait_timeout is not None
            else from_stack(STACK_RUN_WAIT_KEY) or env.get(ENV_RUN_WAIT)
        )
        timeout_text = (
            str(request_timeout)
            if request_timeout is not None
            else from_stack(STACK_REQUEST_TIMEOUT_KEY) or env.get(ENV_REQUEST_TIMEOUT)
        )
        return cls(
            endpoint=resolved_endpoint,
            token=resolved_token,
            run_wait_timeout=_parse_seconds(wait_text, DEFAULT_RUN_WAIT_TIMEOUT, STACK_RUN_WAIT_KEY, ENV_RUN_WAIT),
            request_timeout=_parse_seconds(
                timeout_text, DEFAULT_REQUEST_TIMEOUT, STACK_REQUEST_TIMEOUT_KEY, ENV_REQUEST_TIMEOUT, positive=True
            ),
            set_retraining_user=(
                set_retraining_user
                if set_retraining_user is not None
                else _parse_switch(
                    from_stack(STACK_SET_RETRAINING_USER_KEY) or env.get(ENV_SET_RETRAINING_USER),
                    DEFAULT_SET_RETRAINING_USER,
                    STACK_SET_RETRAINING_USER_KEY,
                    ENV_SET_RETRAINING_USER,
                )
            ),
        )


def _parse_seconds(text: str | None, default: float, stack_key: str, env_key: str, *, positive: bool = False) -> float:
    if text is None:
        return default
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    # NaN passes every comparison below, and an infinite timeout or wait is no bound at all.
    if not math.isfinite(seconds) or seconds < 0 or (positive and seconds == 0):
        kind = "positive" if positive else "non-negative"
        raise ConfigurationError(
            f"The value {text!r} of {stack_key} (or {env_key}) is not a number of seconds; set it to a {kind} "
            f"number such as {default:.0f}."
        )
    return seconds


def _parse_switch(text: str | None, default: bool, stack_key: str, env_key: str) -> bool:
    if text is None or not text.strip():
        return default
    word = text.strip().lower()
    if word in _TRUE | _FALSE:
        return word in _TRUE
    raise ConfigurationError(
        f"The value {text!r} of {stack_key} (or {env_key}) is not true or false; set it to one of them."
    )


def first_set(*values: str | None) -> str | None:
    """The first value that is not blank, without surrounding whitespace (a token file's trailing newline)."""
    return next((value.strip() for value in values if value is not None and value.strip()), None)


def resolve_endpoint(*candidates: str | None) -> str:
    """The first endpoint given, else the default; without trailing slashes (paths are appended to it)."""
    return (first_set(*candidates) or DEFAULT_ENDPOINT).rstrip("/")


def resolve_token(*candidates: tuple[str | None, str]) -> str | None:
    """The first token given, as (value, where it was given), checked for characters no header can carry.

    Refused in one sentence that names the source and never the token: httpx would otherwise quote the whole
    header (token included) in its "Illegal header value" error, or fail with a bare UnicodeEncodeError.
    """
    for value, source in candidates:
        token = first_set(value)
        if token is None:
            continue
        for position, character in enumerate(token, start=1):
            problem = _unsendable(character)
            if problem:
                raise ConfigurationError(
                    f"The DataRobot API token given by {source} contains {problem} at character {position}, which "
                    "no API token has; set it again, copied exactly from Developer Tools in DataRobot."
                )
        return token
    return None


def missing_token(how: str) -> ConfigurationError:
    """The one "no token" error; `how` is the way to give one that fits the caller (a flag, an argument...)."""
    return ConfigurationError(f"No DataRobot API token: {how} or set {ENV_TOKEN}.")


def _unsendable(character: str) -> str:
    if character in "\r\n":
        return "a line break"
    if character == "\0":
        return "a NUL character"
    if not character.isascii():
        return "a non-ASCII character"
    if not character.isprintable():
        return "a control character"
    if character == " ":
        return "a space"
    return ""
