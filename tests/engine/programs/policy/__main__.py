"""One retraining policy declared from the `policy` config value (JSON), so each test step edits the declaration."""

import json

import pulumi

import pulumi_datarobot_retraining as retraining

config = pulumi.Config()
declared = json.loads(config.require("policy"))
deployment_id = config.require("deploymentId")
if config.get_bool("deploymentFromOutput"):
    # A deployment id that is unknown until apply, as when the deployment is created in the same stack.
    from placeholder import DeploymentPlaceholder

    deployment_id = DeploymentPlaceholder("deployment", deployment_id).id

settings = retraining.RetrainingSettings(
    "settings",
    deployment_id=deployment_id,
    dataset_id=config.require("datasetId"),
    retraining_user_id=config.require("retrainingUserId"),
)
policy = retraining.RetrainingPolicy(
    "policy",
    deployment_id=deployment_id,
    **declared,
    opts=pulumi.ResourceOptions(depends_on=[settings], import_=config.get("importPolicyId")),
)
pulumi.export("policy_id", policy.policy_id)

if config.get_bool("runPolicy"):
    run = retraining.RetrainingPolicyRun(
        "run", deployment_id=policy.deployment_id, policy_id=policy.policy_id, wait=True, wait_timeout_seconds=120
    )
    pulumi.export("run_status", run.status)

existing = config.get("existingPolicyId")
if existing:
    referenced = retraining.RetrainingPolicy.get("referenced", existing, deployment_id=deployment_id)
    pulumi.export("referenced_name", referenced.name)
