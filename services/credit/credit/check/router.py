import json
from email.message import Message
from typing import Any, Final

import orjson
from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import TypeAdapter, ValidationError

from credit.check import service
from credit.check.schemas import CheckRequest, CheckResult
from credit.config import CreditSettings
from shared.auth import IdentityDep, require_scopes
from shared.errors import ValidationFailed, pydantic_errors_to_field_errors

router = APIRouter(prefix="/api/v1/credit", tags=["credit"])

# The request is read by the route itself (below), validated by this adapter built once; the
# schema FastAPI would have documented for a ``CheckRequest`` body is given to OpenAPI as is.
_REQUEST: Final = TypeAdapter(CheckRequest)
_REQUEST_BODY: Final = {
    "required": True,
    "content": {"application/json": {"schema": _REQUEST.json_schema(mode="validation")}},
}


def _is_json(content_type: str | None) -> bool:
    """Whether FastAPI would read a body of this type as JSON (``application/json`` or
    ``application/*+json``; a body without a type is not JSON, the default strict mode)."""
    if content_type is None:
        return False
    if content_type == "application/json":
        return True
    message = Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )


def _payload(body: bytes, content_type: str | None) -> CheckRequest:
    """The body as FastAPI reads and validates a ``CheckRequest``, with the same errors (and
    so the same problem+json ``errors`` and ``loc``), but parsed by pydantic's own JSON parser:
    FastAPI's ``json.loads`` and its per-request validation machinery cost more than a
    one-subject check.
    """
    data: Any = body
    if not body:
        raise ValidationFailed(pydantic_errors_to_field_errors([{"type": "missing", "loc": ("body",)}]))
    if _is_json(content_type):
        try:
            # Parsed and validated in one pass; anything refused is read again below as
            # FastAPI reads it (the standard library's JSON, which also takes NaN), so that
            # the errors, and invalid JSON's position, are FastAPI's.
            return _REQUEST.validate_json(body)
        except ValidationError:
            pass
        try:
            data = json.loads(body)
        except json.JSONDecodeError as exc:
            raise RequestValidationError(
                [{"type": "json_invalid", "loc": ("body", exc.pos), "msg": "JSON decode error"}]
            ) from exc
    try:
        return _REQUEST.validate_python(data, from_attributes=True)
    except ValidationError as exc:
        raise ValidationFailed(pydantic_errors_to_field_errors(exc.errors())) from None


@router.post(
    "/checks",
    summary="失信联合惩戒核查（批量，单次最多 1000 个对象）",
    dependencies=[require_scopes("credit:check")],
    openapi_extra={"requestBody": _REQUEST_BODY},
    # The schema of the answer; the body itself is serialised by orjson from plain data of the
    # same shape (tests/credit/test_check.py holds it to this model): a thousand pydantic
    # objects built, validated again and dumped cost more than the lookup.
    response_model=CheckResult,
)
async def check(request: Request, identity: IdentityDep) -> Response:
    payload = _payload(await request.body(), request.headers.get("content-type"))
    settings: CreditSettings = request.app.state.settings
    result = await service.check(
        request.app.state.db, identity, payload, settings=settings, audits=request.app.state.check_audits
    )
    return Response(orjson.dumps(result), media_type="application/json")
