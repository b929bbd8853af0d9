"""HTTP routing and wire format of the emulator (Starlette): paths, auth, JSON, pagination, status codes. No
rules here."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from .backend import OBJECT_KINDS, Backend
from .clock import iso
from .errors import EmulatorError, UnprocessableError
from .faults import API_PREFIX, CONTROL_PREFIX, MAX_FAULT_SECONDS, Fault, FaultInjector, FaultMiddleware
from .limits import MAX_OFFSET, ControlFields, parse_json
from .seed import SEEDS

Handler = Callable[[Request], Awaitable[Response]]

VERSION = {"major": 2, "minor": 49, "versionString": "2.49.0"}
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
# Control requests that create this many objects at once would stall the server for minutes.
MAX_CREATED_AT_ONCE = 100_000


class _Json(JSONResponse):
    def render(self, content: Any) -> bytes:
        # allow_nan=False: NaN and Infinity are not JSON; the edges refuse them, so none can be served back.
        return json.dumps(content, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


def _ok(content: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return _Json(content, status_code=status, headers=headers)


def _no_content() -> Response:
    return Response(status_code=204)


async def _body(request: Request) -> Any:
    return parse_json(await request.body())


def _page(request: Request) -> tuple[int, int]:
    errors = {}
    values = {}
    for key, default, lo, hi in (("offset", 0, 0, MAX_OFFSET), ("limit", DEFAULT_LIMIT, 1, MAX_LIMIT)):
        raw = request.query_params.get(key)
        if raw is None:
            values[key] = default
            continue
        try:
            value = int(raw)
        except ValueError:
            shown = raw if len(raw) <= 40 else f"{raw[:40]}… ({len(raw)} characters)"
            errors[key] = f"must be an integer (got {shown!r})"
            continue
        if not lo <= value <= hi:
            errors[key] = f"must be between {lo} and {hi}"
            continue
        values[key] = value
    if errors:
        raise UnprocessableError.from_errors(errors)
    return values["offset"], values["limit"]


def _envelope(
    request: Request, items: list[Any], total: int, offset: int, limit: int, *, origin: str | None = None
) -> Response:
    def link(new_offset: int) -> str:
        url = request.url.include_query_params(offset=new_offset, limit=limit)
        # `origin`: the links of a server behind a proxy that rewrites the host (the `nextLinks` variant).
        return str(url) if origin is None else f"{origin}{url.path}?{url.query}"

    return _ok(
        {
            "count": len(items),
            "data": items,
            "next": link(offset + limit) if offset + len(items) < total else None,
            "previous": link(max(offset - limit, 0)) if offset > 0 else None,
            "totalCount": total,
        }
    )


def _api_url(request: Request, path: str) -> str:
    return f"{str(request.base_url).rstrip('/')}{API_PREFIX}{path}"


def create_app(backend: Backend, token: str, injector: FaultInjector | None = None) -> ASGIApp:  # noqa: PLR0915
    """The ASGI application: the real API under ``/api/v2`` (token required) and control routes under
    ``/_emulator``."""
    faults = injector or FaultInjector()
    accepted = {f"bearer {token}", f"token {token}"}

    def api(handler: Handler) -> Handler:
        async def endpoint(request: Request) -> Response:
            header = request.headers.get("authorization", "")
            scheme, _, value = header.strip().partition(" ")
            if f"{scheme.lower()} {value.strip()}" not in accepted:
                return _ok({"message": "Invalid or missing API token."}, 401)
            try:
                return await handler(request)
            except EmulatorError as exc:
                return _ok(exc.body(), exc.status)

        return endpoint

    def control(handler: Handler) -> Handler:
        async def endpoint(request: Request) -> Response:
            try:
                return await handler(request)
            except EmulatorError as exc:
                return _ok(exc.body(), exc.status)
            except (ValueError, TypeError, KeyError, AttributeError) as exc:
                return _ok({"message": f"Bad control request: {exc}", "errors": {}}, 422)

        return endpoint

    # -- discovery --
    async def version(request: Request) -> Response:
        return _ok(VERSION)

    async def account_info(request: Request) -> Response:
        return _ok(backend.account_info())

    # -- deployments --
    async def deployments(request: Request) -> Response:
        offset, limit = _page(request)
        items, total = backend.list_deployments(offset, limit, request.query_params.get("search"))
        return _envelope(request, items, total, offset, limit, origin=backend.variants.link_origin)

    async def deployment(request: Request) -> Response:
        return _ok(backend.get_deployment(request.path_params["deployment_id"]))

    async def deployment_settings(request: Request) -> Response:
        deployment_id = request.path_params["deployment_id"]
        if request.method == "GET":
            return _ok(backend.get_deployment_settings(deployment_id))
        job_id = backend.patch_deployment_settings(deployment_id, await _body(request))
        # Asynchronous in DataRobot: 202 and a status URL to poll (the official client requires the Location).
        return Response(status_code=202, headers={"Location": _api_url(request, f"/status/{job_id}/")})

    async def status(request: Request) -> Response:
        job = backend.get_job(request.path_params["job_id"])
        location = _api_url(request, f"/deployments/{job['deploymentId']}/settings/")
        return _ok({"id": job["id"], "status": job["status"]}, 303, headers={"Location": location})

    # -- retraining --
    async def retraining_settings(request: Request) -> Response:
        deployment_id = request.path_params["deployment_id"]
        if request.method == "GET":
            return _ok(backend.get_retraining_settings(deployment_id))
        backend.patch_retraining_settings(deployment_id, await _body(request))
        return _no_content()

    async def policies(request: Request) -> Response:
        deployment_id = request.path_params["deployment_id"]
        if request.method == "GET":
            offset, limit = _page(request)
            items, total = backend.list_policies(deployment_id, offset, limit)
            return _envelope(request, items, total, offset, limit, origin=backend.variants.link_origin)
        return _ok(backend.create_policy(deployment_id, await _body(request)))

    async def policy(request: Request) -> Response:
        deployment_id, policy_id = request.path_params["deployment_id"], request.path_params["policy_id"]
        if request.method == "GET":
            return _ok(backend.get_policy(deployment_id, policy_id))
        if request.method == "PATCH":
            return _ok(backend.patch_policy(deployment_id, policy_id, await _body(request)))
        backend.delete_policy(deployment_id, policy_id)
        return _no_content()

    async def policy_runs(request: Request) -> Response:
        deployment_id, policy_id = request.path_params["deployment_id"], request.path_params["policy_id"]
        if request.method == "GET":
            offset, limit = _page(request)
            items, total = backend.list_runs(deployment_id, policy_id, offset, limit)
            return _envelope(request, items, total, offset, limit, origin=backend.variants.link_origin)
        await _body(request)  # the start takes no body; a malformed one is still a 400
        return _ok(backend.start_run(deployment_id, policy_id))

    async def policy_run(request: Request) -> Response:
        params = request.path_params
        args = (params["deployment_id"], params["policy_id"], params["run_id"])
        if request.method == "GET":
            return _ok(backend.get_run(*args))
        return _ok(backend.patch_run(*args, await _body(request)))

    def object_routes(kind: str) -> tuple[Handler, Handler]:
        async def listing(request: Request) -> Response:
            offset, limit = _page(request)
            items, total = backend.list_objects(kind, offset, limit)
            return _envelope(request, items, total, offset, limit, origin=backend.variants.link_origin)

        async def single(request: Request) -> Response:
            return _ok(backend.get_object(kind, request.path_params["obj_id"]))

        return listing, single

    # -- control --
    def started(run_ids: list[str]) -> Response:
        return _ok({"startedRunIds": run_ids, **clock_json()})

    def clock_json() -> dict[str, Any]:
        state = backend.clock_state()
        return {"now": iso(state["now"]), "epoch": state["now"], "frozen": state["frozen"]}

    async def c_health(request: Request) -> Response:
        return _ok({"status": "ok"})

    async def c_reset(request: Request) -> Response:
        fields = ControlFields(await _body(request))
        seed = fields.get("seed", fields.enum, default="demo", allowed=SEEDS)
        deployments = fields.get("deployments", fields.integer, lo=0, hi=MAX_CREATED_AT_ONCE)
        fields.done()
        await faults.wait_idle()
        backend.reset(seed, deployments)
        faults.clear()
        faults.clear_requests()
        return _ok({"seed": seed})

    async def c_deployments(request: Request) -> Response:
        fields = ControlFields(await _body(request))
        count = fields.get("count", fields.integer, required=True, lo=1, hi=MAX_CREATED_AT_ONCE)
        challengers = fields.get("challengersEnabled", fields.boolean, default=True)
        fields.done()
        return _ok({"ids": backend.add_deployments(count, challengers)})

    async def c_set_health(request: Request) -> Response:
        fields = ControlFields(await _body(request))
        kind = fields.get("kind", fields.string, required=True)
        status = fields.get("status", fields.string, required=True)
        message = fields.get("message", fields.string)
        fields.done()
        return started(backend.set_health(request.path_params["deployment_id"], kind, status, message))

    async def c_challengers(request: Request) -> Response:
        body = await _body(request)
        if not isinstance(body.get("enabled"), bool):
            raise UnprocessableError.from_errors({"enabled": "must be a boolean"})
        backend.set_challengers_enabled(request.path_params["deployment_id"], body["enabled"])
        return _ok({"enabled": body["enabled"]})

    async def c_clock(request: Request) -> Response:
        if request.method == "GET":
            return _ok(clock_json())
        fields = ControlFields(await _body(request))
        epoch = fields.get("now", fields.timestamp)
        frozen = fields.get("frozen", fields.boolean)
        fields.done()
        return started(backend.set_clock(epoch, frozen))

    async def c_advance(request: Request) -> Response:
        fields = ControlFields(await _body(request))
        seconds = fields.get("seconds", fields.number, required=True)
        if isinstance(seconds, (int, float)):
            fields.instant("seconds", backend.clock_state()["now"] + seconds)
        fields.done()
        return started(backend.advance_clock(float(seconds)))

    async def c_tick(request: Request) -> Response:
        return started(backend.tick())

    async def c_fail_next(request: Request) -> Response:
        fields = ControlFields(await _body(request))
        count = fields.get("count", fields.integer, required=True, lo=0, hi=MAX_CREATED_AT_ONCE)
        message = fields.get("message", fields.string)
        fields.done()
        backend.fail_next_runs(count, message)
        return _ok({"count": count})

    async def c_step_seconds(request: Request) -> Response:
        fields = ControlFields(await _body(request))
        seconds = fields.get("seconds", fields.number, required=True, lo=0)
        fields.done()
        backend.set_step_seconds(float(seconds))
        return _ok({"seconds": backend.step_seconds})

    async def c_faults(request: Request) -> Response:
        if request.method == "GET":
            return _ok({"faults": faults.active()})
        if request.method == "DELETE":
            faults.clear()
            return _no_content()
        fields = ControlFields(await _body(request))
        fault = Fault(
            method=fields.get("method", fields.string, default="*", min_len=1),
            path_pattern=fields.get("pathPattern", fields.string, required=True, min_len=1),
            count=fields.get("count", fields.integer, default=1, lo=1, hi=MAX_CREATED_AT_ONCE),
            # An error status: a 1xx, 204 or 304 cannot carry the JSON message a fault answers with.
            status=fields.get("status", fields.integer, lo=400, hi=599),
            # Seconds only: the HTTP-date form needs a fixed instant, which a fault armed ahead of time has not.
            retry_after=fields.get("retryAfter", fields.number, lo=0, hi=MAX_FAULT_SECONDS),
            latency=fields.get("latency", fields.number, lo=0, hi=MAX_FAULT_SECONDS),
            drop_after_commit=fields.get("dropAfterCommit", fields.boolean, default=False),
            commit_delay=fields.get("commitDelay", fields.number, lo=0, hi=MAX_FAULT_SECONDS),
            drip_interval=fields.get("dripInterval", fields.number, lo=0.001, hi=MAX_FAULT_SECONDS),
        )
        if fault.effects() == 0:
            fields.fail("status", "a fault needs a status, latency, dropAfterCommit, commitDelay or dripInterval")
        fields.done()
        return _ok(faults.add(fault).to_json())

    async def c_variants(request: Request) -> Response:
        if request.method == "POST":
            body = await _body(request)
            if not isinstance(body, dict):
                raise UnprocessableError.from_errors({"body": "must be a JSON object"})
            backend.set_variants(body)
        return _ok({"variants": backend.variants.to_json()})

    async def c_requests(request: Request) -> Response:
        if request.method == "DELETE":
            await faults.wait_idle()  # a request still being answered belongs to the log being cleared
            faults.clear_requests()
            return _no_content()
        return _ok({"requests": faults.requests()})

    # -- routing table --
    routes: list[Route] = []

    def add(prefix: str, path: str, handler: Handler, methods: list[str]) -> None:
        # Both forms are real routes: DataRobot paths end in "/", callers also omit it, and a redirect is an
        # error to Terraform-based clients.
        for form in (path, f"{path}/"):
            routes.append(Route(f"{prefix}{form}", handler, methods=methods))

    dep = "/deployments/{deployment_id}"
    pol = f"{dep}/retrainingPolicies/{{policy_id}}"
    add(API_PREFIX, "/version", api(version), ["GET"])
    add(API_PREFIX, "/account/info", api(account_info), ["GET"])
    add(API_PREFIX, "/deployments", api(deployments), ["GET"])
    add(API_PREFIX, dep, api(deployment), ["GET"])
    add(API_PREFIX, f"{dep}/settings", api(deployment_settings), ["GET", "PATCH"])
    add(API_PREFIX, "/status/{job_id}", api(status), ["GET"])
    add(API_PREFIX, f"{dep}/retrainingSettings", api(retraining_settings), ["GET", "PATCH"])
    add(API_PREFIX, f"{dep}/retrainingPolicies", api(policies), ["GET", "POST"])
    add(API_PREFIX, pol, api(policy), ["GET", "PATCH", "DELETE"])
    add(API_PREFIX, f"{pol}/runs", api(policy_runs), ["GET", "POST"])
    add(API_PREFIX, f"{pol}/runs/{{run_id}}", api(policy_run), ["GET", "PATCH"])
    for kind, collection in (
        ("dataset", "/datasets"),
        ("predictionEnvironment", "/predictionEnvironments"),
        ("useCase", "/useCases"),
        ("user", "/users"),
        ("credential", "/credentials"),
    ):
        assert kind in OBJECT_KINDS
        listing, single = object_routes(kind)
        add(API_PREFIX, collection, api(listing), ["GET"])
        add(API_PREFIX, f"{collection}/{{obj_id}}", api(single), ["GET"])

    add(CONTROL_PREFIX, "/health", control(c_health), ["GET"])
    add(CONTROL_PREFIX, "/reset", control(c_reset), ["POST"])
    add(CONTROL_PREFIX, "/seed", control(c_reset), ["POST"])
    add(CONTROL_PREFIX, "/deployments", control(c_deployments), ["POST"])
    add(CONTROL_PREFIX, "/deployments/{deployment_id}/health", control(c_set_health), ["POST"])
    add(CONTROL_PREFIX, "/deployments/{deployment_id}/challengers", control(c_challengers), ["POST"])
    add(CONTROL_PREFIX, "/clock", control(c_clock), ["GET", "POST"])
    add(CONTROL_PREFIX, "/clock/advance", control(c_advance), ["POST"])
    add(CONTROL_PREFIX, "/tick", control(c_tick), ["POST"])
    add(CONTROL_PREFIX, "/runs/fail-next", control(c_fail_next), ["POST"])
    add(CONTROL_PREFIX, "/step-seconds", control(c_step_seconds), ["POST"])
    add(CONTROL_PREFIX, "/faults", control(c_faults), ["GET", "POST", "DELETE"])
    add(CONTROL_PREFIX, "/requests", control(c_requests), ["GET", "DELETE"])
    add(CONTROL_PREFIX, "/variants", control(c_variants), ["GET", "POST"])

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        messages = {404: "Resource not found.", 405: "Method not allowed."}
        return _ok({"message": messages.get(exc.status_code, exc.detail)}, exc.status_code)

    app = Starlette(routes=routes, exception_handlers={HTTPException: http_error})
    app.router.redirect_slashes = False
    return FaultMiddleware(app, faults)
