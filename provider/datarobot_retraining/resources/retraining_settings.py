"""RetrainingSettingsProvider: a deployment's retraining dataset, prediction environment, user and credential."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pulumi.dynamic import CreateResult, DiffResult, ReadResult, UpdateResult

from datarobot_retraining.errors import APIError, NotFoundError, ResourceOperationError, UnprocessableEntityError
from datarobot_retraining.inputs._validation import Failure
from datarobot_retraining.inputs.retraining_settings import SETTINGS_LEAVES, RetrainingSettingsInputs, check_settings
from datarobot_retraining.leaf_diff import MANAGED_FIELDS, changed_leaves, leaves, managed_list, removed_leaves
from datarobot_retraining.models import RetrainingSettings, RetrainingSettingsUpdate
from datarobot_retraining.resources._base import DataRobotResourceProvider, reason_of

if TYPE_CHECKING:
    from datarobot_retraining.client import DataRobotClient

_NO_DEFAULTS: dict[str, Any] = {}


class RetrainingSettingsProvider(DataRobotResourceProvider):
    """Manages the retraining settings of one deployment. The resource id is the deployment id.

    The settings always exist on the server, so create and update are the same PATCH (followed by a GET: the PATCH
    answers 204 with no body). Delete clears the settings this resource set; keep them with
    `pulumi.ResourceOptions(retain_on_delete=True)`.

    The credential is written (`credentialId`) but no public source shows the GET reporting it: when the answer has
    no `credential` key, `credential_id` is what this resource last wrote, so it neither shows a diff at every up nor
    disappears at refresh. When the server does report it, its value wins (and drift shows).
    """

    inputs_model = RetrainingSettingsInputs

    # -- check: the base's. ---------------------------------------------------------------------------------------
    def check_inputs(self, news: Mapping[str, Any]) -> tuple[dict[str, Any], list[Failure]]:
        return check_settings(news)

    # -- diff: previous OUTPUTS as olds; no API call. ------------------------------------------------------------
    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        desired = self.desired(news)
        replaces = self.replaces(olds, desired)
        changed = changed_leaves(olds, desired, SETTINGS_LEAVES, _NO_DEFAULTS)
        return DiffResult(changes=bool(replaces or changed), replaces=replaces, delete_before_replace=False)

    # -- create: up only. -----------------------------------------------------------------------------------------
    def create(self, props: dict[str, Any]) -> CreateResult:
        desired_props = self.desired(props)
        deployment_id = str(desired_props["deployment_id"])
        desired = leaves(desired_props, SETTINGS_LEAVES)
        settings = self._apply(self.client(), deployment_id, desired, "set")
        return CreateResult(
            deployment_id, self._outputs(deployment_id, settings, desired, desired.get("credential_id"))
        )

    # -- read: refresh and `.get()`. --------------------------------------------------------------------------------
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        deployment_id = str(props.get("deployment_id") or id_)
        try:
            settings = self.client().retraining_settings.get(deployment_id)
        except NotFoundError:
            return ReadResult(id_="", outs={})
        except APIError as error:
            raise _failure("read", deployment_id, error) from error
        managed = [p for p in props.get(MANAGED_FIELDS) or [] if p in SETTINGS_LEAVES]
        outs = self._outputs(deployment_id, settings, dict.fromkeys(managed), props.get("credential_id"))
        refreshed_inputs = {"deployment_id": deployment_id, **{path: outs.get(path) for path in managed}}
        return ReadResult(id_=deployment_id, outs=outs, inputs=refreshed_inputs)

    # -- update: up only. ---------------------------------------------------------------------------------------
    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        desired_props = self.desired(news)
        deployment_id = str(desired_props["deployment_id"])
        desired = leaves(desired_props, SETTINGS_LEAVES)
        # A value the program stopped setting is cleared: the settings have no server defaults to return to.
        cleared = dict.fromkeys(removed_leaves(olds, desired, SETTINGS_LEAVES))
        sent = {**cleared, **desired}
        settings = self._apply(self.client(), deployment_id, sent, "update")
        written = sent["credential_id"] if "credential_id" in sent else olds.get("credential_id")
        return UpdateResult(self._outputs(deployment_id, settings, desired, written))

    # -- delete: clears what this resource set; a deployment already gone is success. ------------------------------
    def delete(self, id_: str, props: dict[str, Any]) -> None:
        deployment_id = str(props.get("deployment_id") or id_)
        managed = [p for p in props.get(MANAGED_FIELDS) or [] if p in SETTINGS_LEAVES]
        if not managed:
            return
        body = RetrainingSettingsUpdate.model_validate(dict.fromkeys(managed))
        try:
            self.client().retraining_settings.update(deployment_id, body)
        except NotFoundError:
            return
        except APIError as error:
            raise _failure("clear", deployment_id, error) from error

    # -- shared ------------------------------------------------------------------------------------------------
    def _apply(
        self, client: DataRobotClient, deployment_id: str, values: dict[str, Any], action: str
    ) -> RetrainingSettings:
        try:
            if values:
                client.retraining_settings.update(deployment_id, RetrainingSettingsUpdate.model_validate(values))
            return client.retraining_settings.get(deployment_id)
        except NotFoundError as error:
            raise ResourceOperationError(
                f"Cannot {action} the retraining settings of deployment {deployment_id}: the deployment (or one of "
                f"the ids given) was not found ({reason_of(error)}); check the ids and the token's access."
            ) from error
        except UnprocessableEntityError as error:
            raise ResourceOperationError(
                f"Cannot {action} the retraining settings of deployment {deployment_id}: {reason_of(error)}; "
                "fix the named property and run pulumi up again."
            ) from error
        except APIError as error:
            raise _failure(action, deployment_id, error) from error

    @staticmethod
    def _outputs(
        deployment_id: str, settings: RetrainingSettings, desired: dict[str, Any], written_credential: Any
    ) -> dict[str, Any]:
        """The settings as the server reports them; the credential as last written when the server does not say."""
        dataset = settings.dataset
        environment = settings.prediction_environment
        user = settings.retraining_user
        credential = settings.credential
        reported = "credential" in settings.model_fields_set
        return {
            "deployment_id": deployment_id,
            "dataset_id": dataset.id if dataset else None,
            "dataset_name": dataset.name if dataset else None,
            "prediction_environment_id": environment.id if environment else None,
            "prediction_environment_name": environment.name if environment else None,
            "retraining_user_id": user.id if user else None,
            "retraining_user_name": user.username if user else None,
            "credential_id": (credential.id if credential else None) if reported else written_credential,
            "credential_name": credential.name if credential else None,
            MANAGED_FIELDS: managed_list(desired),
        }


def _failure(action: str, deployment_id: str, error: Exception) -> ResourceOperationError:
    return ResourceOperationError(
        f"Could not {action} the retraining settings of deployment {deployment_id}: {reason_of(error)}."
    )
