"""The engine benchmark's program: N deployments x (settings + 5 policies), with our SDK or the trivial provider."""

import pulumi

import pulumi_datarobot_retraining as retraining
from benchmarks._common import five_policies, settings_props
from benchmarks.trivial_provider import TrivialResource

config = pulumi.Config()
arm = config.require("arm")
for index, deployment_id in enumerate(config.require_object("deploymentIds")):
    # The same shape in both arms: settings first, then five policies that depend on them (as examples/ declare).
    if arm == "ours":
        settings: pulumi.Resource = retraining.RetrainingSettings(f"settings-{index}", **settings_props(deployment_id))
    else:
        settings = TrivialResource(f"settings-{index}", settings_props(deployment_id))
    after = pulumi.ResourceOptions(depends_on=[settings])
    for number, props in enumerate(five_policies(deployment_id)):
        name = f"policy-{index}-{number}"
        if arm == "ours":
            retraining.RetrainingPolicy(name, **props, opts=after)
        else:
            TrivialResource(name, props, opts=after)
