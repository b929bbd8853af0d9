"""ProviderConfig: explicit arguments > stack config > environment > defaults, and clear errors for bad values."""

from __future__ import annotations

import pytest
from pulumi.dynamic import Config

from datarobot_retraining.config import DEFAULT_ENDPOINT, ProviderConfig
from datarobot_retraining.errors import ConfigurationError

ENV = {
    "DATAROBOT_ENDPOINT": "https://env.example/api/v2",
    "DATAROBOT_API_TOKEN": "env-token",
    "DATAROBOT_RETRAINING_RUN_WAIT_TIMEOUT": "60",
    "DATAROBOT_RETRAINING_REQUEST_TIMEOUT": "12",
}
STACK = Config(
    {
        "datarobot:endpoint": "https://stack.example/api/v2/",
        "datarobot:apikey": "stack-token",
        "datarobot-retraining:runWaitTimeoutSeconds": "120",
        "datarobot-retraining:requestTimeoutSeconds": "7.5",
    },
    "project",
)


def test_defaults_when_nothing_is_set() -> None:
    config = ProviderConfig.resolve(environ={})
    assert (config.endpoint, config.token) == (DEFAULT_ENDPOINT, None)
    assert (config.run_wait_timeout, config.request_timeout) == (900.0, 30.0)


def test_environment_then_stack_config_then_explicit_arguments() -> None:
    from_env = ProviderConfig.resolve(environ=ENV)
    assert (from_env.endpoint, from_env.token, from_env.run_wait_timeout, from_env.request_timeout) == (
        "https://env.example/api/v2", "env-token", 60.0, 12.0
    )  # fmt: skip
    from_stack = ProviderConfig.resolve(stack_config=STACK, environ=ENV)
    # The official provider's keys win over the environment; a trailing slash is dropped.
    assert (from_stack.endpoint, from_stack.token) == ("https://stack.example/api/v2", "stack-token")
    assert (from_stack.run_wait_timeout, from_stack.request_timeout) == (120.0, 7.5)
    explicit = ProviderConfig.resolve(
        endpoint="https://arg.example/api/v2", token="arg-token", request_timeout=3, stack_config=STACK, environ=ENV
    )
    assert (explicit.endpoint, explicit.token, explicit.request_timeout) == (
        "https://arg.example/api/v2",
        "arg-token",
        3,
    )


def test_an_empty_stack_value_counts_as_unset() -> None:
    blank = Config({"datarobot:apikey": ""}, "project")
    assert ProviderConfig.resolve(stack_config=blank, environ=ENV).token == "env-token"


@pytest.mark.parametrize(
    ("key", "value", "named"),
    [
        ("datarobot-retraining:runWaitTimeoutSeconds", "soon", "runWaitTimeoutSeconds"),
        ("datarobot-retraining:runWaitTimeoutSeconds", "-1", "runWaitTimeoutSeconds"),
        ("datarobot-retraining:requestTimeoutSeconds", "0", "requestTimeoutSeconds"),
        ("datarobot-retraining:requestTimeoutSeconds", "fast", "requestTimeoutSeconds"),
    ],
)
def test_bad_numbers_are_one_sentence_naming_the_key(key: str, value: str, named: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        ProviderConfig.resolve(stack_config=Config({key: value}, "project"), environ={})
    text = str(caught.value)
    assert named in text and repr(value) in text and text.endswith(".")


def test_the_token_is_not_in_the_repr() -> None:
    config = ProviderConfig.resolve(token="very-secret-token", environ={})
    assert "very-secret-token" not in repr(config)


@pytest.mark.parametrize(
    ("stack", "env", "expected"),
    [
        (None, None, True),
        ("false", None, False),
        ("No", None, False),
        (None, "0", False),
        ("true", "false", True),  # the stack config comes first
        ("", "off", False),  # a blank stack value counts as unset
    ],
)
def test_set_retraining_user_is_on_unless_switched_off(stack: str | None, env: str | None, expected: bool) -> None:
    config = {} if stack is None else {"datarobot-retraining:setRetrainingUser": stack}
    environ = {} if env is None else {"DATAROBOT_RETRAINING_SET_RETRAINING_USER": env}
    resolved = ProviderConfig.resolve(stack_config=Config(config, "project"), environ=environ)
    assert resolved.set_retraining_user is expected


def test_a_switch_that_is_not_true_or_false_is_refused_by_name() -> None:
    with pytest.raises(ConfigurationError, match=r"setRetrainingUser .*is not true or false"):
        ProviderConfig.resolve(
            stack_config=Config({"datarobot-retraining:setRetrainingUser": "maybe"}, "p"), environ={}
        )
