from typing import Annotated

from fastapi import APIRouter, Query

from shared.auth import require_scopes
from shared.db import SessionDep
from shared.identifiers import DistrictCode
from shared.pagination import Page, PageParamsDep
from wages.employer import service
from wages.employer.schemas import EmployerSummary

router = APIRouter(prefix="/api/v1/wages", tags=["wages"])


@router.get(
    "/employers",
    summary="工资支付监控单位列表",
    dependencies=[require_scopes("wages:read")],
)
async def list_employers(
    session: SessionDep,
    page: PageParamsDep,
    district_code: Annotated[DistrictCode | None, Query(description="行政区划代码")] = None,
) -> Page[EmployerSummary]:
    return await service.list_employers(session, page, district_code=district_code)
