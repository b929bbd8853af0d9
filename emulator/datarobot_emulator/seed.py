"""Seed data: the ``demo`` world (stable ids exported below), the ``empty`` world, and N deployments for scale."""

from __future__ import annotations

from typing import Any

from .clock import iso
from .store import Tx

Doc = dict[str, Any]

SEEDS = ("demo", "empty", "scale")
# ``scale`` is ``demo`` plus this many extra deployments unless the caller says otherwise.
SCALE_DEFAULT_DEPLOYMENTS = 100

# Stable ids: tests, examples and docs may hard-code these. Their prefix differs from generated ids
# (ids.ID_PREFIX), so a seeded id can never collide with one the emulator hands out.
DEMO_DEPLOYMENT_ID = "6523f1a0c8b2d4e6f8a0b1c2"
DEMO_DEPLOYMENT_2_ID = "6523f1a0c8b2d4e6f8a0b1c3"
NO_CHALLENGERS_DEPLOYMENT_ID = "6523f1a0c8b2d4e6f8a0b1c4"
DEMO_DATASET_ID = "6523f1a0c8b2d4e6f8a0b2d1"
DEMO_DATASET_2_ID = "6523f1a0c8b2d4e6f8a0b2d2"
DEMO_PREDICTION_ENVIRONMENT_ID = "6523f1a0c8b2d4e6f8a0b3e1"
DEMO_PREDICTION_ENVIRONMENT_2_ID = "6523f1a0c8b2d4e6f8a0b3e2"
DEMO_USER_ID = "6523f1a0c8b2d4e6f8a0b4f1"
DEMO_RETRAINING_USER_ID = "6523f1a0c8b2d4e6f8a0b4f2"
DEMO_CREDENTIAL_ID = "6523f1a0c8b2d4e6f8a0b5a1"
DEMO_USE_CASE_ID = "6523f1a0c8b2d4e6f8a0b6b1"
DEMO_ORG_ID = "6523f1a0c8b2d4e6f8a0b7c1"

_SEED_TIME = 1_700_000_000.0  # 2023-11-14: seeded objects were "created" at a fixed instant, for stable output.

HEALTH_MESSAGES = {
    "passing": "Status is passing.",
    "warning": "Status has declined to warning.",
    "failing": "Status has declined to failing.",
    "unknown": "Not enough data to compute a status.",
    "unavailable": "Status is unavailable.",
}
HEALTH_STATUSES = tuple(HEALTH_MESSAGES)


def health(status: str) -> Doc:
    return {"status": status, "message": HEALTH_MESSAGES[status]}


def _user(user_id: str, username: str, first: str, last: str) -> Doc:
    return {
        "id": user_id,
        "username": username,
        "email": username,
        "firstName": first,
        "lastName": last,
        "orgId": DEMO_ORG_ID,
    }


DEMO_USER = _user(DEMO_USER_ID, "demo.user@example.com", "Demo", "User")
RETRAINING_USER = _user(DEMO_RETRAINING_USER_ID, "retraining-bot@example.com", "Retraining", "Bot")


def _owner(user: Doc) -> Doc:
    return {"count": 1, "preview": [{k: user[k] for k in ("id", "email", "firstName", "lastName")}]}


def deployment_doc(
    deployment_id: str,
    *,
    label: str,
    model_id: str,
    project_id: str,
    model_type: str,
    target_name: str,
    target_type: str,
    model_package_id: str,
    registered_model_id: str,
    prediction_environment: Doc,
    importance: str = "MODERATE",
    description: str | None = None,
) -> Doc:
    """A deployment as ``GET /deployments/{id}/`` answers it (§2)."""
    return {
        "id": deployment_id,
        "label": label,
        "description": description,
        "status": "active",
        "importance": importance,
        "model": {
            "id": model_id,
            "type": model_type,
            "targetName": target_name,
            "targetType": target_type,
            "projectId": project_id,
        },
        "modelPackage": {
            "id": model_package_id,
            "name": f"{model_type} ({label})",
            "registeredModelId": registered_model_id,
        },
        "predictionEnvironment": {
            "id": prediction_environment["id"],
            "name": prediction_environment["name"],
            "platform": prediction_environment["platform"],
        },
        "owners": _owner(DEMO_USER),
        "accuracyHealth": health("passing"),
        "modelHealth": health("passing"),
        "serviceHealth": health("passing"),
        "permissions": ["CAN_VIEW", "CAN_EDIT", "CAN_DELETE", "CAN_SHARE", "CAN_MAKE_PREDICTIONS"],
        "createdAt": iso(_SEED_TIME),
        "tags": [],
    }


def deployment_settings_doc(challengers_enabled: bool) -> Doc:
    return {
        "challengerModels": {"enabled": challengers_enabled},
        "predictionsDataCollection": {"enabled": True},
        "targetDrift": {"enabled": True},
        "featureDrift": {"enabled": True},
    }


PREDICTION_ENVIRONMENTS: tuple[Doc, ...] = (
    {
        "id": DEMO_PREDICTION_ENVIRONMENT_ID,
        "name": "DataRobot Serverless",
        "description": "Managed serverless predictions.",
        "platform": "datarobotServerless",
        "supportedModelFormats": ["datarobot", "customModel"],
        "isManagedByManagementAgent": False,
    },
    {
        "id": DEMO_PREDICTION_ENVIRONMENT_2_ID,
        "name": "AWS us-east-1",
        "description": "External predictions on AWS.",
        "platform": "aws",
        "supportedModelFormats": ["datarobotScoringCode", "customModel"],
        "isManagedByManagementAgent": True,
    },
)


def _dataset(dataset_id: str, version_id: str, name: str, rows: int) -> Doc:
    return {
        "datasetId": dataset_id,
        "versionId": version_id,
        "name": name,
        "categories": ["TRAINING"],
        "createdBy": "Demo User",
        "creationDate": iso(_SEED_TIME),
        "isSnapshot": True,
        "isDataEngineEligible": True,
        "processingState": "COMPLETED",
        "rowCount": rows,
    }


def _seed_demo(tx: Tx) -> None:
    for user in (DEMO_USER, RETRAINING_USER):
        tx.obj_put("user", user["id"], user)
    for env in PREDICTION_ENVIRONMENTS:
        tx.obj_put("predictionEnvironment", env["id"], dict(env))
    tx.obj_put(
        "dataset",
        DEMO_DATASET_ID,
        _dataset(DEMO_DATASET_ID, "6523f1a0c8b2d4e6f8a0b2e1", "churn_training.csv", 7043),
    )
    tx.obj_put(
        "dataset",
        DEMO_DATASET_2_ID,
        _dataset(DEMO_DATASET_2_ID, "6523f1a0c8b2d4e6f8a0b2e2", "demand_history.csv", 52560),
    )
    tx.obj_put(
        "credential",
        DEMO_CREDENTIAL_ID,
        {
            "credentialId": DEMO_CREDENTIAL_ID,
            "name": "Warehouse reader",
            "credentialType": "basic",
            "description": "Read-only credential for the training data warehouse.",
            "creationDate": iso(_SEED_TIME),
        },
    )
    tx.obj_put(
        "useCase",
        DEMO_USE_CASE_ID,
        {
            "id": DEMO_USE_CASE_ID,
            "name": "Customer retention",
            "description": "Keep churn and demand models fresh.",
            "createdAt": iso(_SEED_TIME),
            "createdBy": DEMO_USER_ID,
        },
    )
    serverless, aws = PREDICTION_ENVIRONMENTS
    demo = (
        (DEMO_DEPLOYMENT_ID, "Churn classifier", "eXtreme Gradient Boosted Trees Classifier", "churn",
         "Binary", "HIGH", serverless, True, "1"),
        (DEMO_DEPLOYMENT_2_ID, "Demand forecast", "Light Gradient Boosting on ElasticNet Predictions",
         "demand", "Regression", "MODERATE", serverless, True, "2"),
        (NO_CHALLENGERS_DEPLOYMENT_ID, "Fraud detector", "Keras Slim Residual Neural Network Classifier",
         "is_fraud", "Binary", "CRITICAL", aws, False, "3"),
    )  # fmt: skip
    for dep_id, label, model_type, target, target_type, importance, env, challengers, n in demo:
        doc = deployment_doc(
            dep_id,
            label=label,
            model_id=f"6523f1a0c8b2d4e6f8a0c0{n}1",
            project_id=f"6523f1a0c8b2d4e6f8a0c0{n}2",
            model_type=model_type,
            target_name=target,
            target_type=target_type,
            model_package_id=f"6523f1a0c8b2d4e6f8a0c0{n}3",
            registered_model_id=f"6523f1a0c8b2d4e6f8a0c0{n}4",
            prediction_environment=env,
            importance=importance,
            description=f"The {label.lower()} deployment of the demo seed.",
        )
        tx.obj_put("deployment", dep_id, doc)
        tx.obj_put("deploymentSettings", dep_id, deployment_settings_doc(challengers))


def add_deployments(tx: Tx, count: int, *, challengers_enabled: bool = True) -> list[str]:
    """``count`` more deployments with generated ids (for scale benchmarks); returns their ids in order."""
    existing = tx.obj_count("deployment")
    env = PREDICTION_ENVIRONMENTS[0]
    ids = []
    for index in range(count):
        dep_id = tx.next_id()
        number = existing + index + 1
        doc = deployment_doc(
            dep_id,
            label=f"Scale deployment {number:05d}",
            model_id=tx.next_id(),
            project_id=tx.next_id(),
            model_type="Elastic-Net Classifier",
            target_name="target",
            target_type="Binary",
            model_package_id=tx.next_id(),
            registered_model_id=tx.next_id(),
            prediction_environment=env,
        )
        tx.obj_put("deployment", dep_id, doc)
        tx.obj_put("deploymentSettings", dep_id, deployment_settings_doc(challengers_enabled))
        ids.append(dep_id)
    return ids


def apply_seed(tx: Tx, name: str, *, deployments: int | None = None) -> list[str]:
    """Fill an empty store with the named seed; ``deployments`` adds that many generated deployments."""
    if name not in SEEDS:
        raise ValueError(f"unknown seed {name!r}; expected one of {', '.join(SEEDS)}")
    if name in ("demo", "scale"):
        _seed_demo(tx)
    extra = deployments if deployments is not None else (SCALE_DEFAULT_DEPLOYMENTS if name == "scale" else 0)
    return add_deployments(tx, extra) if extra else []
