"""GeoReport v2 requests: each POST becomes a case (a 举报, report) in the complaints service
through the same durable filing as 12345 tickets; reads come from the gateway's mirror."""

from __future__ import annotations

import math
import re
import urllib.parse
from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Final

import orjson
from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.hotline import filings, repository
from gateway.hotline.links import HotlineLinks
from gateway.hotline.models import CaseFiling
from gateway.open311 import catalogue, status
from gateway.open311.models import Open311IdempotencyRecord, Open311Request
from gateway.open311.render import Open311Error
from shared import idempotency
from shared.auth import Identity
from shared.errors import AppError
from shared.identifiers import IdentifierError, validate_phone
from shared.ids import new_uuid
from shared.masking import redact_text
from shared.money import MoneyError, format_money, to_money
from shared.timeutil import CHINA_TZ, now_utc

SOURCE: Final = status.SYSTEM
_OFFSET_SPACE: Final = re.compile(r" (\d{2}:?\d{2})$")
DEFAULT_WINDOW: Final = timedelta(days=90)
MAX_PAGE_SIZE: Final = 500
NOTICE: Final = "已收到，将登记为劳动保障监察案件；可凭 service_request_id 查询办理状态和案件编号"
_LIMITS: Final = {
    "description": 4000,
    "address_string": 300,
    "address_id": 64,
    "media_url": 500,
    "account_id": 64,
    "first_name": 50,
    "last_name": 50,
    "attribute[employer_name]": 200,
    "attribute[employer_address]": 300,
}


def parse_body(raw: bytes, content_type: str) -> dict[str, str]:
    """Form-encoded (the GeoReport norm) or JSON, flattened to ``name -> value``; an attribute
    is ``attribute[code]`` either way."""
    media = content_type.split(";")[0].strip().lower()
    if media == "application/json":
        try:
            document = orjson.loads(raw or b"{}")
        except orjson.JSONDecodeError:
            raise Open311Error(400, "请求体不是有效的 JSON") from None
        if not isinstance(document, dict):
            raise Open311Error(400, "请求体应为 JSON 对象")
        flat: dict[str, str] = {}
        for key, value in document.items():
            if key == "attribute" and isinstance(value, dict):
                flat.update({f"attribute[{k}]": str(v) for k, v in value.items() if v is not None})
            elif value is not None:
                flat[str(key)] = str(value)
        return flat
    if media in ("application/x-www-form-urlencoded", ""):
        try:
            pairs = urllib.parse.parse_qsl(raw.decode("utf-8"), keep_blank_values=False, strict_parsing=False)
        except UnicodeDecodeError:
            raise Open311Error(400, "表单内容应为 UTF-8 编码") from None
        form: dict[str, str] = {}
        for key, value in pairs:
            form.setdefault(key, value)  # the first of repeated fields counts
        return form
    raise Open311Error(415, f"不支持的内容类型：{media}，请使用 application/x-www-form-urlencoded 或 JSON")


def check_jurisdiction(links: HotlineLinks, params: Mapping[str, str]) -> None:
    given = params.get("jurisdiction_id")
    if given and given != links.settings.open311_jurisdiction_id:
        raise Open311Error(
            404, f"jurisdiction_id 不存在：{given}（本接口为 {links.settings.open311_jurisdiction_id}）"
        )


def service_of(code: str | None) -> catalogue.Service:
    service = catalogue.BY_CODE.get(code or "")
    if service is None:
        raise Open311Error(404, f"service_code 不存在：{code}")
    return service


def _float(params: Mapping[str, str], name: str, bound: float) -> float | None:
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = float(raw)
    except ValueError:
        raise Open311Error(400, f"{name} 应为数字") from None
    if not math.isfinite(value) or abs(value) > bound:
        raise Open311Error(400, f"{name} 超出范围")
    return value


def _checked(params: Mapping[str, str], service: catalogue.Service) -> dict[str, Any]:
    for name, limit in _LIMITS.items():
        if len(params.get(name, "")) > limit:
            raise Open311Error(400, f"{name} 过长（限制 {limit} 个字符）")
    for attribute in catalogue.ATTRIBUTES:
        if catalogue.attribute_required(service, attribute) and not params.get(
            f"attribute[{attribute.code}]"
        ):
            raise Open311Error(400, f"缺少必填属性 attribute[{attribute.code}]（{attribute.description}）")
    lat, long = _float(params, "lat", 90), _float(params, "long", 180)
    if (lat is None) != (long is None):
        raise Open311Error(400, "lat 和 long 须同时提供")
    if lat is None and not params.get("address_string") and not params.get("address_id"):
        raise Open311Error(400, "须提供位置：lat/long、address_string 或 address_id 之一")
    amount: Decimal | None = None
    if params.get("attribute[amount]"):
        try:
            amount = to_money(params["attribute[amount]"])
        except MoneyError:
            raise Open311Error(400, "attribute[amount] 应为以元为单位的金额，如 3600.00") from None
    workers: int | None = None
    if params.get("attribute[workers]"):
        try:
            number = Decimal(params["attribute[workers]"])
            whole = number == number.to_integral_value() and 1 <= number <= 1_000_000
        except ArithmeticError:  # not a number at all (NaN compares by raising)
            whole = False
        if not whole:
            raise Open311Error(400, "attribute[workers] 应为正整数")
        workers = int(number)
    phone = None
    if params.get("phone"):
        try:
            phone = validate_phone(params["phone"])
        except IdentifierError as exc:
            raise Open311Error(400, f"phone：{exc.message}") from None
    # Chinese order: family name first.
    full_name = (params.get("last_name", "") + params.get("first_name", "")).strip() or None
    return {"lat": lat, "long": long, "amount": amount, "workers": workers, "phone": phone, "name": full_name}


def _case_body(
    request_id: str, service: catalogue.Service, params: Mapping[str, str], checked: dict[str, Any]
) -> dict[str, Any]:
    where = params.get("address_string") or (
        f"{checked['lat']},{checked['long']}" if checked["lat"] is not None else params.get("address_id", "")
    )
    lines = [
        f"【Open311服务请求 {request_id}（{service.name}）】",
        params.get("description", ""),
        f"（位置：{where}）",
    ]
    if params.get("media_url"):
        lines.append(f"（附件：{params['media_url']}）")
    person = {k: v for k, v in (("name", checked["name"]), ("phone", checked["phone"])) if v}
    # Open311 carries no identity document, so the matter is filed as a 举报 (report).
    body: dict[str, Any] = {
        "kind": "report",
        "channel": "mobile_app",
        "received_at": now_utc().isoformat(),
        "employer": {
            "name": params["attribute[employer_name]"],
            **(
                {"address": params["attribute[employer_address]"]}
                if params.get("attribute[employer_address]")
                else {}
            ),
        },
        "issues": [service.code],
        "description": "\n".join(line for line in lines if line),
        "external_ref": {"system": SOURCE, "id": request_id},
    }
    if person:
        body["complainant"] = person
    else:
        body["anonymous"] = True
    if checked["workers"] is not None:
        body["workers_affected"] = checked["workers"]
    if checked["amount"] is not None:
        body["amount_claimed"] = format_money(checked["amount"])
    return body


async def create(
    links: HotlineLinks, identity: Identity, params: Mapping[str, str], idempotency_key: str | None
) -> list[dict[str, Any]]:
    service = service_of(params.get("service_code"))
    checked = _checked(params, service)
    now = now_utc()
    async with links.sessionmaker() as session, session.begin():
        record = None
        if idempotency_key is not None:
            try:
                record, replay = await idempotency.begin(
                    session,
                    Open311IdempotencyRecord,
                    client_id=identity.client_id,
                    key=idempotency_key,
                    payload={k: v for k, v in params.items() if k != "api_key"},
                )
            except AppError as exc:
                raise Open311Error(exc.status if exc.status != 422 else 400, exc.detail) from None
            if replay is not None:
                stored: list[dict[str, Any]] = replay[1]
                return stored
        row = Open311Request(
            id=new_uuid(),
            token=new_uuid(),
            client_id=identity.client_id,
            service_code=service.code,
            description=params.get("description", ""),
            address=params.get("address_string") or None,
            address_id=params.get("address_id") or None,
            lat=checked["lat"],
            long=checked["long"],
            media_url=params.get("media_url") or None,
            account_id=params.get("account_id") or None,
            requested_at=now,
            updated_at=now,
        )
        session.add(row)
        filing = filings.add(
            session,
            links,
            source=SOURCE,
            source_id=row.id,
            payload=_case_body(row.id, service, params, checked),
        )
        answer = [
            {
                "service_request_id": row.id,
                "service_notice": NOTICE,
                "account_id": row.account_id,
                "token": row.token,
            }
        ]
        if record is not None:
            idempotency.complete(record, 201, answer)
        await session.flush()
    await filings.forward_now(links, filing)
    return answer


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(CHINA_TZ).isoformat() if moment else None


def entry(row: Open311Request, filing: CaseFiling | None) -> dict[str, Any]:
    service = catalogue.BY_CODE.get(row.service_code)
    case_no = filing.case_no if filing else None
    updated = max(row.updated_at, filing.delivered_at) if filing and filing.delivered_at else row.updated_at
    return {
        "service_request_id": row.id,
        "status": status.open_or_closed(row.case_status),
        "status_notes": status.status_notes(row.case_status, row.status_note, filed=case_no is not None),
        "service_name": service.name if service else row.service_code,
        "service_code": row.service_code,
        # Published to the filing app only, and still with ID and phone numbers masked.
        "description": redact_text(row.description),
        "agency_responsible": catalogue.AGENCY,
        "service_notice": f"案件编号 {case_no}" if case_no else NOTICE,
        "requested_datetime": _iso(row.requested_at),
        "updated_datetime": _iso(updated),
        "expected_datetime": None,
        "address": row.address,
        "address_id": row.address_id,
        "zipcode": None,
        "lat": row.lat,
        "long": row.long,
        "media_url": row.media_url,
    }


def _mine(identity: Identity) -> Any:
    # A filing app sees what it filed; inspectors see every request.
    return None if identity.has_scope("cases:manage") else Open311Request.client_id == identity.client_id


def _date(params: Mapping[str, str], name: str) -> datetime | None:
    raw = params.get(name)
    if not raw:
        return None
    try:
        # A "+" left unencoded in a query string arrives as a space.
        moment = datetime.fromisoformat(_OFFSET_SPACE.sub(r"+\1", raw.strip()))
    except ValueError:
        raise Open311Error(400, f"{name} 应为 W3C 日期时间，如 2026-11-27T09:30:00+08:00") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=CHINA_TZ)


def _int(params: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise Open311Error(400, f"{name} 应为整数") from None
    if not low <= value <= high:
        raise Open311Error(400, f"{name} 应在 {low} 至 {high} 之间")
    return value


def _split(params: Mapping[str, str], name: str) -> list[str]:
    return [part.strip() for part in params.get(name, "").split(",") if part.strip()]


async def search(
    session: AsyncSession, identity: Identity, params: Mapping[str, str]
) -> list[dict[str, Any]]:
    query = select(Open311Request).order_by(Open311Request.requested_at.desc(), Open311Request.id)
    mine = _mine(identity)
    if mine is not None:
        query = query.where(mine)
    ids = _split(params, "service_request_id")
    if ids:
        # The spec: with ids given, the other filters are ignored.
        query = query.where(Open311Request.id.in_(ids[:MAX_PAGE_SIZE]))
    else:
        start, end = _date(params, "start_date"), _date(params, "end_date")
        if start is None and end is None:
            start = now_utc() - DEFAULT_WINDOW
        if start is not None:
            query = query.where(Open311Request.requested_at >= start)
        if end is not None:
            query = query.where(Open311Request.requested_at <= end)
        codes = _split(params, "service_code")
        if codes:
            query = query.where(Open311Request.service_code.in_(codes))
        wanted = set(_split(params, "status"))
        if wanted - {"open", "closed"}:
            raise Open311Error(400, "status 只能是 open 或 closed（可逗号分隔）")
        closed = Open311Request.case_status.in_(sorted(status.CLOSED_STATES))
        if wanted == {"open"}:
            query = query.where(or_(Open311Request.case_status.is_(None), ~closed))
        elif wanted == {"closed"}:
            query = query.where(and_(Open311Request.case_status.is_not(None), closed))
        page_size = _int(params, "page_size", 50, 1, MAX_PAGE_SIZE)
        page = _int(params, "page", 1, 1, 1_000_000)
        query = query.limit(page_size).offset((page - 1) * page_size)
    rows = (await session.scalars(query)).all()
    found = await repository.filings_of(session, SOURCE, [r.id for r in rows])
    return [entry(r, found.get(r.id)) for r in rows]


async def get(session: AsyncSession, identity: Identity, request_id: str) -> list[dict[str, Any]]:
    row = await session.get(Open311Request, request_id)
    if row is None or (not identity.has_scope("cases:manage") and row.client_id != identity.client_id):
        raise Open311Error(404, f"服务请求不存在：{request_id}")
    return [entry(row, await repository.filing_of(session, SOURCE, row.id))]


async def by_token(session: AsyncSession, token: str) -> list[dict[str, Any]]:
    row = await session.scalar(select(Open311Request).where(Open311Request.token == token))
    if row is None:
        raise Open311Error(404, f"token 不存在：{token}")
    return [{"service_request_id": row.id, "token": row.token}]
