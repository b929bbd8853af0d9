"""What every resource provider shares: picklable-by-reference base, one client per process, one check path."""

from __future__ import annotations

import sys
import threading
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from pulumi.dynamic import CheckFailure, CheckResult, ConfigureRequest, ResourceProvider
from pydantic import BaseModel

from datarobot_retraining.client.polling import DEFAULT_POLL_INTERVAL
from datarobot_retraining.config import ENV_TOKEN, STACK_TOKEN_KEY, ProviderConfig, missing_token
from datarobot_retraining.errors import (
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    WrongEndpointError,
)
from datarobot_retraining.inputs._check import desired_state
from datarobot_retraining.inputs._shape import ReplacesOnChange, fields_marked
from datarobot_retraining.inputs._validation import Failure, InputModel, is_unknown
from datarobot_retraining.resources._engine import report_errors_as_sentences

if TYPE_CHECKING:
    from datarobot_retraining.client import DataRobotClient

#: Where the token comes from, in the words of a sentence that tells the user how to set it.
TOKEN_SOURCES = f"`pulumi config set --secret {STACK_TOKEN_KEY} <token>` or the {ENV_TOKEN} environment variable"

_clients: dict[tuple[str, str, float], DataRobotClient] = {}
_clients_lock = threading.Lock()


def shared_client(config: ProviderConfig) -> DataRobotClient:
    """One thread-safe client per endpoint and token for the whole provider process (the engine runs 4 workers)."""
    if not config.token:
        raise missing_token(f"run `pulumi config set --secret {STACK_TOKEN_KEY} <token>`")
    key = (config.endpoint, config.token, config.request_timeout)
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            # Imported on the first call, not with the provider: a `check` makes no call, so it never pays for httpx.
            from datarobot_retraining.client import DataRobotClient

            client = DataRobotClient(config.endpoint, config.token, timeout=config.request_timeout)
            _clients[key] = client
        return client


class DataRobotResourceProvider(ResourceProvider):
    """Base of our dynamic providers.

    The engine pickles the provider instance into every resource's state (`__provider`). This class pickles to a
    bare class reference: no client, no token, no configuration ever reaches the state. The provider process
    configures the instance through `configure()` with the stack config, or from the environment on first use.
    """

    # Nothing secret is ever pickled (see __getstate__), so the serialized provider need not be an encrypted
    # secret: that keeps `__provider` a ~100-byte class reference instead of ciphertext in every resource.
    serialize_as_secret_always = False

    # The first wait between two polls of a run, growing to the second (tests shorten it).
    run_poll_interval: tuple[float, float] = DEFAULT_POLL_INTERVAL

    def __getstate__(self) -> None:
        # None, not {}: with no state, pickle writes no dict at all. pulumi 3.272's `serialize_provider` wraps the
        # pickler's dict writer once more on every call, so any dict pickled by the ~985th resource of a program
        # process recursed that deep and failed (tests/provider/test_many_resources.py).
        return None

    def __setstate__(self, state: object) -> None:
        # Unpickling restores nothing: a provider is configured in the process that runs it (configure()).
        pass

    def configure(self, req: ConfigureRequest) -> None:
        # The SDK's server calls this first in its process: from then on our errors reach the user as one sentence.
        report_errors_as_sentences()
        self._config = ProviderConfig.resolve(stack_config=req.config)

    @property
    def config(self) -> ProviderConfig:
        config: ProviderConfig | None = getattr(self, "_config", None)
        if config is None:
            config = ProviderConfig.resolve()
            self._config = config
        return config

    def client(self) -> DataRobotClient:
        return shared_client(self.config)

    # -- the one check path (inputs._check), the same for every resource. ----------------------------------------
    #: The resource's Inputs model: the one declaration of its fields.
    inputs_model: ClassVar[type[InputModel]]

    def check_inputs(self, news: Mapping[str, Any]) -> tuple[dict[str, Any], list[Failure]]:
        """The resource's `inputs.<resource>.check_*` (validation, normalization, the rule for unknowns)."""
        raise NotImplementedError

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        # Runs in preview and up; no API call.
        inputs, failures = self.check_inputs(news)
        return CheckResult(inputs, [CheckFailure(f.property, f.reason) for f in failures])

    def desired(self, news: Mapping[str, Any]) -> dict[str, Any]:
        """What create/update/diff work from: check's output back from the engine, numbers restored, not re-checked."""
        return desired_state(news, self.inputs_model)

    def replaces(self, olds: Mapping[str, Any], desired: Mapping[str, Any]) -> list[str]:
        """The `ReplacesOnChange` inputs that changed (an unknown one may have: it counts)."""
        return [
            key
            for key in fields_marked(self.inputs_model, ReplacesOnChange)
            if is_unknown(desired.get(key)) or desired.get(key) != olds.get(key)
        ]


def reason_of(error: Exception) -> str:
    """The part of an API error worth repeating to a user: the server's words, with field problems appended."""
    if isinstance(error, APIStatusError):
        text = (error.server_message or f"HTTP {error.status_code}").rstrip(".")
        if error.errors:
            details = "; ".join(f"{field}: {why}" for field, why in sorted(error.errors.items()))
            text = f"{text} ({details})"
        if isinstance(error, AuthenticationError):
            text += f" (set the right token with {TOKEN_SOURCES})"
        return f"DataRobot answered {error.status_code}: {text}"
    if isinstance(error, APIConnectionError):
        return f"DataRobot could not be reached ({str(error).rstrip('.')})"
    if isinstance(error, WrongEndpointError):
        # Its own sentence, continued after the caller's "Could not read ... on deployment ...:".
        text = str(error).rstrip(".")
        return text[:1].lower() + text[1:]
    return str(error).rstrip(".")


#: While a long operation waits, a progress line at least this often (and the run provider's at every change too).
REPORT_EVERY_SECONDS = 30.0


def progress(message: str) -> None:
    """Tell the user something during a long operation: the engine shows the provider's stderr lines."""
    print(message, file=sys.stderr, flush=True)


def plain(value: Any) -> Any:
    """A response model as plain snake_case data, declared fields only (extra keys the server sent are dropped)."""
    if isinstance(value, BaseModel):
        return {name: plain(getattr(value, name)) for name in type(value).model_fields}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    return value
