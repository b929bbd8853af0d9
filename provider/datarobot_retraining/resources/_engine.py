"""How our errors reach the user through the Python SDK's dynamic-provider server: as their one sentence.

The SDK's server (`python -m pulumi.dynamic`) answers every exception a provider raises with the whole
`traceback.format_exc()` as the gRPC error, so under the real engine a user saw "error: Traceback (most recent call
last):" as the progress line and our sentence some 20 lines later, after two chained tracebacks. Our errors are
written to be read alone (what failed, where, why, what to do) and carry no detail a traceback would add, so for them
the server's `traceback` reference is given a `format_exc` that returns the sentence. Anything else (a bug of ours,
an SDK failure) keeps its full traceback. Nothing changes outside that server's own module namespace.
"""

from __future__ import annotations

import sys
import traceback
from types import ModuleType, SimpleNamespace

from datarobot_retraining.errors import DataRobotError

_SERVER_MODULE = "pulumi.dynamic.__main__"


def _format_exc(limit: int | None = None, chain: bool = True) -> str:
    error = sys.exc_info()[1]
    if isinstance(error, DataRobotError):
        return str(error)
    return traceback.format_exc(limit=limit, chain=chain)


def report_errors_as_sentences() -> None:
    """In the SDK's provider server only (never in a program or a test process), send our errors as their text."""
    server = sys.modules.get("__main__")
    spec = getattr(server, "__spec__", None)
    if not isinstance(server, ModuleType) or spec is None or spec.name != _SERVER_MODULE:
        return
    current = getattr(server, "traceback", None)
    if current is traceback:  # the SDK's own reference, not yet replaced; any other value means "leave it alone"
        # Every other traceback function stays the real one: only format_exc is answered differently.
        server.traceback = SimpleNamespace(**{**vars(traceback), "format_exc": _format_exc})  # type: ignore[attr-defined]
