"""The same retraining policies on every deployment of a team, with per-deployment overrides."""

import pulumi
from policy_set import DeploymentTarget, RetrainingPolicySet

import pulumi_datarobot_retraining as retraining

config = pulumi.Config()
dataset_id = config.require("datasetId")
retraining_user_id = config.require("retrainingUserId")

standard = {
    "drift": retraining.RetrainingPolicyArgs(
        name="Challenger on drift",
        action=retraining.Action.CREATE_CHALLENGER,
        trigger=retraining.TriggerArgs(type="data_drift_decline", status_declines_to_warning=True),
        autopilot_options=retraining.AutopilotOptionsArgs(mode="quick"),
    ),
    "weekly": retraining.RetrainingPolicyArgs(
        name="Weekly model package",
        action=retraining.Action.CREATE_MODEL_PACKAGE,
        trigger=retraining.TriggerArgs(
            type="schedule", schedule=retraining.ScheduleArgs(minute=[0], hour=[6], day_of_week=["mon"])
        ),
    ),
}

team = RetrainingPolicySet(
    "churn-team",
    deployments={
        "churn": DeploymentTarget(config.require("churnDeploymentId"), dataset_id, retraining_user_id),
        "upsell": DeploymentTarget(config.require("upsellDeploymentId"), dataset_id, retraining_user_id),
    },
    policies=standard,
    overrides={
        # The upsell model retrains on Thursdays at 03:00 instead, and only on a failing drift status.
        "upsell": {
            "weekly": {
                "trigger": retraining.TriggerArgs(
                    type="schedule", schedule=retraining.ScheduleArgs(minute=[0], hour=[3], day_of_week=["thu"])
                )
            },
            "drift": {"trigger": retraining.TriggerArgs(type="data_drift_decline", status_declines_to_failing=True)},
        },
    },
)

pulumi.export("policy_ids", team.policy_ids)
