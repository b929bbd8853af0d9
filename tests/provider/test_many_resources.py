"""A program with more than a thousand of our resources: each declaration pickles its provider, and that must keep
working however many came before (pulumi 3.272's `serialize_provider` adds one wrapper per call around the pickler's
dict writer, so a provider whose pickled state is a dict failed with RecursionError at about the 985th resource)."""

from __future__ import annotations

import pickle
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from datarobot_retraining.resources import (
    RetrainingPolicyProvider,
    RetrainingPolicyRunProvider,
    RetrainingSettingsProvider,
)

ROOT = Path(__file__).resolve().parents[2]

# Every resource kind of the SDK, declared 400 times each (1,200 declarations) under Pulumi's mocks, in a fresh
# interpreter: the SDK's patch of the pickler is process-wide, so it must not accumulate in the test process.
PROGRAM = textwrap.dedent(
    """
    import pulumi
    import pulumi_datarobot_retraining as retraining

    COUNT = 400

    class Mocks(pulumi.runtime.Mocks):
        def new_resource(self, args):
            return f"{args.name}-id", dict(args.inputs)

        def call(self, args):
            return {}, None

    pulumi.runtime.set_mocks(Mocks(), project="project", stack="stack", preview=False)

    @pulumi.runtime.test
    def declare_many():
        resources = []
        for index in range(COUNT):
            deployment = f"dep-{index}"
            resources.append(retraining.RetrainingSettings(f"settings-{index}", deployment_id=deployment))
            resources.append(
                retraining.RetrainingPolicy(f"policy-{index}", deployment_id=deployment, action="create_model_package")
            )
            resources.append(retraining.RetrainingPolicyRun(f"run-{index}", deployment_id=deployment, policy_id="p"))
        return pulumi.Output.all(*(r.urn for r in resources)).apply(lambda urns: print("declared", len(urns)))

    declare_many()
    """
)


def test_a_program_can_declare_more_than_a_thousand_resources() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "RecursionError" not in done.stderr
    assert done.stdout.strip().splitlines()[-1] == "declared 1200"


@pytest.mark.parametrize(
    "provider_class", [RetrainingSettingsProvider, RetrainingPolicyProvider, RetrainingPolicyRunProvider]
)
def test_a_provider_pickled_with_the_old_empty_dict_state_still_loads(
    provider_class: type, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Stacks created before the fix hold `__provider` pickled with an empty-dict state; the engine sends it back to
    # the provider process (a delete uses the old state's provider), which must still load it.
    monkeypatch.setattr(provider_class, "__getstate__", lambda self: {})
    old = pickle.dumps(provider_class(), protocol=pickle.DEFAULT_PROTOCOL)
    monkeypatch.undo()
    new = pickle.dumps(provider_class(), protocol=pickle.DEFAULT_PROTOCOL)
    assert old != new and len(new) < len(old)  # the new form writes no state at all
    assert type(pickle.loads(old)) is provider_class and type(pickle.loads(new)) is provider_class
