"""Handlers of the control routes (``/_emulator``), one per route and method: read fields by name, act, answer.

Whatever opens a SQLite transaction (a reset of 100,000 deployments takes seconds) runs in Starlette's threadpool,
off the event loop; reading the clock or setting the step length touches no database and stays on it.
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from .clock import iso
from .errors import UnprocessableError
from .faults import MAX_FAULT_SECONDS, Fault
from .limits import ControlFields
from .seed import SEEDS
from .wire import Services, no_content, ok, read_body

# Control requests that create this many objects at once would stall the server for minutes.
MAX_CREATED_AT_ONCE = 100_000


def _clock_json(services: Services) -> dict[str, Any]:
    state = services.control_plane.clock_state()
    return {"now": iso(state["now"]), "epoch": state["now"], "frozen": state["frozen"]}


def _started(services: Services, run_ids: list[str]) -> Response:
    return ok({"startedRunIds": run_ids, **_clock_json(services)})


async def health(request: Request, services: Services) -> Response:
    return ok({"status": "ok"})


# -- world --
async def reset(request: Request, services: Services) -> Response:
    fields = ControlFields(await read_body(request))
    seed = fields.get("seed", fields.enum, default="demo", allowed=SEEDS)
    deployments = fields.get("deployments", fields.integer, lo=0, hi=MAX_CREATED_AT_ONCE)
    fields.done()
    await services.faults.wait_idle()
    await run_in_threadpool(services.control_plane.reset, seed, deployments)
    services.faults.clear()
    services.faults.clear_requests()
    return ok({"seed": seed})


async def add_deployments(request: Request, services: Services) -> Response:
    fields = ControlFields(await read_body(request))
    count = fields.get("count", fields.integer, required=True, lo=1, hi=MAX_CREATED_AT_ONCE)
    challengers = fields.get("challengersEnabled", fields.boolean, default=True)
    fields.done()
    return ok({"ids": await run_in_threadpool(services.control_plane.add_deployments, count, challengers)})


async def set_health(request: Request, services: Services) -> Response:
    fields = ControlFields(await read_body(request))
    kind = fields.get("kind", fields.string, required=True)
    status = fields.get("status", fields.string, required=True)
    message = fields.get("message", fields.string)
    fields.done()
    deployment_id = request.path_params["deployment_id"]
    started = await run_in_threadpool(services.control_plane.set_health, deployment_id, kind, status, message)
    return _started(services, started)


async def set_challengers(request: Request, services: Services) -> Response:
    body = await read_body(request)
    if not isinstance(body.get("enabled"), bool):
        raise UnprocessableError.from_errors({"enabled": "must be a boolean"})
    deployment_id = request.path_params["deployment_id"]
    await run_in_threadpool(services.control_plane.set_challengers_enabled, deployment_id, body["enabled"])
    return ok({"enabled": body["enabled"]})


# -- clock --
async def get_clock(request: Request, services: Services) -> Response:
    return ok(_clock_json(services))


async def set_clock(request: Request, services: Services) -> Response:
    fields = ControlFields(await read_body(request))
    epoch = fields.get("now", fields.timestamp)
    frozen = fields.get("frozen", fields.boolean)
    fields.done()
    return _started(services, await run_in_threadpool(services.control_plane.set_clock, epoch, frozen))


async def advance_clock(request: Request, services: Services) -> Response:
    fields = ControlFields(await read_body(request))
    seconds = fields.get("seconds", fields.number, required=True)
    if isinstance(seconds, (int, float)):
        fields.instant("seconds", services.control_plane.clock_state()["now"] + seconds)
    fields.done()
    return _started(services, await run_in_threadpool(services.control_plane.advance_clock, float(seconds)))


async def tick(request: Request, services: Services) -> Response:
    return _started(services, await run_in_threadpool(services.control_plane.tick))


# -- runs --
async def fail_next_runs(request: Request, services: Services) -> Response:
    fields = ControlFields(await read_body(request))
    count = fields.get("count", fields.integer, required=True, lo=0, hi=MAX_CREATED_AT_ONCE)
    message = fields.get("message", fields.string)
    fields.done()
    await run_in_threadpool(services.control_plane.fail_next_runs, count, message)
    return ok({"count": count})


async def set_step_seconds(request: Request, services: Services) -> Response:
    fields = ControlFields(await read_body(request))
    seconds = fields.get("seconds", fields.number, required=True, lo=0)
    fields.done()
    services.control_plane.set_step_seconds(float(seconds))
    return ok({"seconds": services.control_plane.step_seconds})


# -- variants --
async def get_variants(request: Request, services: Services) -> Response:
    return ok({"variants": services.control_plane.variants.to_json()})


async def set_variants(request: Request, services: Services) -> Response:
    body = await read_body(request)
    if not isinstance(body, dict):
        raise UnprocessableError.from_errors({"body": "must be a JSON object"})
    return ok({"variants": services.control_plane.set_variants(body).to_json()})


# -- faults and the request log --
async def list_faults(request: Request, services: Services) -> Response:
    return ok({"faults": services.faults.active()})


async def clear_faults(request: Request, services: Services) -> Response:
    services.faults.clear()
    return no_content()


async def add_fault(request: Request, services: Services) -> Response:
    fields = ControlFields(await read_body(request))
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
    return ok(services.faults.add(fault).to_json())


async def list_requests(request: Request, services: Services) -> Response:
    return ok({"requests": services.faults.requests()})


async def clear_requests(request: Request, services: Services) -> Response:
    await services.faults.wait_idle()  # a request still being answered belongs to the log being cleared
    services.faults.clear_requests()
    return no_content()
