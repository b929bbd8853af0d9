"""Variants: answers the emulator can give where DataRobot's public record is silent or differs from our first guess.

Each variant has a default (the first choice) that follows the public record, or is our choice where the record says
nothing (docs/emulator.md gives the evidence for each), and alternatives a real server might plausibly give. Tests
run the provider against each, so it never depends on a guess. Set them at start-up (`--variants key=value,...`) or
on a running emulator (`POST /_emulator/variants {key: value}`); a reset returns to the start-up set.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from .errors import UnprocessableError

#: Wire name → its choices, the default first. One entry per field of `Variants`, in the same order.
CHOICES: dict[str, tuple[str, ...]] = {
    # Does the retraining-settings GET show `credential`? No public source shows it.
    "settingsCredential": ("absent", "echoed"),
    # How run statuses are spelled (unpublished): ours, another plausible family, or words no client knows.
    "runStatuses": ("lowercase", "alternate", "opaque"),
    # Does a run show the emulator's `currentStep`? The public run object has no such key.
    "runSteps": ("hidden", "shown"),
    # Differencing method answered when periodicities are set and the method is unset or auto: what the API
    # description says the server uses (`seasonal`), or what was sent.
    "differencing": ("resolved", "asSent"),
    # Nested keys a create does not send: null (a saved real answer and the docs' example show it) or the Terraform
    # provider's client-side defaults (the emulator's first reading).
    "nestedKeys": ("null", "filled"),
    # The status of the five-policy refusal (unpublished).
    "policyLimitStatus": ("422", "400", "403", "409"),
    # Is a policy refused at create while the deployment has no retraining dataset? Public programs create
    # policies without one.
    "policyNeedsDataset": ("false", "true"),
    # Pagination links built from the request's own origin, or from another one (a proxy that rewrites the host).
    "nextLinks": ("request", "foreign"),
}

#: The origin of `next`/`previous` links under `nextLinks=foreign`: a host that resolves nowhere (RFC 2606).
FOREIGN_ORIGIN = "http://datarobot-internal.invalid:8080"


def _wire_name(field_name: str) -> str:
    head, *rest = field_name.split("_")
    return head + "".join(part.title() for part in rest)


@dataclass(frozen=True)
class Variants:
    """One choice per variant (see `CHOICES`); the defaults are the no-argument instance."""

    settings_credential: str = CHOICES["settingsCredential"][0]
    run_statuses: str = CHOICES["runStatuses"][0]
    run_steps: str = CHOICES["runSteps"][0]
    differencing: str = CHOICES["differencing"][0]
    nested_keys: str = CHOICES["nestedKeys"][0]
    policy_limit_status: str = CHOICES["policyLimitStatus"][0]
    policy_needs_dataset: str = CHOICES["policyNeedsDataset"][0]
    next_links: str = CHOICES["nextLinks"][0]

    def __post_init__(self) -> None:
        problems = {
            name: _not_a_choice(name, value) for name, value in self.to_json().items() if value not in CHOICES[name]
        }
        if problems:
            raise UnprocessableError.from_errors(problems)

    def to_json(self) -> dict[str, str]:
        """`{wire name: choice}` for every variant."""
        return {_wire_name(f.name): getattr(self, f.name) for f in fields(self)}

    def changed(self, changes: Mapping[str, Any]) -> Variants:
        """These variants with `changes` (`{wire name: choice}`) applied; a 422 names every unknown key or choice."""
        by_wire = {_wire_name(f.name): f.name for f in fields(self)}
        problems = {key: f"is not a variant (known: {', '.join(CHOICES)})" for key in changes if key not in by_wire}
        if problems:
            raise UnprocessableError.from_errors(problems)
        # JSON true/false and numbers are accepted for the choices spelled that way ("true", "409").
        values = {
            by_wire[key]: str(value).lower() if isinstance(value, bool) else str(value)
            for key, value in changes.items()
        }
        return replace(self, **values)

    @classmethod
    def parse(cls, text: str) -> Variants:
        """`--variants settingsCredential=echoed,runStatuses=alternate`; ValueError with one line on a bad item."""
        changes: dict[str, str] = {}
        for item in filter(None, (part.strip() for part in text.split(","))):
            key, sep, value = item.partition("=")
            if not sep or not key.strip() or not value.strip():
                raise ValueError(f"{item!r} is not key=value")
            changes[key.strip()] = value.strip()
        try:
            return cls().changed(changes)
        except UnprocessableError as error:
            raise ValueError("; ".join(f"{key} {why}" for key, why in error.errors.items())) from None

    # -- what the rules ask --
    @property
    def echoes_credential(self) -> bool:
        return self.settings_credential == "echoed"

    @property
    def shows_steps(self) -> bool:
        return self.run_steps == "shown"

    @property
    def resolves_differencing(self) -> bool:
        return self.differencing == "resolved"

    @property
    def fills_nested_defaults(self) -> bool:
        return self.nested_keys == "filled"

    @property
    def limit_status(self) -> int:
        return int(self.policy_limit_status)

    @property
    def policy_needs_dataset_at_create(self) -> bool:
        return self.policy_needs_dataset == "true"

    @property
    def link_origin(self) -> str | None:
        """The origin pagination links use instead of the request's, if any."""
        return FOREIGN_ORIGIN if self.next_links == "foreign" else None


def _not_a_choice(name: str, value: str) -> str:
    return f"must be one of {', '.join(CHOICES[name])} (got {value!r})"


assert list(CHOICES) == [_wire_name(f.name) for f in fields(Variants)], "CHOICES and Variants list the same variants"
