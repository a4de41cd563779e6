from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from complaints.case.dependencies import ClockDep
from complaints.case.schemas import CaseOut
from complaints.idempotency import OnceDep
from complaints.inspection import service
from complaints.inspection.dependencies import ExistingInspection
from complaints.inspection.repository import Filters
from complaints.inspection.schemas import InspectionCreate, InspectionKind, InspectionOut, InspectionSummary
from shared.auth import IdentityDep, require_scopes
from shared.db import SessionDep
from shared.idempotency import IdempotencyKeyHeader
from shared.identifiers import USCC, DistrictCode, IndustryCode
from shared.pagination import Page, PageParamsDep

router = APIRouter(prefix="/api/v1/inspections", tags=["inspections"])

FromDate = Annotated[date | None, Query(alias="from", description="检查日期起（含）")]
ToDate = Annotated[date | None, Query(alias="to", description="检查日期止（含）")]
DistrictFilter = Annotated[
    DistrictCode | None, Query(description="行政区划代码；市级（如 530100）含其下各区县")
]


@router.post(
    "",
    status_code=201,
    response_model=InspectionOut,
    summary="登记日常巡查、专项检查或年审",
    dependencies=[require_scopes("cases:manage")],
)
async def create_inspection(
    payload: InspectionCreate,
    session: SessionDep,
    identity: IdentityDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    status_code, body = await service.create_inspection(
        session, identity, payload, idempotency_key=idempotency_key
    )
    return JSONResponse(body, status_code=status_code)


@router.get(
    "",
    summary="检查记录列表",
    dependencies=[require_scopes("cases:manage", "reports:read")],
)
async def list_inspections(
    session: SessionDep,
    page: PageParamsDep,
    kind: Annotated[InspectionKind | None, Query(description="检查类型")] = None,
    campaign: Annotated[str | None, Query(max_length=200, description="专项行动名称")] = None,
    district_code: DistrictFilter = None,
    industry_code: Annotated[IndustryCode | None, Query(description="行业代码（快递服务 6020）")] = None,
    uscc: Annotated[USCC | None, Query(description="用人单位统一社会信用代码")] = None,
    inspected_from: FromDate = None,
    inspected_to: ToDate = None,
) -> Page[InspectionOut]:
    filters = Filters(
        kind=kind,
        campaign=campaign,
        district_code=district_code,
        industry_code=industry_code,
        uscc=uscc,
        inspected_from=inspected_from,
        inspected_to=inspected_to,
    )
    return await service.list_inspections(session, page, filters)


@router.get(
    "/summary",
    summary="检查工作统计（日常巡查、专项检查、年审）",
    dependencies=[require_scopes("cases:manage", "reports:read")],
)
async def summarise_inspections(
    session: SessionDep,
    inspected_from: FromDate = None,
    inspected_to: ToDate = None,
    district_code: DistrictFilter = None,
) -> InspectionSummary:
    return await service.summarise(
        session, inspected_from=inspected_from, inspected_to=inspected_to, district_code=district_code
    )


@router.get(
    "/{inspection_id}",
    summary="检查记录详情",
    dependencies=[require_scopes("cases:manage", "reports:read")],
)
async def get_inspection(inspection: ExistingInspection) -> InspectionOut:
    return service.inspection_out(inspection)


@router.post(
    "/{inspection_id}/findings/{finding_id}/case",
    status_code=201,
    response_model=CaseOut,
    summary="发现事项立案",
    description=(
        "同一发现事项只能立案一次，再次请求为 409（finding_case_exists）；"
        "带 Idempotency-Key 重试时返回首次结果。"
    ),
    dependencies=[require_scopes("cases:manage")],
)
async def open_case(
    inspection: ExistingInspection,
    finding_id: int,
    session: SessionDep,
    identity: IdentityDep,
    clock: ClockDep,
    once: OnceDep,
) -> JSONResponse:
    return await once.created(
        lambda: service.open_case_from_finding(session, identity, inspection, finding_id, clock=clock),
        payload={"inspection_id": inspection.id, "finding_id": finding_id},
    )
