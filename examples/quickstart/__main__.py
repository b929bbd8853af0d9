"""Quickstart: a deployment's retraining settings and three retraining policies, with what an operator wants to see."""

import pulumi

import pulumi_datarobot_retraining as retraining

config = pulumi.Config()
deployment_id = config.require("deploymentId")

settings = retraining.RetrainingSettings(
    "retraining-settings",
    deployment_id=deployment_id,
    dataset_id=config.require("datasetId"),
    prediction_environment_id=config.get("predictionEnvironmentId"),
    retraining_user_id=config.require("retrainingUserId"),
)
after_settings = pulumi.ResourceOptions(depends_on=[settings])

# The drift-tracking policy of DataRobot's retraining notebook: checked daily at 00:00 UTC, it trains a challenger
# when data drift declines to warning.
drift = retraining.RetrainingPolicy(
    "drift-policy",
    deployment_id=deployment_id,
    name="MultiClass Drift Tracking Policy",
    action=retraining.Action.CREATE_CHALLENGER,
    trigger=retraining.TriggerArgs(
        type=retraining.TriggerType.DATA_DRIFT_DECLINE,
        schedule=retraining.ScheduleArgs(minute=[0], hour=[0]),
        status_declines_to_warning=True,
    ),
    model_selection_strategy=retraining.ModelSelectionStrategy.AUTOPILOT_RECOMMENDED,
    feature_list_strategy=retraining.FeatureListStrategy.INFORMATIVE_FEATURES,
    project_options_strategy=retraining.ProjectOptionsStrategy.SAME_AS_CHAMPION,
    autopilot_options=retraining.AutopilotOptionsArgs(
        mode=retraining.AutopilotMode.AUTO, run_leakage_removed_feature_list=True
    ),
    project_options=retraining.ProjectOptionsArgs(cv_method="RandomCV", validation_type="CV", metric="Accuracy"),
    opts=after_settings,
)

# Every Monday at 06:00 UTC: retrain and save a model package for review, without touching the deployment.
weekly = retraining.RetrainingPolicy(
    "weekly-model-package",
    deployment_id=deployment_id,
    name="Weekly model package",
    description="Retrain every Monday and register the result for review.",
    action=retraining.Action.CREATE_MODEL_PACKAGE,
    trigger=retraining.TriggerArgs(
        type=retraining.TriggerType.SCHEDULE,
        schedule=retraining.ScheduleArgs(minute=[0], hour=[6], day_of_week=["monday"]),
    ),
    opts=after_settings,
)

# When accuracy declines to failing, replace the champion with the retrained model (at most once a day).
accuracy = retraining.RetrainingPolicy(
    "accuracy-replacement",
    deployment_id=deployment_id,
    name="Replace on accuracy failure",
    action=retraining.Action.MODEL_REPLACEMENT,
    trigger=retraining.TriggerArgs(
        type=retraining.TriggerType.ACCURACY_DECLINE,
        status_declines_to_failing=True,
        min_interval_between_runs="P1D",
    ),
    model_selection_strategy=retraining.ModelSelectionStrategy.SAME_BLUEPRINT,
    opts=after_settings,
)

policies = {"drift": drift, "weekly": weekly, "accuracy": accuracy}
pulumi.export("retraining_dataset", settings.dataset_name)
pulumi.export("policy_ids", {key: policy.policy_id for key, policy in policies.items()})
pulumi.export("next_scheduled_runs", weekly.next_scheduled_runs)
pulumi.export(
    "latest_run_status",
    {
        key: policy.latest_run.apply(lambda run: run["status"] if run else "no runs yet")
        for key, policy in policies.items()
    },
)
