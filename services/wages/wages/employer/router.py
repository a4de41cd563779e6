from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query
from fastapi.responses import JSONResponse

from shared.auth import IdentityDep, require_scopes
from shared.db import SessionDep
from shared.identifiers import USCC, DistrictCode
from shared.pagination import Page, PageParamsDep
from shared.timeutil import china_today
from wages.employer import service
from wages.employer.dependencies import CalendarDep, SettingsDep
from wages.employer.period import PERIOD_PATTERN
from wages.employer.schemas import (
    EmployerIn,
    EmployerOut,
    EmployerSummary,
    PayDateOut,
    RosterReplaced,
    RosterWorkerOut,
)
from wages.idempotency import OnceDep

router = APIRouter(prefix="/api/v1/wages", tags=["wages"])
_READERS = ("wages:read", "wages:write")
UsccPath = Annotated[USCC, Path(description="统一社会信用代码")]

_ROSTER_BODY = {
    "requestBody": {
        "required": True,
        "description": (
            "完整的实名制名册（替换现有在册名单），每项 id_number、name、active_from、可选 active_to。"
        ),
        "content": {
            "application/json": {
                "schema": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["id_number", "name", "active_from"],
                        "properties": {
                            "id_number": {"type": "string", "description": "居民身份证号码"},
                            "name": {"type": "string"},
                            "active_from": {"type": "string", "format": "date"},
                            "active_to": {"type": ["string", "null"], "format": "date"},
                        },
                    },
                }
            }
        },
    }
}


@router.post(
    "/employers",
    summary="登记（或更新）工资支付监控单位、工程建设项目",
    response_model=EmployerOut,
    status_code=201,
    responses={200: {"description": "该统一社会信用代码已登记，已更新", "model": EmployerOut}},
    dependencies=[require_scopes("wages:write")],
)
async def register_employer(
    payload: EmployerIn,
    session: SessionDep,
    identity: IdentityDep,
    settings: SettingsDep,
    once: OnceDep,
) -> JSONResponse:
    return await once.answer(
        lambda: service.register_employer(session, identity, payload, settings=settings),
        payload=payload.model_dump(mode="json"),
    )


@router.get("/employers", summary="工资支付监控单位列表", dependencies=[require_scopes("wages:read")])
async def list_employers(
    session: SessionDep,
    page: PageParamsDep,
    district_code: Annotated[DistrictCode | None, Query(description="行政区划代码")] = None,
) -> Page[EmployerSummary]:
    return await service.list_employers(session, page, district_code=district_code)


@router.get("/employers/{uscc}", summary="工资支付监控单位详情", dependencies=[require_scopes(*_READERS)])
async def get_employer(uscc: UsccPath, session: SessionDep) -> EmployerOut:
    return await service.get_employer(session, uscc)


@router.put(
    "/employers/{uscc}/roster",
    summary="替换实名制名册",
    dependencies=[require_scopes("wages:write")],
    openapi_extra=_ROSTER_BODY,
)
async def replace_roster(
    uscc: UsccPath, rows: Annotated[list[Any], Body()], session: SessionDep
) -> RosterReplaced:
    return await service.replace_roster(session, uscc, rows, today=china_today())


@router.get(
    "/employers/{uscc}/roster", summary="实名制名册（身份证号脱敏）", dependencies=[require_scopes(*_READERS)]
)
async def list_roster(
    uscc: UsccPath,
    session: SessionDep,
    page: PageParamsDep,
    active: Annotated[bool, Query(description="仅列出今天在册的劳动者")] = False,
) -> Page[RosterWorkerOut]:
    return await service.list_roster(session, uscc, page, active_only=active, today=china_today())


@router.get(
    "/employers/{uscc}/pay-dates",
    summary="某工资所属期的应支付日期（遇休息日、节假日提前）",
    dependencies=[require_scopes(*_READERS)],
)
async def get_pay_date(
    uscc: UsccPath,
    session: SessionDep,
    calendar: CalendarDep,
    settings: SettingsDep,
    period: Annotated[str, Query(pattern=PERIOD_PATTERN, description="工资所属期 YYYY-MM")],
) -> PayDateOut:
    return await service.pay_date_of(session, uscc, period, calendar=calendar, settings=settings)
