"""The error tree and its rendering as RFC 9457 ``application/problem+json``.

Every expected failure is an :class:`AppError` with an HTTP ``status``, a stable English
``code`` for machines and a Chinese ``title`` for people::

    AppError (500 internal_error)
    ├── BadRequest (400 bad_request)
    ├── Unauthorized (401 authentication_required, invalid_api_key, invalid_gateway_token)
    ├── Forbidden (403 insufficient_scope)
    ├── NotFound (404 not_found)
    ├── Conflict (409 conflict)
    │   └── InvalidTransition (409 invalid_transition, lists the allowed actions)
    ├── PayloadTooLarge (413 payload_too_large)
    ├── UnsupportedMediaType (415 unsupported_media_type)
    ├── ValidationFailed (422 validation_failed, with field-level ``errors``)
    ├── RateLimited (429 rate_limited, with ``Retry-After``)
    └── UpstreamError (502 upstream_unreachable)
        ├── UpstreamUnavailable (503 upstream_unavailable, with ``Retry-After``)
        └── UpstreamTimeout (504 upstream_timeout)

FastAPI's own validation errors and Starlette's 404/405 are rendered the same way, so a
client sees one shape for every 4xx/5xx. A lost database connection is 503
``database_unavailable`` with ``Retry-After``; anything else unexpected is 500.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from shared.requestctx import current_request_id

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:km-labour:problem:"

log = logging.getLogger("shared.errors")


class AppError(Exception):
    status: int = 500
    code: str = "internal_error"
    title: str = "服务器内部错误"

    def __init__(
        self,
        detail: str | None = None,
        *,
        code: str | None = None,
        title: str | None = None,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        self.detail = detail or self.title
        if code is not None:
            self.code = code
        if title is not None:
            self.title = title
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})
        super().__init__(self.detail)


class BadRequest(AppError):
    status, code, title = 400, "bad_request", "请求无效"


class Unauthorized(AppError):
    status, code, title = 401, "authentication_required", "需要身份认证"

    def __init__(self, detail: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("headers", {"WWW-Authenticate": 'Bearer realm="km-labour"'})
        super().__init__(detail, **kwargs)


class Forbidden(AppError):
    status, code, title = 403, "insufficient_scope", "权限不足"


class NotFound(AppError):
    status, code, title = 404, "not_found", "资源不存在"


class Conflict(AppError):
    status, code, title = 409, "conflict", "与当前状态冲突"


class InvalidTransition(Conflict):
    code, title = "invalid_transition", "当前状态不允许该操作"

    def __init__(self, detail: str, *, state: str, allowed: Sequence[str]) -> None:
        super().__init__(detail, extra={"state": state, "allowed_actions": list(allowed)})


class PayloadTooLarge(AppError):
    status, code, title = 413, "payload_too_large", "请求体过大"


class UnsupportedMediaType(AppError):
    status, code, title = 415, "unsupported_media_type", "不支持的内容类型"


class FieldError(dict[str, str]):
    """One entry of a problem's ``errors`` list: ``loc``, ``code``, ``message``."""

    def __init__(self, loc: str, code: str, message: str) -> None:
        super().__init__(loc=loc, code=code, message=message)


class ValidationFailed(AppError):
    status, code, title = 422, "validation_failed", "输入数据无效"

    def __init__(self, errors: Sequence[Mapping[str, str]], detail: str | None = None) -> None:
        self.errors = [dict(e) for e in errors]
        if detail is None:
            detail = "；".join(f"{e['loc']}: {e['message']}" for e in self.errors[:5])
        super().__init__(detail, extra={"errors": self.errors})


class RateLimited(AppError):
    status, code, title = 429, "rate_limited", "请求过于频繁"

    def __init__(self, retry_after: int, detail: str | None = None) -> None:
        super().__init__(
            detail or f"请求过于频繁，请在 {retry_after} 秒后重试",
            headers={"Retry-After": str(retry_after)},
        )


class UpstreamError(AppError):
    status, code, title = 502, "upstream_unreachable", "上游服务不可达"


class UpstreamUnavailable(UpstreamError):
    status, code, title = 503, "upstream_unavailable", "上游服务暂不可用"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail, headers={"Retry-After": str(retry_after)})


class UpstreamTimeout(UpstreamError):
    status, code, title = 504, "upstream_timeout", "上游服务响应超时"


# Default code and title for statuses raised by the framework itself (routing, 405, ...).
_STATUS_DEFAULTS: dict[int, tuple[str, str]] = {
    400: ("bad_request", "请求无效"),
    401: ("authentication_required", "需要身份认证"),
    403: ("insufficient_scope", "权限不足"),
    404: ("not_found", "资源不存在"),
    405: ("method_not_allowed", "不支持该请求方法"),
    406: ("not_acceptable", "无法提供所请求的格式"),
    409: ("conflict", "与当前状态冲突"),
    413: ("payload_too_large", "请求体过大"),
    415: ("unsupported_media_type", "不支持的内容类型"),
    422: ("validation_failed", "输入数据无效"),
    429: ("rate_limited", "请求过于频繁"),
    500: ("internal_error", "服务器内部错误"),
    502: ("upstream_unreachable", "上游服务不可达"),
    503: ("service_unavailable", "服务暂不可用"),
    504: ("upstream_timeout", "上游服务响应超时"),
}

# Chinese messages for pydantic's error types; custom types carry their own message.
_PYDANTIC_MESSAGES: dict[str, str] = {
    "missing": "缺少必填字段",
    "extra_forbidden": "不允许的字段",
    "string_type": "必须是字符串",
    "string_too_short": "长度过短",
    "string_too_long": "长度过长",
    "string_pattern_mismatch": "格式不正确",
    "int_type": "必须是整数",
    "int_parsing": "必须是整数",
    "int_from_float": "必须是整数",
    "bool_type": "必须是布尔值",
    "bool_parsing": "必须是布尔值",
    "float_type": "必须是数字",
    "decimal_parsing": "必须是十进制数字字符串",
    "decimal_type": "必须是十进制数字字符串",
    "greater_than": "数值过小",
    "greater_than_equal": "数值过小",
    "less_than": "数值过大",
    "less_than_equal": "数值过大",
    "literal_error": "取值不在允许范围内",
    "enum": "取值不在允许范围内",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "date_type": "日期格式应为 YYYY-MM-DD",
    "datetime_parsing": "时间格式应为 ISO 8601（含时区）",
    "datetime_from_date_parsing": "时间格式应为 ISO 8601（含时区）",
    "datetime_type": "时间格式应为 ISO 8601（含时区）",
    "timezone_aware": "时间必须带时区",
    "list_type": "必须是数组",
    "too_short": "元素过少",
    "too_long": "元素过多",
    "dict_type": "必须是对象",
    "model_type": "必须是对象",
    "model_attributes_type": "必须是对象",
    "json_invalid": "请求体不是有效的 JSON",
    "uuid_parsing": "必须是 UUID",
    "uuid_type": "必须是 UUID",
    "value_error": "取值无效",
}


def _loc_to_string(loc: Sequence[Any]) -> str:
    parts = list(loc)
    # "body" is implied for JSON fields; query/path/header locations stay explicit.
    if parts and parts[0] == "body":
        parts = parts[1:]
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "body"


def pydantic_errors_to_field_errors(errors: Sequence[Mapping[str, Any]]) -> list[FieldError]:
    result: list[FieldError] = []
    for err in errors:
        err_type = str(err.get("type", "value_error"))
        message = _PYDANTIC_MESSAGES.get(err_type)
        ctx = err.get("ctx") or {}
        if message is None:
            # Our own PydanticCustomError types carry a Chinese message already.
            message = str(err.get("msg", "取值无效"))
        elif err_type == "literal_error" and "expected" in ctx:
            message = f"{message}，允许：{ctx['expected']}"
        elif err_type in {"string_too_short", "string_too_long", "too_short", "too_long"}:
            bound = ctx.get("min_length", ctx.get("max_length"))
            if bound is not None:
                message = f"{message}（限制 {bound}）"
        elif err_type in {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}:
            bound = next((ctx[k] for k in ("gt", "ge", "lt", "le") if k in ctx), None)
            if bound is not None:
                message = f"{message}（界限 {bound}）"
        elif err_type == "value_error" and err.get("msg"):
            message = str(err["msg"]).removeprefix("Value error, ")
        result.append(FieldError(_loc_to_string(err.get("loc", ())), err_type, message))
    return result


def problem_body(
    *,
    status: int,
    code: str,
    title: str,
    detail: str,
    instance: str,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_PREFIX + code,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
        "code": code,
    }
    request_id = current_request_id()
    if request_id:
        body["request_id"] = request_id
    if extra:
        body.update(extra)
    return body


def problem_response(
    *,
    status: int,
    code: str,
    title: str,
    detail: str,
    instance: str,
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Response:
    body = problem_body(status=status, code=code, title=title, detail=detail, instance=instance, extra=extra)
    return Response(
        orjson.dumps(body),
        status_code=status,
        media_type=PROBLEM_CONTENT_TYPE,
        headers=dict(headers or {}),
    )


def render_app_error(error: AppError, instance: str) -> Response:
    return problem_response(
        status=error.status,
        code=error.code,
        title=error.title,
        detail=error.detail,
        instance=instance,
        headers=error.headers,
        extra=error.extra,
    )


async def _handle_app_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AppError)
    if exc.status >= 500:
        log.warning("request failed: %s %s", exc.code, exc.detail)
    return render_app_error(exc, request.url.path)


async def _handle_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    return render_app_error(ValidationFailed(pydantic_errors_to_field_errors(exc.errors())), request.url.path)


async def _handle_http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    code, title = _STATUS_DEFAULTS.get(exc.status_code, ("http_error", "请求失败"))
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail else title
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"路径不存在：{request.url.path}"
    elif exc.status_code == 405 and detail == "Method Not Allowed":
        detail = f"该路径不支持 {request.method} 方法"
    return problem_response(
        status=exc.status_code,
        code=code,
        title=title,
        detail=detail,
        instance=request.url.path,
        headers=exc.headers,
    )


async def _handle_unexpected(request: Request, exc: Exception) -> Response:
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        # The database connection was lost (a restarted server): the pool has been emptied,
        # nothing was committed, and a retry gets a fresh connection.
        log.warning("database connection lost on %s %s", request.method, request.url.path)
        return problem_response(
            status=503,
            code="database_unavailable",
            title="数据库连接中断",
            detail="与数据库的连接已中断，本次请求未生效，请稍后重试",
            instance=request.url.path,
            headers={"Retry-After": "1"},
        )
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem_response(
        status=500,
        code="internal_error",
        title="服务器内部错误",
        detail="服务器处理请求时发生错误，请稍后重试；如持续出现请联系管理员并提供 request_id",
        instance=request.url.path,
    )


async def error_response(request: Request, exc: Exception) -> Response:
    """The answer the handlers below give ``exc``, for code answering outside FastAPI's routing
    (a raw ASGI fast path)."""
    if isinstance(exc, AppError):
        return await _handle_app_error(request, exc)
    return await _handle_unexpected(request, exc)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _handle_app_error)
    app.add_exception_handler(RequestValidationError, _handle_validation_error)
    app.add_exception_handler(StarletteHTTPException, _handle_http_exception)
    app.add_exception_handler(Exception, _handle_unexpected)
