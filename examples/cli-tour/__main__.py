"""The policies the examples of docs/cli.md show: one nightly, one on data drift, one weekly; for trying the CLI."""

import pulumi

import pulumi_datarobot_retraining as retraining

config = pulumi.Config()
deployment_id = config.require("deploymentId")

settings = retraining.RetrainingSettings(
    "settings",
    deployment_id=deployment_id,
    dataset_id=config.require("datasetId"),
    retraining_user_id=config.require("retrainingUserId"),
)

# Created one after another (each depends on the one before) so that their ids are the ones docs/cli.md shows.
nightly = retraining.RetrainingPolicy(
    "nightly",
    deployment_id=deployment_id,
    name="Nightly retrain",
    action=retraining.Action.CREATE_MODEL_PACKAGE,
    trigger=retraining.TriggerArgs(
        type=retraining.TriggerType.SCHEDULE, schedule=retraining.ScheduleArgs.from_cron("0 0 * * *")
    ),
    opts=pulumi.ResourceOptions(depends_on=[settings]),
)
drift = retraining.RetrainingPolicy(
    "drift",
    deployment_id=deployment_id,
    name="MultiClass Drift Tracking Policy",
    action=retraining.Action.CREATE_CHALLENGER,
    trigger=retraining.TriggerArgs(
        type=retraining.TriggerType.DATA_DRIFT_DECLINE,
        schedule=retraining.ScheduleArgs(minute=[0], hour=[0]),
        status_declines_to_warning=True,
    ),
    opts=pulumi.ResourceOptions(depends_on=[nightly]),
)
retraining.RetrainingPolicy(
    "weekly",
    deployment_id=deployment_id,
    name="Weekly review",
    action=retraining.Action.MODEL_REPLACEMENT,
    trigger=retraining.TriggerArgs(
        type=retraining.TriggerType.SCHEDULE, schedule=retraining.ScheduleArgs.from_cron("30 6 * * mon")
    ),
    opts=pulumi.ResourceOptions(depends_on=[drift]),
)
