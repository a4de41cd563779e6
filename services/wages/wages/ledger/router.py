import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from shared.auth import IdentityDep, require_scopes
from shared.db import SessionDep
from shared.idempotency import raw_request_hash
from shared.identifiers import USCC
from shared.pagination import Page, PageParamsDep
from shared.timeutil import china_today
from wages.employer.dependencies import SettingsDep
from wages.employer.period import PERIOD_PATTERN
from wages.employer.router import UsccPath
from wages.idempotency import OnceDep
from wages.ledger import service
from wages.ledger.hooks import AfterLedgerHook, after_ledger_hooks
from wages.ledger.schemas import (
    LedgerLineOut,
    LedgerOut,
    PaymentsIn,
    PaymentsReceived,
    TransferIn,
    TransferOut,
)

router = APIRouter(prefix="/api/v1/wages", tags=["wages"])
_READERS = ("wages:read", "wages:write")
HooksDep = Annotated[tuple[AfterLedgerHook, ...], Depends(after_ledger_hooks)]

_LINE_SCHEMA = {
    "type": "object",
    "required": ["id_number", "name", "payable", "paid", "hours"],
    "properties": {
        "id_number": {"type": "string", "description": "居民身份证号码"},
        "name": {"type": "string"},
        "payable": {"type": "string", "description": '应发工资，如 "4200.00"'},
        "paid": {"type": "string", "description": '实发工资，如 "4200.00"'},
        "paid_on": {"type": ["string", "null"], "format": "date", "description": "实发工资大于0时必填"},
        "hours": {"type": ["string", "number"], "description": "当期工作时间（小时，0–744）"},
    },
}
_LEDGER_BODY = {
    "requestBody": {
        "required": True,
        "description": (
            "JSON：{uscc, period, lines:[...]}；或 text/csv（UTF-8，可带 BOM），表头 "
            "id_number,name,payable,paid,paid_on,hours，此时 uscc 与 period 在查询参数中。"
            "任一行有误则整份台账不保存，422 列出每一错误行"
            "（JSON 为 lines[序号]，从0起；CSV 为 line 文件行号，表头为第1行）。"
        ),
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["uscc", "period", "lines"],
                    "properties": {
                        "uscc": {"type": "string"},
                        "period": {"type": "string", "pattern": PERIOD_PATTERN},
                        "lines": {"type": "array", "items": _LINE_SCHEMA},
                    },
                }
            },
            "text/csv": {"schema": {"type": "string"}},
        },
    }
}


# Above this a keyed ledger's body is hashed in a worker thread (a million lines is ~60 MB).
_HASH_IN_THREAD = 1 << 20


@router.post(
    "/payrolls",
    summary="提交工资支付台账（JSON 或 CSV），重复提交同一所属期生成新版本",
    description="带 Idempotency-Key 重试时返回首次结果，不生成新版本。",
    status_code=201,
    response_model=LedgerOut,
    dependencies=[require_scopes("wages:write")],
    openapi_extra=_LEDGER_BODY,
)
async def submit_ledger(
    request: Request,
    session: SessionDep,
    identity: IdentityDep,
    settings: SettingsDep,
    hooks: HooksDep,
    once: OnceDep,
    uscc: Annotated[str | None, Query(description="CSV 提交时：统一社会信用代码")] = None,
    period: Annotated[str | None, Query(description="CSV 提交时：工资所属期 YYYY-MM")] = None,
) -> JSONResponse:
    body = await request.body()
    content_type = request.headers.get("content-type")
    digest = None
    if once.key is not None:
        # The body as it came, with what else tells the ledger: its media type and the CSV's query.
        parts = (content_type, uscc, period, body)
        digest = (
            await asyncio.to_thread(raw_request_hash, *parts)
            if len(body) > _HASH_IN_THREAD
            else raw_request_hash(*parts)
        )

    async def submit() -> tuple[int, LedgerOut]:
        ledger = await service.submit_ledger(
            session,
            identity,
            body,
            content_type=content_type,
            query_uscc=uscc,
            query_period=period,
            settings=settings,
            hooks=hooks,
            today=china_today(),
        )
        return 201, ledger

    return await once.answer(submit, digest=digest)


@router.get("/payrolls", summary="工资支付台账列表（含各版本）", dependencies=[require_scopes(*_READERS)])
async def list_ledgers(
    session: SessionDep,
    page: PageParamsDep,
    uscc: Annotated[USCC | None, Query(description="统一社会信用代码")] = None,
    period: Annotated[str | None, Query(pattern=PERIOD_PATTERN, description="工资所属期 YYYY-MM")] = None,
    current: Annotated[bool, Query(description="仅列出当前版本")] = False,
) -> Page[LedgerOut]:
    return await service.list_ledgers(session, page, uscc=uscc, period=period, current_only=current)


@router.get(
    "/payrolls/{ledger_id}/lines",
    summary="工资支付台账明细（身份证号脱敏）",
    dependencies=[require_scopes(*_READERS)],
)
async def ledger_lines(ledger_id: str, session: SessionDep, page: PageParamsDep) -> Page[LedgerLineOut]:
    return await service.ledger_lines(session, ledger_id, page)


@router.post(
    "/payments",
    summary="银行代发工资确认（按农民工工资专用账户）",
    status_code=201,
    response_model=PaymentsReceived,
    responses={200: {"description": "全部为此前已收到的流水，未新增记录", "model": PaymentsReceived}},
    dependencies=[require_scopes("wages:write")],
)
async def receive_payments(
    payload: PaymentsIn,
    session: SessionDep,
    identity: IdentityDep,
    once: OnceDep,
) -> JSONResponse:
    return await once.answer(
        lambda: service.receive_payments(session, identity, payload, today=china_today()),
        payload=payload.model_dump(mode="json"),
    )


@router.post(
    "/employers/{uscc}/labour-cost-transfers",
    summary="登记建设单位人工费用拨付（至农民工工资专用账户）",
    status_code=201,
    response_model=TransferOut,
    responses={200: {"description": "该银行流水号此前已收到", "model": TransferOut}},
    dependencies=[require_scopes("wages:write")],
)
async def record_transfer(
    uscc: UsccPath, payload: TransferIn, session: SessionDep, once: OnceDep
) -> JSONResponse:
    return await once.answer(
        lambda: service.record_transfer(session, uscc, payload, today=china_today()),
        payload={"uscc": uscc, **payload.model_dump(mode="json")},
    )
