"""Handlers of the real API (``/api/v2``), one per route and method: read the request, call a rule, answer.

A rule opens a SQLite transaction, which blocks: each runs in Starlette's threadpool, so the event loop goes on
answering other requests (and fault timers) meanwhile.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from .wire import Services, api_url, envelope, no_content, ok, page, read_body

VERSION = {"major": 2, "minor": 49, "versionString": "2.49.0"}


# -- discovery --
async def version(request: Request, services: Services) -> Response:
    return ok(VERSION)


async def account_info(request: Request, services: Services) -> Response:
    return ok(services.rules.account_info())


# -- deployments --
async def list_deployments(request: Request, services: Services) -> Response:
    offset, limit = page(request)
    search = request.query_params.get("search")
    items, total = await run_in_threadpool(services.rules.list_deployments, offset, limit, search)
    return envelope(request, items, total, offset, limit, origin=services.rules.variants.link_origin)


async def get_deployment(request: Request, services: Services) -> Response:
    return ok(await run_in_threadpool(services.rules.get_deployment, request.path_params["deployment_id"]))


async def get_deployment_settings(request: Request, services: Services) -> Response:
    return ok(await run_in_threadpool(services.rules.get_deployment_settings, request.path_params["deployment_id"]))


async def patch_deployment_settings(request: Request, services: Services) -> Response:
    deployment_id = request.path_params["deployment_id"]
    body = await read_body(request)
    job_id = await run_in_threadpool(services.rules.patch_deployment_settings, deployment_id, body)
    # Asynchronous in DataRobot: 202 and a status URL to poll (the official client requires the Location).
    return Response(status_code=202, headers={"Location": api_url(request, f"/status/{job_id}/")})


async def get_status(request: Request, services: Services) -> Response:
    job = await run_in_threadpool(services.rules.get_job, request.path_params["job_id"])
    location = api_url(request, f"/deployments/{job['deploymentId']}/settings/")
    return ok({"id": job["id"], "status": job["status"]}, 303, headers={"Location": location})


# -- retraining settings --
async def get_retraining_settings(request: Request, services: Services) -> Response:
    return ok(await run_in_threadpool(services.rules.get_retraining_settings, request.path_params["deployment_id"]))


async def patch_retraining_settings(request: Request, services: Services) -> Response:
    deployment_id, body = request.path_params["deployment_id"], await read_body(request)
    await run_in_threadpool(services.rules.patch_retraining_settings, deployment_id, body)
    return no_content()


# -- policies --
async def list_policies(request: Request, services: Services) -> Response:
    offset, limit = page(request)
    deployment_id = request.path_params["deployment_id"]
    items, total = await run_in_threadpool(services.rules.list_policies, deployment_id, offset, limit)
    return envelope(request, items, total, offset, limit, origin=services.rules.variants.link_origin)


async def create_policy(request: Request, services: Services) -> Response:
    deployment_id, body = request.path_params["deployment_id"], await read_body(request)
    return ok(await run_in_threadpool(services.rules.create_policy, deployment_id, body))


async def get_policy(request: Request, services: Services) -> Response:
    deployment_id, policy_id = request.path_params["deployment_id"], request.path_params["policy_id"]
    return ok(await run_in_threadpool(services.rules.get_policy, deployment_id, policy_id))


async def patch_policy(request: Request, services: Services) -> Response:
    deployment_id, policy_id = request.path_params["deployment_id"], request.path_params["policy_id"]
    body = await read_body(request)
    return ok(await run_in_threadpool(services.rules.patch_policy, deployment_id, policy_id, body))


async def delete_policy(request: Request, services: Services) -> Response:
    deployment_id, policy_id = request.path_params["deployment_id"], request.path_params["policy_id"]
    await run_in_threadpool(services.rules.delete_policy, deployment_id, policy_id)
    return no_content()


# -- runs --
async def list_runs(request: Request, services: Services) -> Response:
    deployment_id, policy_id = request.path_params["deployment_id"], request.path_params["policy_id"]
    offset, limit = page(request)
    items, total = await run_in_threadpool(services.rules.list_runs, deployment_id, policy_id, offset, limit)
    return envelope(request, items, total, offset, limit, origin=services.rules.variants.link_origin)


async def start_run(request: Request, services: Services) -> Response:
    deployment_id, policy_id = request.path_params["deployment_id"], request.path_params["policy_id"]
    await read_body(request)  # the start takes no body; a malformed one is still a 400
    return ok(await run_in_threadpool(services.rules.start_run, deployment_id, policy_id))


async def get_run(request: Request, services: Services) -> Response:
    params = request.path_params
    args = (params["deployment_id"], params["policy_id"], params["run_id"])
    return ok(await run_in_threadpool(services.rules.get_run, *args))


async def patch_run(request: Request, services: Services) -> Response:
    params = request.path_params
    args = (params["deployment_id"], params["policy_id"], params["run_id"])
    body = await read_body(request)
    return ok(await run_in_threadpool(services.rules.patch_run, *args, body))


# -- read-only objects (datasets, users, ...): the route table binds ``kind`` --
async def list_objects(kind: str, request: Request, services: Services) -> Response:
    offset, limit = page(request)
    items, total = await run_in_threadpool(services.rules.list_objects, kind, offset, limit)
    return envelope(request, items, total, offset, limit, origin=services.rules.variants.link_origin)


async def get_object(kind: str, request: Request, services: Services) -> Response:
    return ok(await run_in_threadpool(services.rules.get_object, kind, request.path_params["obj_id"]))
