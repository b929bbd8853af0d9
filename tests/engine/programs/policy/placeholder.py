"""A stand-in for a resource created in the same stack (a `pulumi_datarobot.Deployment`): its id is known only after
apply. It lives beside the program, not in `__main__`, so the provider is pickled by reference."""

from typing import Any

import pulumi
import pulumi.dynamic


class _Provider(pulumi.dynamic.ResourceProvider):
    def create(self, props: dict[str, Any]) -> pulumi.dynamic.CreateResult:
        return pulumi.dynamic.CreateResult(id_=props["deployment_id"], outs=props)


class DeploymentPlaceholder(pulumi.dynamic.Resource):
    deployment_id: pulumi.Output[str]

    def __init__(self, name: str, deployment_id: str) -> None:
        super().__init__(_Provider(), name, {"deployment_id": deployment_id})
