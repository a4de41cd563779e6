"""``/api/v1/hotline``: the 12345 and 110 links at the gateway (contract.md, "Hotline links")."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from gateway.deps import GatewayIdentityDep, require_gateway_scopes
from gateway.hotline import deliveries, police, tickets
from gateway.hotline.links import LinksDep
from gateway.hotline.schemas import (
    AlertOut,
    Category,
    DeliveryOut,
    InquiryOut,
    ReferralOut,
    ReplyIn,
    ReturnIn,
    TicketOut,
)
from gateway.hotline.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER
from shared.db import SessionDep
from shared.pagination import Page, PageParamsDep

router = APIRouter(prefix="/api/v1/hotline", tags=["hotline"])
_TICKET_NO = Annotated[str, Query(max_length=64)]


@router.post(
    "/12345/tickets",
    summary="12345 工单接入（HMAC 签名；工单号即幂等键）",
    description=(
        "请求体为 JSON 工单（ticket_no、received_at、category、urgency、caller、content、respondent、"
        f"region_code、due_at），须带 {TIMESTAMP_HEADER} 与 {SIGNATURE_HEADER}（sha256=HMAC-SHA256"
        "(timestamp + '.' + 原始请求体)）。201 已登记为案件或咨询记录；200 重复工单；202 已保存待转交。"
    ),
    status_code=201,
    dependencies=[require_gateway_scopes("hotline:12345")],
)
async def receive_ticket(request: Request, links: LinksDep, identity: GatewayIdentityDep) -> JSONResponse:
    outcome = await tickets.receive(
        links,
        identity,
        await request.body(),
        timestamp=request.headers.get(TIMESTAMP_HEADER),
        signature=request.headers.get(SIGNATURE_HEADER),
    )
    return JSONResponse(outcome.body, status_code=outcome.status)


@router.get(
    "/12345/tickets",
    summary="12345 工单列表（overdue 已超时、due_soon 即将到期）",
    dependencies=[require_gateway_scopes("hotline:12345", "cases:manage")],
)
async def list_tickets(
    session: SessionDep,
    links: LinksDep,
    page: PageParamsDep,
    category: Category | None = None,
    overdue: bool = False,
    due_soon: bool = False,
) -> Page[TicketOut]:
    return await tickets.list_tickets(
        session, links, page, category=category, overdue=overdue, due_soon=due_soon
    )


@router.get(
    "/12345/tickets/{ticket_no}",
    summary="12345 工单详情（含答复时限）",
    dependencies=[require_gateway_scopes("hotline:12345", "cases:manage")],
)
async def get_ticket(ticket_no: str, session: SessionDep, links: LinksDep) -> TicketOut:
    return await tickets.get_ticket(session, links, ticket_no)


@router.post(
    "/12345/tickets/{ticket_no}/return",
    summary="退单（仅一次），向12345回告 rejected",
    dependencies=[require_gateway_scopes("cases:manage")],
)
async def return_ticket(
    ticket_no: str, body: ReturnIn, session: SessionDep, links: LinksDep, identity: GatewayIdentityDep
) -> TicketOut:
    return await tickets.return_ticket(session, links, identity, ticket_no, body.reason)


@router.get(
    "/12345/deliveries",
    summary="向12345回告的状态及每次投递尝试",
    dependencies=[require_gateway_scopes("hotline:12345")],
)
async def list_deliveries(
    session: SessionDep, page: PageParamsDep, ticket_no: _TICKET_NO | None = None
) -> Page[DeliveryOut]:
    return await deliveries.list_deliveries(session, page, ticket_no=ticket_no)


@router.get(
    "/12345/alerts",
    summary="多次投递失败的告警（仍在重试）",
    dependencies=[require_gateway_scopes("hotline:12345")],
)
async def list_alerts(session: SessionDep, page: PageParamsDep) -> Page[AlertOut]:
    return await deliveries.list_alerts(session, page)


@router.get(
    "/inquiries",
    summary="12345 咨询、求助、建议记录（status=open 待答复，answered 已答复）",
    dependencies=[require_gateway_scopes("cases:manage")],
)
async def list_inquiries(
    session: SessionDep,
    links: LinksDep,
    page: PageParamsDep,
    status: Literal["open", "answered"] | None = None,
) -> Page[InquiryOut]:
    return await tickets.list_inquiries(session, links, page, status=status)


@router.post(
    "/inquiries/{inquiry_id}/reply",
    summary="答复咨询、求助或建议，并向12345回告 replied",
    dependencies=[require_gateway_scopes("cases:manage")],
)
async def reply_inquiry(
    inquiry_id: str, body: ReplyIn, session: SessionDep, links: LinksDep, identity: GatewayIdentityDep
) -> InquiryOut:
    return await tickets.reply_inquiry(session, links, identity, inquiry_id, body.message)


@router.post(
    "/110/transfers",
    summary="110 转办的非警务劳动保障事项（转办编号即幂等键）",
    status_code=201,
    dependencies=[require_gateway_scopes("hotline:110")],
)
async def receive_transfer(request: Request, links: LinksDep, identity: GatewayIdentityDep) -> JSONResponse:
    outcome = await police.receive_transfer(links, identity, await request.body())
    return JSONResponse(outcome.body, status_code=outcome.status)


@router.get(
    "/110/referrals",
    summary="推送110的紧急案件及警情编号",
    dependencies=[require_gateway_scopes("cases:manage")],
)
async def list_referrals(
    session: SessionDep, page: PageParamsDep, case_no: Annotated[str | None, Query(max_length=32)] = None
) -> Page[ReferralOut]:
    return await police.list_referrals(session, page, case_no=case_no)
