"""``/api/v1/public/...``: what the bureau publishes, for anyone.

The gateway forwards these without an API key, as the "public" identity with no scopes, and
rate-limits them per IP; here they need the identity token like every route, and no scope.
Pages carry an ``ETag`` (a hash of the body) and may be cached for a minute; a matching
``If-None-Match`` is answered 304 with no body.
"""

from __future__ import annotations

import hashlib

from fastapi import APIRouter, Request
from pydantic import BaseModel
from starlette.responses import Response

from credit.disclosure import service as disclosures
from credit.disclosure.schemas import PublicDisclosure
from credit.listing import service as listings
from credit.listing.schemas import PublicBlacklistEntry
from shared.db import SessionDep
from shared.pagination import Page, PageParamsDep

router = APIRouter(prefix="/api/v1/public", tags=["public"])
CACHE_CONTROL = "public, max-age=60"


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:40] + '"'


def _matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 weak comparison against every tag listed (or ``*``)."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    return any(tag.strip().removeprefix("W/") == etag for tag in if_none_match.split(","))


def cached(request: Request, page: BaseModel) -> Response:
    body = page.model_dump_json().encode()
    etag = _etag(body)
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
    if _matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


@router.get(
    "/blacklist",
    summary="拖欠农民工工资失信联合惩戒对象名单（公开）",
    response_model=Page[PublicBlacklistEntry],
)
async def blacklist(request: Request, session: SessionDep, page: PageParamsDep) -> Response:
    return cached(request, await listings.public_blacklist(session, page))


@router.get(
    "/disclosures",
    summary="重大劳动保障违法行为社会公布（公开）",
    response_model=Page[PublicDisclosure],
)
async def published_disclosures(request: Request, session: SessionDep, page: PageParamsDep) -> Response:
    return cached(request, await disclosures.public_disclosures(session, page))
