"""The typed DataRobot retraining client: `DataRobotClient` and its API groups.

The names load on first use (PEP 562): importing `datarobot_retraining.client.polling`, or a provider whose `check`
makes no call, does not import the HTTP stack (httpx is most of what our provider adds to a process start).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._client import DEFAULT_ENDPOINT, USER_AGENT, DataRobotClient
    from .account import AccountAPI
    from .deployments import DeploymentsAPI
    from .retraining_policies import RetrainingPoliciesAPI
    from .retraining_settings import RetrainingSettingsAPI
    from .runs import RetrainingPolicyRunsAPI

__all__ = [
    "DEFAULT_ENDPOINT",
    "USER_AGENT",
    "AccountAPI",
    "DataRobotClient",
    "DeploymentsAPI",
    "RetrainingPoliciesAPI",
    "RetrainingPolicyRunsAPI",
    "RetrainingSettingsAPI",
]

# Where each public name is defined.
_HOMES = {
    "DEFAULT_ENDPOINT": "._client",
    "USER_AGENT": "._client",
    "DataRobotClient": "._client",
    "AccountAPI": ".account",
    "DeploymentsAPI": ".deployments",
    "RetrainingPoliciesAPI": ".retraining_policies",
    "RetrainingPolicyRunsAPI": ".runs",
    "RetrainingSettingsAPI": ".retraining_settings",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home, __name__), name)
    globals()[name] = value  # the next lookup is an ordinary attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
