from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from shared.auth import require_scopes
from shared.identifiers import DistrictCode
from shared.timeutil import china_today
from wages.minwage import service
from wages.minwage.schemas import MinimumWageOut
from wages.minwage.table import MinimumWageTable, table_for

router = APIRouter(prefix="/api/v1/wages", tags=["minimum-wage"])


async def get_minimum_wage_table(request: Request) -> MinimumWageTable:
    return table_for(request.app.state.settings)


MinimumWageTableDep = Annotated[MinimumWageTable, Depends(get_minimum_wage_table)]


@router.get(
    "/minimum-wages",
    summary="最低工资标准查询（按行政区划和日期或工资所属期）",
    dependencies=[require_scopes("wages:read", "wages:write")],
)
async def get_minimum_wage(
    table: MinimumWageTableDep,
    district_code: Annotated[DistrictCode, Query(description="用工所在地行政区划代码")],
    on: Annotated[date | None, Query(description="日期，默认今天")] = None,
    period: Annotated[
        str | None,
        Query(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$", description="工资所属期 YYYY-MM（按该月1日的标准）"),
    ] = None,
) -> MinimumWageOut:
    return service.minimum_wage(table, district_code, on=on, period=period, today=china_today())
