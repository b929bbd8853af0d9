"""A 404 is `NotFoundError` only after the endpoint answered `GET version/` as the DataRobot API, asked once."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from datarobot_retraining.client import DataRobotClient
from datarobot_retraining.errors import APIError, NotFoundError, WrongEndpointError
from tests.unit.transport_support import ENDPOINT, TOKEN, VERSION, reply

Handler = Callable[[httpx.Request], httpx.Response]


class Endpoint:
    """Answers 404 to everything but `version/`, which gets the scripted answers in turn (the last repeats)."""

    def __init__(self, *version_answers: Handler) -> None:
        self.version_answers = list(version_answers)
        self.version_calls = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/version/"):
            self.version_calls += 1
            answers = self.version_answers
            return (answers.pop(0) if len(answers) > 1 else answers[0])(request)
        return httpx.Response(404, json={"message": "Not found."})


def client_for(endpoint: Endpoint) -> DataRobotClient:
    return DataRobotClient(ENDPOINT, TOKEN, transport=httpx.MockTransport(endpoint), max_retries=0)


def test_a_404_from_the_datarobot_api_is_not_found_and_the_check_is_made_once() -> None:
    endpoint = Endpoint(reply(200, VERSION))
    with client_for(endpoint) as client:
        for _ in range(3):
            with pytest.raises(NotFoundError):
                client.retraining_policies.get("d1", "p1")
    assert endpoint.version_calls == 1


@pytest.mark.parametrize(
    ("answer", "seen"),
    [
        (reply(404, {"message": "Resource not found."}), "answered 404"),
        (reply(401, {"message": "Invalid or missing API token."}), "answered 401"),
        (reply(200, text="<html><title>Welcome</title></html>", headers={"Content-Type": "text/html"}), "not JSON"),
        (reply(200, {"status": "ok"}), "JSON without a version"),
        (reply(200, {"major": 0}), "JSON without a version"),
    ],
)
def test_anything_else_is_a_wrong_endpoint_and_never_not_found(answer: Handler, seen: str) -> None:
    endpoint = Endpoint(answer)
    with client_for(endpoint) as client:
        for _ in range(2):
            with pytest.raises(WrongEndpointError) as caught:
                client.retraining_settings.get("d1")
            assert not isinstance(caught.value, NotFoundError)
    text = str(caught.value)
    assert text.startswith(f"The endpoint {ENDPOINT} does not answer as the DataRobot API (GET version/ ")
    assert seen in text and text.endswith("of the form https://<host>/api/v2.") and TOKEN not in text
    assert caught.value.endpoint == ENDPOINT and endpoint.version_calls == 1  # a definite answer is kept


def test_a_check_that_could_not_be_made_concludes_nothing_and_is_asked_again() -> None:
    endpoint = Endpoint(reply(503, {"message": "busy"}), reply(200, VERSION))
    with client_for(endpoint) as client:
        with pytest.raises(APIError) as caught:
            client.retraining_policies.delete("d1", "p1")
        assert not isinstance(caught.value, NotFoundError | WrongEndpointError)
        assert "nothing is concluded from the 404" in str(caught.value)
        with pytest.raises(NotFoundError):
            client.retraining_policies.delete("d1", "p1")
    assert endpoint.version_calls == 2


def test_workers_meeting_404s_at_once_ask_one_question() -> None:
    endpoint = Endpoint(reply(200, VERSION))
    with client_for(endpoint) as client, ThreadPoolExecutor(8) as pool:

        def read() -> type[BaseException]:
            try:
                client.retraining_policies.get("d1", "p1")
            except Exception as error:
                return type(error)
            raise AssertionError("expected a 404")

        assert set(pool.map(lambda _: read(), range(16))) == {NotFoundError}
    assert endpoint.version_calls == 1


def test_the_check_can_be_asked_for_and_costs_nothing_more_afterwards() -> None:
    endpoint = Endpoint(reply(200, VERSION))
    with client_for(endpoint) as client:
        client.confirm_endpoint()
        with pytest.raises(NotFoundError):
            client.deployments.get("d1")
    assert endpoint.version_calls == 1
    with client_for(Endpoint(reply(404))) as client, pytest.raises(WrongEndpointError):
        client.confirm_endpoint()
