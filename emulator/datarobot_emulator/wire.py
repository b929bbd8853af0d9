"""What the handlers share: JSON answers, request bodies, pagination, absolute URLs, and the services they get."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .control_plane import ControlPlane
from .errors import UnprocessableError
from .faults import API_PREFIX, FaultInjector
from .limits import MAX_OFFSET, parse_json
from .rules import ApiRules

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


@dataclass(frozen=True)
class Services:
    """What a handler works with besides its request: the API rules, the control plane and the fault injector."""

    rules: ApiRules
    control_plane: ControlPlane
    faults: FaultInjector


Handler = Callable[[Request, Services], Awaitable[Response]]


class _Json(JSONResponse):
    def render(self, content: Any) -> bytes:
        # allow_nan=False: NaN and Infinity are not JSON; the edges refuse them, so none can be served back.
        return json.dumps(content, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


def ok(content: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return _Json(content, status_code=status, headers=headers)


def no_content() -> Response:
    return Response(status_code=204)


async def read_body(request: Request) -> Any:
    return parse_json(await request.body())


def page(request: Request) -> tuple[int, int]:
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


def envelope(
    request: Request, items: list[Any], total: int, offset: int, limit: int, *, origin: str | None = None
) -> Response:
    def link(new_offset: int) -> str:
        url = request.url.include_query_params(offset=new_offset, limit=limit)
        # `origin`: the links of a server behind a proxy that rewrites the host (the `nextLinks` variant).
        return str(url) if origin is None else f"{origin}{url.path}?{url.query}"

    return ok(
        {
            "count": len(items),
            "data": items,
            "next": link(offset + limit) if offset + len(items) < total else None,
            "previous": link(max(offset - limit, 0)) if offset > 0 else None,
            "totalCount": total,
        }
    )


def api_url(request: Request, path: str) -> str:
    return f"{str(request.base_url).rstrip('/')}{API_PREFIX}{path}"
