"""What the provider process imports before its first call: `check` makes no API call, so no HTTP stack is loaded."""

from __future__ import annotations

import json
import subprocess
import sys

# As the engine's provider process does: unpickling a provider imports its module, then `check` runs.
PROGRAM = """
import json, sys
from datarobot_retraining.resources import (
    RetrainingPolicyProvider, RetrainingPolicyRunProvider, RetrainingSettingsProvider,
)
policy = {"deployment_id": "d1", "name": "p", "trigger": {"type": "schedule", "schedule": {"minute": [0]}}}
for provider, news in (
    (RetrainingPolicyProvider(), policy),
    (RetrainingSettingsProvider(), {"deployment_id": "d1", "dataset_id": "x1"}),
    (RetrainingPolicyRunProvider(), {"deployment_id": "d1", "policy_id": "p1"}),
):
    assert not provider.check({}, news).failures
print(json.dumps(sorted(name for name in ("httpx", "httpcore", "croniter", "rich") if name in sys.modules)))
"""


def test_check_imports_neither_httpx_nor_croniter() -> None:
    done = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []
