"""Sample inputs for tests and benchmarks: a realistic policy's properties, as the SDK sends them to the provider."""

from __future__ import annotations

from typing import Any

__all__ = ["notebook_policy"]


def notebook_policy(deployment_id: str, **overrides: Any) -> dict[str, Any]:
    """The drift-tracking policy of DataRobot's retraining notebook on `deployment_id`, as snake_case properties.

    Checked daily at 00:00 UTC, it trains a challenger when data drift declines to warning; `overrides` replace
    whole top-level properties (`trigger=None` makes it manual-only).
    """
    props: dict[str, Any] = {
        "deployment_id": deployment_id,
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
