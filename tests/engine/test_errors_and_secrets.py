"""What a user sees from the real engine when something is wrong, and where the API token never appears."""

from __future__ import annotations

import base64
import json
import urllib.parse
from collections.abc import Callable
from pathlib import Path

import pytest
from pulumi.automation import errors as auto_errors

from datarobot_emulator import seed
from datarobot_emulator.server import EmulatorServer
from tests.engine.conftest import StackFactory
from tests.engine.test_lifecycle import NIGHTLY, declare


def test_bad_input_fails_preview_naming_the_property(
    program: Callable[[str], Path], engine_stack: StackFactory
) -> None:
    bad = {**NIGHTLY, "trigger": {"type": "schedule", "schedule": {"minute": [0], "hour": [25]}}}
    stack = engine_stack(program("policy"), declare(bad))
    with pytest.raises(auto_errors.CommandError) as failed:
        stack.preview()
    assert "trigger.schedule.hour[0]" in str(failed.value), failed.value


def test_wrong_token_fails_with_one_sentence(
    program: Callable[[str], Path], engine_stack: StackFactory, emulator: EmulatorServer
) -> None:
    stack = engine_stack(program("policy"), declare(NIGHTLY), token="not-the-right-token")
    with pytest.raises(auto_errors.CommandError) as failed:
        stack.up()
    text = str(failed.value)
    # The SDK's server would send a traceback; the user sees our sentence alone, on the resource's error line.
    assert "Traceback" not in text, text
    assert f"error: Could not set the retraining settings of deployment {seed.DEMO_DEPLOYMENT_ID}: " in text, text
    assert "401" in text, text
    assert "not-the-right-token" not in text


def test_secret_token_is_in_no_state_export_or_output(
    program: Callable[[str], Path], engine_stack: StackFactory, emulator: EmulatorServer
) -> None:
    stack = engine_stack(program("policy"), declare(NIGHTLY, runPolicy="true"))
    token = emulator.token
    forms = {
        token,
        base64.b64encode(token.encode()).decode(),
        base64.b64encode(f"Bearer {token}".encode()).decode(),
        urllib.parse.quote(token, safe=""),
    }
    seen = [stack.up().output, stack.refresh().output, stack.preview(diff=True).output]
    # `pulumi stack export` as a user runs it (the Automation API's export_stack adds --show-secrets).
    exported = stack.cli("stack", "export", check=True).stdout
    assert '"datarobot:apikey"' in exported  # the engine keeps the config of the dynamic provider, encrypted
    seen.append(exported)
    seen.append(json.dumps(stack.outputs()))
    seen += [path.read_text(errors="replace") for path in stack.state_files()]
    seen += [path.read_text() for path in stack.project_dir.glob("Pulumi.*.yaml")]
    seen.append(stack.destroy().output)
    assert len(seen) > 7  # state files were written and read
    for text in seen:
        for form in forms:
            assert form not in text
