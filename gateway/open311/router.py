"""``/open311/v2/``: GeoReport v2 (http://wiki.open311.org/GeoReport_v2), JSON or XML by suffix.

Discovery, the service list and definitions and token lookups are public (rate-limited per IP);
requests need an ``api_key``: ``complaints:write`` to file, and to read back what that key filed
(``cases:manage`` reads every request). Errors have the GeoReport shape, never problem+json.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from gateway.authn import Authenticator
from gateway.hotline.links import LinksDep
from gateway.open311 import catalogue, service
from gateway.open311.render import FORMATS, Open311Error, error, render
from gateway.ratelimit import RateLimiter
from shared.auth import Identity
from shared.db import SessionDep
from shared.errors import AppError, RateLimited
from shared.idempotency import IdempotencyKeyHeader

router = APIRouter(prefix="/open311/v2", tags=["open311"])
_READ_SCOPES = ("complaints:read", "complaints:write", "cases:manage")


async def _answer(fmt: str, root: str, work: Callable[[], Awaitable[Any]], *, status: int = 200) -> Response:
    if fmt not in FORMATS:
        return error("json", 404, f"不支持的格式：{fmt}（可用 json、xml）")
    try:
        data = await work()
    except Open311Error as exc:
        return error(fmt, exc.status, exc.description)
    except AppError as exc:
        response = error(fmt, exc.status, exc.detail)
        response.headers.update(exc.headers)
        return response
    return render(fmt, root, data, status=status)


async def _limit(request: Request, key: str, per_minute: int, burst: int) -> None:
    limiter: RateLimiter = request.app.state.rate_limiter
    decision = await limiter.hit(key, per_minute, burst)
    if not decision.allowed:
        raise RateLimited(decision.retry_after_seconds)


async def _public(request: Request) -> None:
    authenticator: Authenticator = request.app.state.authenticator
    caller = authenticator.public_caller()
    host = request.client.host if request.client else "unknown"
    await _limit(request, "ip:" + host, caller.per_minute, caller.burst)


async def _identity(request: Request, params: Mapping[str, str], *scopes: str) -> Identity:
    api_key = params.get("api_key") or request.query_params.get("api_key")
    if not api_key:
        raise Open311Error(401, "缺少 api_key")
    authenticator: Authenticator = request.app.state.authenticator
    caller = await authenticator.authenticate(f"Bearer {api_key}")
    await _limit(request, caller.identity.client_id, caller.per_minute, caller.burst)
    if not caller.identity.has_any(*scopes):
        raise Open311Error(403, f"该 api_key 缺少权限：{' 或 '.join(scopes)}")
    return caller.identity


@router.get("/discovery.{fmt}", summary="Open311 服务发现")
async def discovery(request: Request, fmt: str) -> Response:
    async def work() -> Any:
        await _public(request)
        return catalogue.discovery(str(request.url_for("services", fmt="json")).rsplit("/", 1)[0])

    return await _answer(fmt, "discovery", work)


@router.get("/services.{fmt}", summary="Open311 服务列表（可反映的问题类型）")
async def services(request: Request, links: LinksDep, fmt: str) -> Response:
    async def work() -> Any:
        await _public(request)
        service.check_jurisdiction(links, request.query_params)
        return [catalogue.service_entry(s) for s in catalogue.SERVICES]

    return await _answer(fmt, "services", work)


@router.get("/services/{code}.{fmt}", summary="Open311 服务定义（需填写的属性）")
async def service_definition(request: Request, links: LinksDep, code: str, fmt: str) -> Response:
    async def work() -> Any:
        await _public(request)
        service.check_jurisdiction(links, request.query_params)
        return catalogue.definition(service.service_of(code))

    return await _answer(fmt, "service_definition", work)


@router.post("/requests.{fmt}", summary="Open311 提交服务请求（登记为举报案件）")
async def create_request(
    request: Request,
    links: LinksDep,
    fmt: str,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    async def work() -> Any:
        params = service.parse_body(await request.body(), request.headers.get("content-type", ""))
        service.check_jurisdiction(links, params)
        identity = await _identity(request, params, "complaints:write")
        return await service.create(links, identity, params, idempotency_key)

    return await _answer(fmt, "service_requests", work, status=201)


@router.get("/requests.{fmt}", summary="Open311 查询服务请求")
async def search_requests(request: Request, links: LinksDep, session: SessionDep, fmt: str) -> Response:
    async def work() -> Any:
        params = request.query_params
        service.check_jurisdiction(links, params)
        identity = await _identity(request, params, *_READ_SCOPES)
        return await service.search(session, identity, params)

    return await _answer(fmt, "service_requests", work)


@router.get("/requests/{request_id}.{fmt}", summary="Open311 服务请求详情")
async def get_request(
    request: Request, links: LinksDep, session: SessionDep, request_id: str, fmt: str
) -> Response:
    async def work() -> Any:
        params = request.query_params
        service.check_jurisdiction(links, params)
        identity = await _identity(request, params, *_READ_SCOPES)
        return await service.get(session, identity, request_id)

    return await _answer(fmt, "service_requests", work)


@router.get("/tokens/{token}.{fmt}", summary="Open311 由 token 查询服务请求编号")
async def token_lookup(
    request: Request, links: LinksDep, session: SessionDep, token: str, fmt: str
) -> Response:
    async def work() -> Any:
        await _public(request)
        service.check_jurisdiction(links, request.query_params)
        return await service.by_token(session, token)

    return await _answer(fmt, "service_requests", work)


@router.api_route("/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
async def not_found(rest: str) -> Response:
    fmt = rest.rsplit(".", 1)[-1] if "." in rest else "json"
    return error(fmt, 404, f"路径不存在：/open311/v2/{rest}")
