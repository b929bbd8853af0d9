"""Shared test data for provider tests: the demo deployment and the notebook's drift policy."""

from __future__ import annotations

from typing import Any

from datarobot_emulator import seed

DEPLOYMENT = seed.DEMO_DEPLOYMENT_ID


def notebook_policy(**overrides: Any) -> dict[str, Any]:
    """The drift-tracking policy of DataRobot's retraining notebook, as the SDK sends it (snake_case)."""
    props: dict[str, Any] = {
        "deployment_id": DEPLOYMENT,
        "name": "MultiClass Drift Tracking Policy",
        "action": "create_challenger",
        "trigger": {
            "type": "data_drift_decline",
            "schedule": {"minute": [0], "hour": [0]},
            "status_declines_to_warning": True,
        },
        "model_selection_strategy": "autopilot_recommended",
        "feature_list_strategy": "informative_features",
        "project_options_strategy": "same_as_champion",
        "autopilot_options": {"mode": "auto", "run_leakage_removed_feature_list": True},
        "project_options": {"cv_method": "RandomCV", "validation_type": "CV", "metric": "Accuracy"},
    }
    props.update(overrides)
    return props
