"""The typed DataRobot retraining client: `DataRobotClient` and its API groups."""

from __future__ import annotations

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
