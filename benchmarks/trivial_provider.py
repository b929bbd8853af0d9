"""A provider that does nothing: the baseline for the provider process start benchmark (pickled by reference)."""

from __future__ import annotations

from typing import Any

from pulumi.dynamic import CheckResult, CreateResult, ResourceProvider


class TrivialProvider(ResourceProvider):
    """Accepts any inputs and creates nothing; importing it costs only what `pulumi.dynamic` already imports."""

    serialize_as_secret_always = False

    def check(self, _olds: Any, news: Any) -> CheckResult:
        return CheckResult(news, [])

    def create(self, props: Any) -> CreateResult:
        return CreateResult("trivial", props)
