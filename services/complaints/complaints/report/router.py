"""``/api/v1/complaints/reports``: the complaints part of the yearly report and its records."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from complaints.report import records, service
from complaints.report.schemas import ComplaintsReport, FigureName, RecordItem
from shared.auth import IdentityDep, require_scopes
from shared.db import SessionDep
from shared.pagination import Page, PageParamsDep
from shared.reporting import CourierOnly, District, Explain, FromDate, ToDate, make_scope

router = APIRouter(prefix="/api/v1/complaints/reports", tags=["reports"])
# Readers of statistics, and the gateway assembling the yearly report.
_READERS = ("reports:read", "internal")


@router.get(
    "/annual",
    summary="年度统计：检查、案件、追发工资、处罚等（domain.md §11）",
    dependencies=[require_scopes(*_READERS)],
)
async def annual_report(
    session: SessionDep,
    identity: IdentityDep,
    date_from: FromDate = None,
    date_to: ToDate = None,
    district_code: District = None,
    explain: Explain = False,
) -> ComplaintsReport:
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
    return await records.list_records(session, scope, figure, page, courier=courier)
