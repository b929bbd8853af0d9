"""RetrainingPolicySet: one standard set of retraining policies applied to many deployments, with overrides."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi

import pulumi_datarobot_retraining as retraining


@dataclass
class DeploymentTarget:
    """A deployment the set applies to, with what its retraining settings should be."""

    deployment_id: pulumi.Input[str]
    dataset_id: pulumi.Input[str]
    retraining_user_id: pulumi.Input[str]
    prediction_environment_id: pulumi.Input[str] | None = None


class RetrainingPolicySet(pulumi.ComponentResource):
    """Retraining settings plus every policy of `policies` on each deployment of `deployments`.

    `overrides[deployment_key][policy_key]` replaces fields of one policy on one deployment (a dict of
    RetrainingPolicyArgs fields), or is `None` to leave that policy out there. Resource names are
    `<set>-<deployment key>-<policy key>`, so adding a deployment never renames another one's policies.
    """

    def __init__(
        self,
        name: str,
        *,
        deployments: Mapping[str, DeploymentTarget],
        policies: Mapping[str, retraining.RetrainingPolicyArgs],
        overrides: Mapping[str, Mapping[str, Mapping[str, Any] | None]] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("examples:retraining:RetrainingPolicySet", name, None, opts)
        self.policy_ids: dict[str, dict[str, pulumi.Output[str]]] = {}
        for deployment_key, target in deployments.items():
            settings = retraining.RetrainingSettings(
                f"{name}-{deployment_key}-settings",
                deployment_id=target.deployment_id,
                dataset_id=target.dataset_id,
                retraining_user_id=target.retraining_user_id,
                prediction_environment_id=target.prediction_environment_id,
                opts=pulumi.ResourceOptions(parent=self),
            )
            per_policy = (overrides or {}).get(deployment_key, {})
            self.policy_ids[deployment_key] = {}
            for policy_key, standard in policies.items():
                if policy_key in per_policy and per_policy[policy_key] is None:
                    continue
                args = dataclasses.replace(standard, **(per_policy.get(policy_key) or {}))
                args.deployment_id = target.deployment_id
                policy = retraining.RetrainingPolicy(
                    f"{name}-{deployment_key}-{policy_key}",
                    args=args,
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[settings]),
                )
                self.policy_ids[deployment_key][policy_key] = policy.policy_id
        self.register_outputs({"policy_ids": self.policy_ids})
