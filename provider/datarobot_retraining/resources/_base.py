"""What every resource provider shares: picklable-by-reference base, one client per process, diffs over leaf paths."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from pulumi.dynamic import ConfigureRequest, ResourceProvider
from pydantic import BaseModel

from datarobot_retraining.client import DataRobotClient
from datarobot_retraining.config import ENV_TOKEN, STACK_TOKEN_KEY, ProviderConfig, missing_token
from datarobot_retraining.errors import (
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    DataRobotError,
    WrongEndpointError,
)
from datarobot_retraining.inputs._validation import contains_unknown, get_path, is_unknown, leaves
from datarobot_retraining.resources._engine import report_errors_as_sentences

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

    # The first wait between two polls of a run, growing to the second; small so tests and short runs are quick.
    run_poll_interval: tuple[float, float] = (0.2, 2.0)

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


class ResourceOperationError(DataRobotError):
    """A lifecycle operation failed; its text is the one sentence the user sees in `pulumi up`.

    The API error behind it, if any, is chained as `__cause__` for the details (shown with the traceback).
    """


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


def progress(message: str) -> None:
    """Tell the user something during a long operation: the engine shows the provider's stderr lines."""
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------------------------
# Leaf-path diffing, shared by every resource: what the user sets is compared, what the server fills is not.

MANAGED_FIELDS = "managed_fields"


def same_value(want: Any, have: Any) -> bool:
    """Equality that survives the engine's round trips: 5 == 5.0, dicts by key, lists in order."""
    if isinstance(want, bool) or isinstance(have, bool):
        return want is have or (want == have and type(want) is type(have))
    if isinstance(want, int | float) and isinstance(have, int | float):
        return float(want) == float(have)
    if isinstance(want, Mapping) and isinstance(have, Mapping):
        keys = set(want) | set(have)
        return all(same_value(want.get(k), have.get(k)) for k in keys)
    if isinstance(want, list | tuple) and isinstance(have, list | tuple):
        return len(want) == len(have) and all(same_value(a, b) for a, b in zip(want, have, strict=True))
    return bool(want == have)


LeafEqual = Callable[[str, Any, Any], bool]
"""Compares a leaf's desired value with the server's: (path, want, have) -> same?"""


def same_leaf(_path: str, want: Any, have: Any) -> bool:
    return same_value(want, have)


def changed_leaves(
    olds: Mapping[str, Any],
    news: Mapping[str, Any],
    leaf_paths: Sequence[str],
    defaults: Mapping[str, Any],
    equal: LeafEqual = same_leaf,
) -> list[str]:
    """Leaves whose desired value differs from the state in `olds` (the previous *outputs*).

    A leaf the user sets is compared with the server's value. A leaf the user set before and removed now is a change
    back to the server default, unless the server already holds that default. Leaves never set are not compared:
    server-filled values never show as a diff. An unknown desired value counts as a change (it may be one).
    """
    desired = leaves(news, leaf_paths)
    changed = [
        path for path, want in desired.items() if contains_unknown(want) or not equal(path, want, get_path(olds, path))
    ]
    changed += [
        path
        for path in removed_leaves(olds, desired, leaf_paths)
        if not equal(path, defaults.get(path), get_path(olds, path))
    ]
    return changed


def removed_leaves(olds: Mapping[str, Any], desired: Mapping[str, Any], leaf_paths: Sequence[str]) -> list[str]:
    """Leaves the user managed before (per the previous outputs) and no longer sets."""
    return [p for p in olds.get(MANAGED_FIELDS) or [] if p in leaf_paths and p not in desired]


def deployment_changed(olds: Mapping[str, Any], news: Mapping[str, Any]) -> bool:
    new_deployment = news.get("deployment_id")
    return is_unknown(new_deployment) or new_deployment != olds.get("deployment_id")


def plain(value: Any) -> Any:
    """A response model as plain snake_case data, declared fields only (extra keys the server sent are dropped)."""
    if isinstance(value, BaseModel):
        return {name: plain(getattr(value, name)) for name in type(value).model_fields}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    return value


def managed_list(paths: Iterable[str]) -> list[str]:
    return sorted(set(paths))
