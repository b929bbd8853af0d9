"""The dynamic resource providers: one module per resource, each a `pulumi.dynamic.ResourceProvider`."""

from datarobot_retraining.errors import ResourceOperationError
from datarobot_retraining.resources.retraining_policy import RetrainingPolicyProvider
from datarobot_retraining.resources.retraining_policy_run import RetrainingPolicyRunProvider
from datarobot_retraining.resources.retraining_settings import RetrainingSettingsProvider

__all__ = [
    "ResourceOperationError",
    "RetrainingPolicyProvider",
    "RetrainingPolicyRunProvider",
    "RetrainingSettingsProvider",
]
