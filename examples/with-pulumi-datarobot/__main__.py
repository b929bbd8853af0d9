"""A deployment from the official pulumi_datarobot provider, with its retraining managed in the same stack."""

import pulumi
import pulumi_datarobot as datarobot

import pulumi_datarobot_retraining as retraining

config = pulumi.Config()

environment = datarobot.PredictionEnvironment(
    "churn-environment", name="Churn predictions", platform="datarobotServerless"
)

deployment = datarobot.Deployment(
    "churn-deployment",
    label="Churn model",
    prediction_environment_id=environment.id,
    registered_model_version_id=config.require("registeredModelVersionId"),
    # create_challenger policies need challenger models enabled on the deployment.
    challenger_models_settings=datarobot.DeploymentChallengerModelsSettingsArgs(enabled=True),
)

# Both providers read datarobot:endpoint and datarobot:apikey, so one stack config serves both.
settings = retraining.RetrainingSettings(
    "churn-retraining",
    deployment_id=deployment.id,
    dataset_id=config.require("datasetId"),
    prediction_environment_id=environment.id,
    retraining_user_id=config.require("retrainingUserId"),
)

drift = retraining.RetrainingPolicy(
    "churn-drift",
    deployment_id=deployment.id,
    name="Challenger on drift",
    action="create_challenger",
    trigger=retraining.TriggerArgs(
        type="data_drift_decline",
        schedule={"minute": [0], "hour": [2]},
        status_declines_to_warning=True,
        status_declines_to_failing=True,
        min_interval_between_runs="P7D",
    ),
    autopilot_options={"mode": "quick"},
    opts=pulumi.ResourceOptions(depends_on=[settings]),
)

monthly = retraining.RetrainingPolicy(
    "churn-monthly",
    deployment_id=deployment.id,
    name="Monthly model package",
    action="create_model_package",
    trigger=retraining.TriggerArgs(type="schedule", schedule={"minute": [0], "hour": [3], "day_of_month": [1]}),
    opts=pulumi.ResourceOptions(depends_on=[settings]),
)

pulumi.export("deployment_id", deployment.id)
pulumi.export("policies", {"drift": drift.policy_id, "monthly": monthly.policy_id})
pulumi.export("monthly_next_runs", monthly.next_scheduled_runs)
