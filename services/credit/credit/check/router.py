from fastapi import APIRouter

from credit.check import service
from credit.check.schemas import CheckRequest, CheckResult
from credit.listing.dependencies import SettingsDep
from shared.auth import IdentityDep, require_scopes
from shared.db import SessionDep

router = APIRouter(prefix="/api/v1/credit", tags=["credit"])


@router.post(
    "/checks",
    summary="失信联合惩戒核查（批量，单次最多 1000 个对象）",
    dependencies=[require_scopes("credit:check")],
)
async def check(
    payload: CheckRequest, session: SessionDep, identity: IdentityDep, settings: SettingsDep
) -> CheckResult:
    return await service.check(session, identity, payload, settings=settings)
