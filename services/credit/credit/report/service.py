"""The credit part of the yearly report, and the records behind each figure."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Final

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from credit.disclosure.models import Disclosure, DisclosureBatch
from credit.listing.models import Listing, ListingDecision
from credit.report import repository
from credit.report.schemas import (
    Blacklist,
    BlacklistCourier,
    CreditExplain,
    CreditFigures,
    CreditReport,
    DisclosureCourier,
    Disclosures,
    FigureName,
    RecordItem,
)
from credit.subject.models import Subject
from shared.errors import FieldError, ValidationFailed
from shared.pagination import Page, PageParams, encode_cursor
from shared.reporting import COURIER_INDUSTRY_CODE, Scope

RECORDS_PATH: Final = "/api/v1/credit/reports/records"
LABELS: Final[dict[FigureName, str]] = {
    "blacklist": "拖欠农民工工资失信联合惩戒对象名单（黑名单）",
    "major_violation_disclosures": "重大劳动保障违法行为社会公布",
}
COUNTED_AS: Final[dict[FigureName, str]] = {
    "blacklist": (
        "列入决定日期在统计期内的黑名单决定（件，单位及其责任人员同一决定计一件），以及单位列入信息"
        "公开日期在统计期内的决定（件）；区县和行业按被列入单位的登记信息。记录清单列出统计期内作出或公开的决定"
    ),
    "major_violation_disclosures": "公布日期在统计期内的季度公布批次中的重大劳动保障违法行为（条）",
}


def _head(figure: FigureName, scope: Scope, with_explain: bool) -> dict[str, Any]:
    if not with_explain:
        return {"label": LABELS[figure]}
    return {
        "label": LABELS[figure],
        "explain": CreditExplain(
            counted_as=COUNTED_AS[figure],
            records=f"{RECORDS_PATH}?{scope.query(figure=figure)}",
            courier_records=f"{RECORDS_PATH}?{scope.query(figure=figure, courier='true')}",
        ),
    }


async def annual_report(session: AsyncSession, scope: Scope, *, with_explain: bool) -> CreditReport:
    listed = await repository.blacklist_figures(session, scope)
    disclosed = await repository.disclosure_figures(session, scope)
    return CreditReport(
        from_=scope.date_from,
        to=scope.date_to,
        district_code=scope.district_code,
        courier_industry_code=COURIER_INDUSTRY_CODE,
        figures=CreditFigures(
            blacklist=Blacklist(
                **_head("blacklist", scope, with_explain),
                decisions=int(listed["decisions"]),
                published=int(listed["published"]),
                units=int(listed["units"]),
                persons=int(listed["persons"]),
                courier=BlacklistCourier(
                    decisions=int(listed["courier_decisions"]), published=int(listed["courier_published"])
                ),
            ),
            major_violation_disclosures=Disclosures(
                **_head("major_violation_disclosures", scope, with_explain),
                disclosures=int(disclosed["disclosures"]),
                units=int(disclosed["units"]),
                batches=int(disclosed["batches"]),
                courier=DisclosureCourier(disclosures=int(disclosed["courier_disclosures"])),
            ),
        ),
    )


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime | date) else value


def _query(figure: FigureName, scope: Scope) -> tuple[Select[*tuple[Any, ...]], Any]:
    unit = (Subject.name.label("unit_name"), Subject.uscc, Subject.district_code, Subject.industry_code)
    query: Select[*tuple[Any, ...]]
    if figure == "blacklist":
        query = (
            select(
                ListingDecision.id,
                ListingDecision.decision_no,
                ListingDecision.decided_on,
                Listing.published_on,
                Listing.status,
                *unit,
            )
            .join(Listing, Listing.decision_id == ListingDecision.id)
            .join(Subject, Subject.id == Listing.subject_id)
            .where(
                *repository.unit_listings(scope),
                or_(and_(*repository.decided_in(scope)), and_(*repository.published_in(scope))),
            )
        )
        return query, ListingDecision.id
    query = (
        select(
            Disclosure.id,
            DisclosureBatch.period,
            DisclosureBatch.published_on,
            Disclosure.category,
            *unit,
        )
        .join(DisclosureBatch, DisclosureBatch.id == Disclosure.batch_id)
        .join(Subject, Subject.id == Disclosure.subject_id)
        .where(*repository.disclosed_in(scope))
    )
    return query, Disclosure.id


async def list_records(
    session: AsyncSession, scope: Scope, figure: FigureName, page: PageParams, *, courier: bool
) -> Page[RecordItem]:
    query, key = _query(figure, scope)
    if courier:
        query = query.where(Subject.industry_code == COURIER_INDUSTRY_CODE)
    if page.after is not None:
        if len(page.after) != 1 or not isinstance(page.after[0], str):
            raise ValidationFailed([FieldError("query.cursor", "cursor_invalid", "分页游标无效")])
        query = query.where(key > page.after[0])
    rows = [dict(r) for r in (await session.execute(query.order_by(key).limit(page.limit + 1))).mappings()]
    next_cursor = None
    if len(rows) > page.limit:
        rows = rows[: page.limit]
        next_cursor = encode_cursor([rows[-1]["id"]])
    items = [{k: _plain(v) for k, v in row.items()} for row in rows]
    return Page[RecordItem](items=items, next_cursor=next_cursor)
