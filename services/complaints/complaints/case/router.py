from typing import Annotated

import orjson
from fastapi import APIRouter, Query
from fastapi.responses import Response

from complaints.case import repository, service
from complaints.case.actions import ActionEnvelope
from complaints.case.dependencies import ClockDep, IntakeDep
from complaints.case.fastpath import FILERS
from complaints.case.schemas import (
    CaseCreate,
    CaseCreated,
    CaseOut,
    CaseSummary,
    Channel,
    Kind,
    Payments,
    TimelineEntry,
)
from shared.auth import Identity, IdentityDep, require_scopes
from shared.db import SessionDep
from shared.idempotency import IdempotencyKeyHeader
from shared.identifiers import DistrictCode, IndustryCode
from shared.pagination import Page, PageParamsDep
from shared.timeutil import MomentOrDay, china_moment

router = APIRouter(prefix="/api/v1/complaints", tags=["complaints"])
_READERS = ("complaints:read", "complaints:write", "cases:manage")


@router.post(
    "",
    summary="提交投诉或举报",
    status_code=201,
    response_model=CaseCreated,
)
async def file_case(
    payload: CaseCreate,
    # Well-formed filings are answered by complaints.case.fastpath (the same service call);
    # this route answers the rest, and documents the endpoint.
    identity: Annotated[Identity, require_scopes(*FILERS)],
    intake: IntakeDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    # No request session: the case is written by the group commit of concurrent filings.
    status, body = await service.file_case(intake, identity, payload, idempotency_key=idempotency_key)
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")


@router.get("", summary="投诉举报案件列表", dependencies=[require_scopes(*_READERS)])
async def list_cases(
    session: SessionDep,
    identity: IdentityDep,
    page: PageParamsDep,
    status: Annotated[str | None, Query(max_length=32)] = None,
    channel: Channel | None = None,
    kind: Kind | None = None,
    district_code: Annotated[DistrictCode | None, Query()] = None,
    industry_code: Annotated[IndustryCode | None, Query()] = None,
    overdue: Annotated[bool, Query(description="仅列出已超过法定时限的案件")] = False,
    received_from: Annotated[
        MomentOrDay | None,
        Query(description="登记时间起（含）：带时区的时间，不带时区按北京时间，或日期（当日零时起）"),
    ] = None,
    received_to: Annotated[
        MomentOrDay | None,
        Query(description="登记时间止（不含）：带时区的时间，不带时区按北京时间，或日期（含当日全天）"),
    ] = None,
    q: Annotated[str | None, Query(min_length=2, max_length=50)] = None,
) -> Page[CaseSummary]:
    where = repository.CaseFilter(
        status=status,
        channel=channel,
        kind=kind,
        district_code=district_code,
        industry_code=industry_code,
        received_from=None if received_from is None else china_moment(received_from),
        received_to=None if received_to is None else china_moment(received_to, day_end=True),
        q=q,
    )
    return await service.list_cases(session, identity, page, where, overdue=overdue)


@router.get("/{case_id}", summary="案件详情", dependencies=[require_scopes(*_READERS)])
async def get_case(case_id: str, session: SessionDep, identity: IdentityDep) -> CaseOut:
    return await service.get_case(session, identity, case_id)


@router.get(
    "/{case_id}/timeline",
    summary="案件办理记录（按时间先后，分页）",
    dependencies=[require_scopes(*_READERS)],
)
async def get_timeline(
    case_id: str, session: SessionDep, identity: IdentityDep, page: PageParamsDep
) -> Page[TimelineEntry]:
    return await service.timeline(session, identity, case_id, page)


@router.get(
    "/{case_id}/payments", summary="追发工资等到账记录（按劳动者）", dependencies=[require_scopes(*_READERS)]
)
async def get_payments(case_id: str, session: SessionDep, identity: IdentityDep) -> Payments:
    return await service.payments(session, identity, case_id)


@router.post(
    "/{case_id}/actions", summary="案件办理操作", dependencies=[require_scopes("cases:manage", "internal")]
)
async def act(
    case_id: str, envelope: ActionEnvelope, session: SessionDep, identity: IdentityDep, clock: ClockDep
) -> CaseOut:
    return await service.act(session, identity, case_id, envelope, clock=clock)
