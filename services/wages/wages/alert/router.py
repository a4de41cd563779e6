from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from shared.auth import IdentityDep, require_scopes
from shared.db import SessionDep
from shared.identifiers import USCC
from shared.pagination import Page, PageParamsDep
from wages.alert import events, service
from wages.alert.repository import AlertFilter
from wages.alert.schemas import (
    AlertAction,
    AlertDetail,
    AlertOut,
    EvaluationOut,
    EvaluationRequest,
    EventAck,
    EventEnvelope,
    Level,
    Period,
    RuleName,
    Status,
)
from wages.alert.service import Evaluator

router = APIRouter(prefix="/api/v1/wages", tags=["wages-alerts"])
# Monitoring views, and inspectors who act on what they show.
_READERS = ("wages:read", "cases:manage")


async def _evaluator(request: Request) -> Evaluator:
    evaluator = getattr(request.app.state, "alert_evaluator", None)
    if evaluator is None:
        state = request.app.state
        evaluator = state.alert_evaluator = Evaluator.for_settings(
            state.settings, getattr(state, "calendar", None)
        )
    return evaluator


EvaluatorDep = Annotated[Evaluator, Depends(_evaluator)]


@router.post(
    "/alerts/evaluations",
    summary="按所属期评估预警规则",
    description="对一个工资所属期运行全部已启用的预警规则（可限定单位、规则）；重复评估不会产生重复预警。",
    dependencies=[require_scopes(*_READERS)],
)
async def run_evaluation(
    request: EvaluationRequest, session: SessionDep, evaluator: EvaluatorDep
) -> EvaluationOut:
    return await service.run_evaluation(session, evaluator, request)


@router.get("/alerts", summary="预警列表", dependencies=[require_scopes(*_READERS)])
async def list_alerts(
    session: SessionDep,
    identity: IdentityDep,
    page: PageParamsDep,
    level: Level | None = None,
    status: Status | None = None,
    rule: RuleName | None = None,
    uscc: Annotated[USCC | None, Query()] = None,
    period: Annotated[Period | None, Query(description="工资所属期 YYYY-MM")] = None,
) -> Page[AlertOut]:
    where = AlertFilter(level=level, status=status, rule=rule, uscc=uscc, period=period)
    return await service.list_alerts(session, identity, page, where)


@router.get("/alerts/{alert_id}", summary="预警详情（含处理记录）", dependencies=[require_scopes(*_READERS)])
async def get_alert(alert_id: str, session: SessionDep, identity: IdentityDep) -> AlertDetail:
    return await service.get_alert(session, identity, alert_id)


@router.post(
    "/alerts/{alert_id}/actions",
    summary="预警处理操作（确认、消除、上报）",
    dependencies=[require_scopes("cases:manage")],
)
async def act(alert_id: str, action: AlertAction, session: SessionDep, identity: IdentityDep) -> AlertDetail:
    return await service.act(session, identity, alert_id, action)


@router.post(
    "/events",
    summary="接收其他服务的事件（经网关投递）",
    status_code=202,
    response_model=EventAck,
    responses={200: {"model": EventAck, "description": "重复投递，已处理过"}},
    dependencies=[require_scopes("internal")],
)
async def receive_event(event: EventEnvelope, session: SessionDep, evaluator: EvaluatorDep) -> JSONResponse:
    status, ack = await events.receive(session, evaluator, event)
    return JSONResponse(ack.model_dump(), status_code=status)
