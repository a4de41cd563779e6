from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from gateway.deps import GatewayIdentityDep, require_gateway_scopes
from gateway.events import service
from gateway.events.schemas import EventIn, EventOut
from shared.db import SessionDep
from shared.pagination import Page, PageParamsDep

router = APIRouter(prefix="/api/v1/events", tags=["events"])


@router.post(
    "",
    summary="服务事件投递（内部）",
    status_code=202,
    dependencies=[require_gateway_scopes("internal")],
)
async def receive_event(
    event: EventIn, request: Request, session: SessionDep, identity: GatewayIdentityDep
) -> JSONResponse:
    subscriptions = request.app.state.settings.event_subscriptions
    status, ack = await service.receive(session, identity, event, subscriptions=subscriptions)
    return JSONResponse(ack.model_dump(), status_code=status)


@router.get("", summary="已接收的服务事件", dependencies=[require_gateway_scopes("admin")])
async def list_events(
    session: SessionDep,
    page: PageParamsDep,
    type: Annotated[str | None, Query(max_length=64)] = None,
    aggregate_id: Annotated[str | None, Query(max_length=64)] = None,
) -> Page[EventOut]:
    return await service.list_events(session, page, event_type=type, aggregate_id=aggregate_id)
