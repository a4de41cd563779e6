"""The records behind each figure, keyset-paginated, so an officer can check any number:
the listed rows add up to the figure (employers are listed once each)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final, cast

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.case.models import Case, CasePayment
from complaints.report import repository
from complaints.report.repository import (
    ASSIGNED_CHANNELS,
    CASE_SOURCE,
    COMPLAINANT_CHANNELS,
    HOTLINE_CHANNELS,
    counted_cases,
    touched,
)
from complaints.report.schemas import FigureName, RecordItem
from shared.errors import FieldError, ValidationFailed
from shared.masking import mask_id_number, mask_name
from shared.money import format_money
from shared.pagination import Page, PageParams, encode_cursor
from shared.reporting import COURIER_INDUSTRY_CODE, Scope, in_district

_CHANNELS: Final[dict[FigureName, tuple[str, ...]]] = {
    "assigned_transferred_petition": ASSIGNED_CHANNELS,
    "complaints_and_reports": COMPLAINANT_CHANNELS,
    "hotline_calls": HOTLINE_CHANNELS,
}
_PAYMENT_KINDS: Final[dict[FigureName, str]] = {
    "wages_recovered": "wages",
    "compensation_recovered": "compensation",
    "deposits_refunded": "deposit_refund",
    "social_insurance_backpaid": "social_insurance",
}
_INSPECTION_KINDS: Final[dict[FigureName, str]] = {
    "routine_patrols": "routine_patrol",
    "special_campaigns": "special_campaign",
    "annual_reviews": "annual_review",
}


def _after(columns: Sequence[Any], values: Sequence[Any]) -> ColumnElement[bool]:
    """``(a, b) > (x, y)`` spelled out, for both databases."""
    first, *rest = columns
    if not rest:
        return cast(ColumnElement[bool], first > values[0])
    return or_(first > values[0], and_(first == values[0], _after(rest, values[1:])))


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return format_money(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _cursor(
    after: list[Any] | None, size: int, parse: Callable[[list[Any]], list[Any]] | None
) -> list[Any] | None:
    if after is None:
        return None
    try:
        if len(after) != size:
            raise ValueError("cursor size")
        return parse(after) if parse is not None else after
    except (TypeError, ValueError) as exc:
        raise ValidationFailed([FieldError("query.cursor", "cursor_invalid", "分页游标无效")]) from exc


async def _page(
    session: AsyncSession,
    query: Select[*tuple[Any, ...]],
    order: Sequence[Any],
    page: PageParams,
    key: Sequence[str],
    parse: Callable[[list[Any]], list[Any]] | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    after = _cursor(page.after, len(order), parse)
    if after is not None:
        query = query.where(_after(order, after))
    rows = [dict(r) for r in (await session.execute(query.order_by(*order).limit(page.limit + 1))).mappings()]
    next_cursor = None
    if len(rows) > page.limit:
        rows = rows[: page.limit]
        next_cursor = encode_cursor([_plain(rows[-1][k]) for k in key])
    return rows, next_cursor


async def _employers(
    session: AsyncSession, scope: Scope, page: PageParams, courier: bool
) -> tuple[list[dict[str, Any]], str | None]:
    rows = touched(scope)
    from_cases = rows.c.source == CASE_SOURCE
    query = (
        select(
            rows.c.employer_key,
            func.max(rows.c.employer_name).label("employer_name"),
            func.max(rows.c.uscc).label("uscc"),
            func.max(rows.c.courier).label("courier"),
            func.count(rows.c.record_id).label("records"),
            func.sum(case((from_cases, 1), else_=0)).label("cases"),
            func.sum(rows.c.workers).label("workers"),
        )
        .where(rows.c.employer_key.is_not(None), *([rows.c.courier == 1] if courier else []))
        .group_by(rows.c.employer_key)
    )
    items, cursor = await _page(session, query, [rows.c.employer_key], page, ["employer_key"])
    for item in items:
        item["inspections"] = int(item.pop("records")) - int(item["cases"])
    return items, cursor


async def _sources(
    session: AsyncSession, scope: Scope, page: PageParams, courier: bool, kind: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    rows = touched(scope)
    conditions: list[ColumnElement[bool]] = []
    if kind is not None:
        conditions.append(rows.c.source == kind)
    if courier:
        conditions.append(rows.c.courier == 1)
    query = select(rows).where(*conditions)
    return await _page(session, query, [rows.c.source, rows.c.record_id], page, ["source", "record_id"])


async def _cases(
    session: AsyncSession, scope: Scope, page: PageParams, courier: bool, channels: tuple[str, ...]
) -> tuple[list[dict[str, Any]], str | None]:
    query = select(
        Case.id,
        Case.case_no,
        Case.kind,
        Case.channel,
        Case.status,
        Case.received_at,
        Case.employer_name,
        Case.employer_uscc.label("uscc"),
        Case.district_code,
        Case.industry_code,
        Case.workers_affected,
    ).where(*counted_cases(scope), Case.channel.in_(channels))
    if courier:
        query = query.where(Case.industry_code == COURIER_INDUSTRY_CODE)
    return await _page(
        session,
        query,
        [Case.received_at, Case.id],
        page,
        ["received_at", "id"],
        lambda after: [datetime.fromisoformat(str(after[0])), str(after[1])],
    )


async def _payments(
    session: AsyncSession, scope: Scope, page: PageParams, courier: bool, kind: str
) -> tuple[list[dict[str, Any]], str | None]:
    query = (
        select(
            CasePayment.id,
            CasePayment.case_id,
            Case.case_no,
            CasePayment.worker_name,
            CasePayment.worker_id_number,
            CasePayment.kind,
            CasePayment.amount,
            CasePayment.paid_on,
            Case.industry_code,
        )
        .join(Case, Case.id == CasePayment.case_id)
        .where(
            CasePayment.kind == kind,
            CasePayment.paid_on >= scope.date_from,
            CasePayment.paid_on <= scope.date_to,
            in_district(Case.district_code, scope.district_code),
        )
    )
    if courier:
        query = query.where(Case.industry_code == COURIER_INDUSTRY_CODE)
    items, cursor = await _page(session, query, [CasePayment.id], page, ["id"], lambda a: [int(a[0])])
    for item in items:
        # Reports readers never see a worker's full identity; cases:manage reads the case.
        item["worker_name"] = mask_name(item["worker_name"])
        item["worker_id_number"] = mask_id_number(item["worker_id_number"])
    return items, cursor


async def _penalties(
    session: AsyncSession, scope: Scope, page: PageParams, courier: bool
) -> tuple[list[dict[str, Any]], str | None]:
    rows = repository.penalised(scope)
    query = select(rows).where(*([rows.c.courier == 1] if courier else []))
    return await _page(session, query, [rows.c.source, rows.c.record_id], page, ["source", "record_id"])


async def list_records(
    session: AsyncSession, scope: Scope, figure: FigureName, page: PageParams, *, courier: bool
) -> Page[RecordItem]:
    if figure == "employers_inspected":
        items, cursor = await _employers(session, scope, page, courier)
    elif figure == "workers_covered":
        items, cursor = await _sources(session, scope, page, courier, None)
    elif figure in _INSPECTION_KINDS:
        items, cursor = await _sources(session, scope, page, courier, _INSPECTION_KINDS[figure])
    elif figure in _CHANNELS:
        items, cursor = await _cases(session, scope, page, courier, _CHANNELS[figure])
    elif figure in _PAYMENT_KINDS:
        items, cursor = await _payments(session, scope, page, courier, _PAYMENT_KINDS[figure])
    else:
        items, cursor = await _penalties(session, scope, page, courier)
    for item in items:
        if "courier" in item:
            item["courier"] = bool(item["courier"])
    return Page[RecordItem](
        items=[{k: _plain(v) for k, v in item.items()} for item in items], next_cursor=cursor
    )
