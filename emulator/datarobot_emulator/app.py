"""The ASGI application (Starlette): the route table as data, the API's token check, errors as JSON; no rules."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from functools import partial

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp

from . import api_handlers as api
from . import control_handlers as control
from .backend import Backend
from .errors import EmulatorError
from .faults import API_PREFIX, CONTROL_PREFIX, FaultInjector, FaultMiddleware
from .lookups import OBJECT_KINDS
from .wire import Handler, Services, ok

# How a handler is answered under its prefix: the API checks the token first, the control routes do not.
Answer = Callable[[Handler, Request, Services], Awaitable[Response]]


@dataclass(frozen=True)
class Endpoint:
    """One path (relative to its prefix) and the handler of each method it serves. HEAD is served by GET."""

    path: str
    handlers: Mapping[str, Handler]


_DEPLOYMENT = "/deployments/{deployment_id}"
_POLICY = f"{_DEPLOYMENT}/retrainingPolicies/{{policy_id}}"
# The read-only objects and their collections.
OBJECT_COLLECTIONS = {
    "dataset": "/datasets",
    "predictionEnvironment": "/predictionEnvironments",
    "useCase": "/useCases",
    "user": "/users",
    "credential": "/credentials",
}
assert set(OBJECT_COLLECTIONS) == set(OBJECT_KINDS)

API_ROUTES: tuple[Endpoint, ...] = (
    Endpoint("/version", {"GET": api.version}),
    Endpoint("/account/info", {"GET": api.account_info}),
    Endpoint("/deployments", {"GET": api.list_deployments}),
    Endpoint(_DEPLOYMENT, {"GET": api.get_deployment}),
    Endpoint(f"{_DEPLOYMENT}/settings", {"GET": api.get_deployment_settings, "PATCH": api.patch_deployment_settings}),
    Endpoint("/status/{job_id}", {"GET": api.get_status}),
    Endpoint(
        f"{_DEPLOYMENT}/retrainingSettings",
        {"GET": api.get_retraining_settings, "PATCH": api.patch_retraining_settings},
    ),
    Endpoint(f"{_DEPLOYMENT}/retrainingPolicies", {"GET": api.list_policies, "POST": api.create_policy}),
    Endpoint(_POLICY, {"GET": api.get_policy, "PATCH": api.patch_policy, "DELETE": api.delete_policy}),
    Endpoint(f"{_POLICY}/runs", {"GET": api.list_runs, "POST": api.start_run}),
    Endpoint(f"{_POLICY}/runs/{{run_id}}", {"GET": api.get_run, "PATCH": api.patch_run}),
    *(
        endpoint
        for kind, collection in OBJECT_COLLECTIONS.items()
        for endpoint in (
            Endpoint(collection, {"GET": partial(api.list_objects, kind)}),
            Endpoint(f"{collection}/{{obj_id}}", {"GET": partial(api.get_object, kind)}),
        )
    ),
)

CONTROL_ROUTES: tuple[Endpoint, ...] = (
    Endpoint("/health", {"GET": control.health}),
    Endpoint("/reset", {"POST": control.reset}),
    Endpoint("/seed", {"POST": control.reset}),
    Endpoint("/deployments", {"POST": control.add_deployments}),
    Endpoint("/deployments/{deployment_id}/health", {"POST": control.set_health}),
    Endpoint("/deployments/{deployment_id}/challengers", {"POST": control.set_challengers}),
    Endpoint("/clock", {"GET": control.get_clock, "POST": control.set_clock}),
    Endpoint("/clock/advance", {"POST": control.advance_clock}),
    Endpoint("/tick", {"POST": control.tick}),
    Endpoint("/runs/fail-next", {"POST": control.fail_next_runs}),
    Endpoint("/step-seconds", {"POST": control.set_step_seconds}),
    Endpoint("/faults", {"GET": control.list_faults, "POST": control.add_fault, "DELETE": control.clear_faults}),
    Endpoint("/requests", {"GET": control.list_requests, "DELETE": control.clear_requests}),
    Endpoint("/variants", {"GET": control.get_variants, "POST": control.set_variants}),
)


def _token_check(token: str) -> frozenset[str]:
    return frozenset({f"bearer {token}", f"token {token}"})


async def answer_api(accepted: frozenset[str], handler: Handler, request: Request, services: Services) -> Response:
    """401 without one of the ``accepted`` Authorization values; an EmulatorError becomes its JSON answer."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.strip().partition(" ")
    if f"{scheme.lower()} {value.strip()}" not in accepted:
        return ok({"message": "Invalid or missing API token."}, 401)
    try:
        return await handler(request, services)
    except EmulatorError as exc:
        return ok(exc.body(), exc.status)


async def answer_control(handler: Handler, request: Request, services: Services) -> Response:
    """An EmulatorError becomes its JSON answer; a control body that trips a handler up is a 422, never a 500."""
    try:
        return await handler(request, services)
    except EmulatorError as exc:
        return ok(exc.body(), exc.status)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        return ok({"message": f"Bad control request: {exc}", "errors": {}}, 422)


def _responder(
    handlers: Mapping[str, Handler], answer: Answer, services: Services
) -> Callable[[Request], Awaitable[Response]]:
    async def respond(request: Request) -> Response:
        # Starlette has already answered 405 for a method the route does not list.
        handler = handlers["GET" if request.method == "HEAD" else request.method]
        return await answer(handler, request, services)

    return respond


def _routes(prefix: str, table: tuple[Endpoint, ...], answer: Answer, services: Services) -> list[Route]:
    routes: list[Route] = []
    for endpoint in table:
        respond = _responder(endpoint.handlers, answer, services)
        # Both forms are real routes: DataRobot paths end in "/", callers also omit it, and a redirect is an
        # error to Terraform-based clients.
        for form in (endpoint.path, f"{endpoint.path}/"):
            routes.append(Route(f"{prefix}{form}", respond, methods=list(endpoint.handlers)))
    return routes


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    messages = {404: "Resource not found.", 405: "Method not allowed."}
    return ok({"message": messages.get(exc.status_code, exc.detail)}, exc.status_code)


def create_app(backend: Backend, token: str, injector: FaultInjector | None = None) -> ASGIApp:
    """The ASGI application: the real API under ``/api/v2`` (token required), control routes under ``/_emulator``."""
    services = Services(backend.rules, backend.control_plane, injector or FaultInjector())
    routes = [
        *_routes(API_PREFIX, API_ROUTES, partial(answer_api, _token_check(token)), services),
        *_routes(CONTROL_PREFIX, CONTROL_ROUTES, answer_control, services),
    ]
    app = Starlette(routes=routes, exception_handlers={HTTPException: _http_error})
    app.router.redirect_slashes = False
    return FaultMiddleware(app, services.faults)
