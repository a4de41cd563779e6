from typing import Annotated

from fastapi import APIRouter, Query

from complaints.case import service
from complaints.case.schemas import CaseSummary
from shared.auth import IdentityDep, require_scopes
from shared.db import SessionDep
from shared.pagination import Page, PageParamsDep

router = APIRouter(prefix="/api/v1/complaints", tags=["complaints"])


@router.get(
    "",
    summary="投诉举报案件列表",
    dependencies=[require_scopes("complaints:read", "cases:manage")],
)
async def list_cases(
    session: SessionDep,
    identity: IdentityDep,
    page: PageParamsDep,
    status: Annotated[str | None, Query(max_length=32, description="按状态筛选")] = None,
) -> Page[CaseSummary]:
    return await service.list_cases(session, identity, page, status=status)
