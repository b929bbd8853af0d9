"""Reads the API rules, the control plane and run orchestration share: an object by id or the API's 404."""

from __future__ import annotations

from typing import Any

from .errors import NotFoundError
from .store import Tx

Doc = dict[str, Any]

DEPLOYMENT_NOT_FOUND = "Deployment not found."
POLICY_NOT_FOUND = "Deployment or retraining policy not found."
RUN_NOT_FOUND = "Retraining run not found."

# Objects served read-only, with the 404 message and the key that carries the id on the wire.
OBJECT_KINDS = {
    "dataset": ("Dataset not found.", "datasetId"),
    "predictionEnvironment": ("Prediction environment not found.", "id"),
    "useCase": ("Use case not found.", "id"),
    "user": ("User not found.", "id"),
    "credential": ("Credential not found.", "credentialId"),
}
SETTINGS_REFERENCES = {
    "datasetId": "dataset",
    "predictionEnvironmentId": "predictionEnvironment",
    "retrainingUserId": "user",
    "credentialId": "credential",
}
EMPTY_SETTINGS: Doc = dict.fromkeys(SETTINGS_REFERENCES)


def deployment(tx: Tx, deployment_id: str) -> Doc:
    doc = tx.obj_get("deployment", deployment_id)
    if doc is None:
        raise NotFoundError(DEPLOYMENT_NOT_FOUND)
    return doc


def policy(tx: Tx, deployment_id: str, policy_id: str) -> Doc:
    deployment(tx, deployment_id)
    found = tx.policy_get(policy_id)
    if found is None or found[0] != deployment_id:
        raise NotFoundError(POLICY_NOT_FOUND)
    return found[1]


def run(tx: Tx, deployment_id: str, policy_id: str, run_id: str) -> Doc:
    policy(tx, deployment_id, policy_id)
    doc = tx.run_get(policy_id, run_id)
    if doc is None:
        raise NotFoundError(RUN_NOT_FOUND)
    return doc


def retraining_settings(tx: Tx, deployment_id: str) -> Doc:
    return tx.obj_get("retrainingSettings", deployment_id) or dict(EMPTY_SETTINGS)
