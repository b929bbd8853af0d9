"""Test tools for programs that use these resources: an engine-faithful gRPC driver and the offline runner."""

from pulumi_datarobot_retraining.testing.offline import (
    MockOutputs,
    OfflineRunError,
    OfflineRunner,
    RunResult,
    Step,
    default_mock_outputs,
)
from pulumi_datarobot_retraining.testing.provider_server import (
    CheckOutcome,
    DiffOutcome,
    ProviderServer,
    ReadOutcome,
    dynamic_type,
    make_urn,
    serialized_provider,
    unknown,
)

__all__ = [
    "CheckOutcome",
    "DiffOutcome",
    "MockOutputs",
    "OfflineRunError",
    "OfflineRunner",
    "ProviderServer",
    "ReadOutcome",
    "RunResult",
    "Step",
    "default_mock_outputs",
    "dynamic_type",
    "make_urn",
    "serialized_provider",
    "unknown",
]
