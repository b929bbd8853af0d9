"""A provider that does nothing: the baseline of the provider start and engine benchmarks (pickled by reference)."""

from __future__ import annotations

import itertools
import os
from typing import Any

import pulumi
from pulumi.dynamic import CheckResult, CreateResult, Resource, ResourceProvider

_ids = itertools.count(1)


class TrivialProvider(ResourceProvider):
    """Accepts any inputs and creates nothing; importing it costs only what `pulumi.dynamic` already imports.

    Diff, read and delete are the SDK's defaults: no changes of its own (the engine compares the inputs), the state as
    it is, nothing to delete.
    """

    serialize_as_secret_always = False

    def check(self, _olds: Any, news: Any) -> CheckResult:
        return CheckResult(news, [])

    def create(self, props: Any) -> CreateResult:
        return CreateResult(f"trivial-{os.getpid()}-{next(_ids)}", props)


class TrivialResource(Resource, module="bench", name="Trivial"):
    """A resource of the trivial provider, declared with the same inputs as the resource it stands in for."""

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TrivialProvider(), name, dict(props), opts)
