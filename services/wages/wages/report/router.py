"""``/api/v1/wages/reports``: the wage-monitoring part of the yearly report and its records."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from shared.auth import IdentityDep, require_scopes
from shared.db import SessionDep
from shared.pagination import Page, PageParamsDep
from shared.reporting import CourierOnly, District, Explain, FromDate, ToDate, make_scope
from wages.report import service
from wages.report.schemas import FigureName, RecordItem, WagesReport

router = APIRouter(prefix="/api/v1/wages/reports", tags=["reports"])
# Readers of statistics, and the gateway assembling the yearly report.
_READERS = ("reports:read", "internal")


@router.get(
    "/annual",
    summary="年度统计：工资支付监控单位、台账、预警",
    dependencies=[require_scopes(*_READERS)],
)
async def annual_report(
    session: SessionDep,
    identity: IdentityDep,
    date_from: FromDate = None,
    date_to: ToDate = None,
    district_code: District = None,
    explain: Explain = False,
) -> WagesReport:
    scope = make_scope(date_from, date_to, district_code, identity.districts)
    return await service.annual_report(session, scope, with_explain=explain)


@router.get(
    "/records",
    summary="构成某项统计数字的记录清单（分页）",
    dependencies=[require_scopes(*_READERS)],
)
async def report_records(
    session: SessionDep,
    identity: IdentityDep,
    page: PageParamsDep,
    figure: Annotated[FigureName, Query(description="统计项目")],
    date_from: FromDate = None,
    date_to: ToDate = None,
    district_code: District = None,
    courier: CourierOnly = False,
) -> Page[RecordItem]:
    scope = make_scope(date_from, date_to, district_code, identity.districts)
    return await service.list_records(session, scope, figure, page, courier=courier)
