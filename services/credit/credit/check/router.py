from typing import Annotated

import orjson
from fastapi import APIRouter, Depends, Request, Response

from credit.check import service
from credit.check.schemas import CheckRequest, CheckResult
from credit.config import CreditSettings
from shared.auth import IdentityDep, require_scopes
from shared.db import SessionDep

router = APIRouter(prefix="/api/v1/credit", tags=["credit"])


async def _settings(request: Request) -> CreditSettings:
    # The settings as credit.listing.dependencies gives them, but async: FastAPI runs a sync
    # dependency in a worker thread, a round trip through the thread pool on every check.
    settings: CreditSettings = request.app.state.settings
    return settings


SettingsDep = Annotated[CreditSettings, Depends(_settings)]


@router.post(
    "/checks",
    summary="失信联合惩戒核查（批量，单次最多 1000 个对象）",
    dependencies=[require_scopes("credit:check")],
    # The schema of the answer; the body itself is serialised by orjson from plain data of the
    # same shape (tests/credit/test_check.py holds it to this model): a thousand pydantic
    # objects built, validated again and dumped cost more than the lookup.
    response_model=CheckResult,
)
async def check(
    payload: CheckRequest, session: SessionDep, identity: IdentityDep, settings: SettingsDep
) -> Response:
    result = await service.check(session, identity, payload, settings=settings)
    return Response(orjson.dumps(result), media_type="application/json")
