"""Inspection rules: what a record must satisfy beyond its types, idempotent recording,
listing, and the summary figures of domain.md §11."""

from __future__ import annotations

import unicodedata
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from complaints.case import intake
from complaints.case import views as case_views
from complaints.case.deadlines import Clock
from complaints.case.intake import normalise_employer_name
from complaints.case.schemas import CaseCreate, CaseOut
from complaints.idempotency import IdempotencyRecord
from complaints.inspection import repository
from complaints.inspection.models import Inspection, InspectionFinding
from complaints.inspection.repository import COUNT_COLUMNS, MONEY_COLUMNS, Filters
from complaints.inspection.schemas import (
    INSPECTION_KINDS,
    CampaignFigures,
    CourierFigures,
    EmployerOut,
    Figures,
    FindingOut,
    InspectionCreate,
    InspectionOut,
    InspectionSummary,
    ResultFigures,
    Results,
)
from shared import idempotency
from shared.auth import Identity
from shared.db import utcnow
from shared.errors import Conflict, FieldError, NotFound, ValidationFailed
from shared.ids import new_uuid
from shared.pagination import Page, PageParams, encode_cursor
from shared.reporting import COURIER_INDUSTRY_CODE, yuan
from shared.timeutil import china_today, now_utc

# Result amounts that are reported together with the number of workers they concern.
_AMOUNT_WITH_WORKERS: tuple[tuple[str, str, str], ...] = (
    ("wages_ordered", "wages_ordered_workers", "责令支付工资"),
    ("social_insurance_ordered", "social_insurance_ordered_workers", "责令补缴社会保险费"),
)


class InspectionNotFound(NotFound):
    code, title = "inspection_not_found", "检查记录不存在"


def validate_inspection(payload: InspectionCreate, *, today: date) -> list[FieldError]:
    errors: list[FieldError] = []
    if payload.kind == "special_campaign" and payload.campaign is None:
        errors.append(FieldError("campaign", "campaign_required", "专项检查须填写专项行动名称"))
    elif payload.kind != "special_campaign" and payload.campaign is not None:
        errors.append(FieldError("campaign", "campaign_not_allowed", "只有专项检查可以填写专项行动名称"))
    if payload.inspected_on > today:
        errors.append(FieldError("inspected_on", "date_in_future", "检查日期不能晚于今天"))
    # Inspectors deployed are counted per inspection: a name twice would count twice.
    seen: set[str] = set()
    for index, inspector in enumerate(payload.inspectors):
        folded = unicodedata.normalize("NFKC", inspector).casefold()
        if folded in seen:
            errors.append(FieldError(f"inspectors[{index}]", "inspector_duplicate", "检查人员重复"))
        seen.add(folded)
    results = payload.results
    for amount_field, workers_field, label in _AMOUNT_WITH_WORKERS:
        amount: Decimal = getattr(results, amount_field)
        workers: int = getattr(results, workers_field)
        if amount > 0 and workers == 0:
            errors.append(
                FieldError(
                    f"results.{workers_field}", "workers_required", f"{label}金额不为0时须填写涉及劳动者人数"
                )
            )
        elif workers > 0 and amount == 0:
            errors.append(
                FieldError(f"results.{amount_field}", "amount_required", f"填写了{label}涉及人数时须填写金额")
            )
    if results.fines > 0 and results.penalties == 0:
        errors.append(FieldError("results.penalties", "penalties_required", "有罚款时行政处罚件数不能为0"))
    return errors


def inspection_out(inspection: Inspection) -> InspectionOut:
    return InspectionOut(
        id=inspection.id,
        kind=inspection.kind,
        campaign=inspection.campaign,
        employer=EmployerOut(
            name=inspection.employer_name,
            uscc=inspection.employer_uscc,
            address=inspection.employer_address,
            district_code=inspection.district_code,
            industry_code=inspection.industry_code,
        ),
        inspected_on=inspection.inspected_on,
        inspectors=list(inspection.inspectors),
        headcount=inspection.headcount,
        findings=[FindingOut.model_validate(finding) for finding in inspection.findings],
        results=Results.model_validate({name: getattr(inspection, name) for name in Results.model_fields}),
        recorded_by=inspection.recorded_by,
        created_at=inspection.created_at,
    )


async def create_inspection(
    session: AsyncSession,
    identity: Identity,
    payload: InspectionCreate,
    *,
    idempotency_key: str | None,
) -> tuple[int, Any]:
    """Record an inspection; the status and JSON body to answer (the first ones on a replay)."""
    errors = validate_inspection(payload, today=china_today())
    if errors:
        raise ValidationFailed(errors)
    claim = None
    if idempotency_key is not None:
        claim, replay = await idempotency.begin(
            session,
            IdempotencyRecord,
            client_id=identity.client_id,
            key=idempotency_key,
            payload=payload.model_dump(mode="json"),
        )
        if replay is not None:
            return replay
    employer = payload.employer
    inspection = Inspection(
        id=new_uuid(),
        kind=payload.kind,
        campaign=payload.campaign,
        inspected_on=payload.inspected_on,
        employer_name=employer.name,
        # Folded as cases fold it, so an employer without a USCC is one employer across
        # inspections and cases.
        employer_name_norm=normalise_employer_name(employer.name) or employer.name,
        employer_uscc=employer.uscc,
        employer_address=employer.address,
        district_code=employer.district_code,
        industry_code=employer.industry_code,
        inspectors=list(payload.inspectors),
        inspector_count=len(payload.inspectors),
        headcount=payload.headcount,
        **payload.results.model_dump(),
        recorded_by=identity.client_id,
        created_at=utcnow(),
        findings=[
            InspectionFinding(
                position=position,
                issue=finding.issue,
                description=finding.description,
                workers_affected=finding.workers_affected,
                amount=finding.amount,
            )
            for position, finding in enumerate(payload.findings)
        ],
    )
    repository.add(session, inspection)
    await session.flush()
    body = inspection_out(inspection).model_dump(mode="json")
    if claim is not None:
        idempotency.complete(claim, 201, body)
    return 201, body


async def get_inspection(session: AsyncSession, inspection_id: str) -> Inspection:
    inspection = await repository.get(session, inspection_id)
    if inspection is None:
        raise InspectionNotFound(f"检查记录 {inspection_id} 不存在")
    return inspection


def _check_range(inspected_from: date | None, inspected_to: date | None) -> None:
    if inspected_from is not None and inspected_to is not None and inspected_from > inspected_to:
        raise ValidationFailed([FieldError("query.to", "date_range_invalid", "结束日期不能早于开始日期")])


def _cursor_key(after: list[object] | None) -> tuple[date, str] | None:
    if after is None:
        return None
    try:
        inspected_on, inspection_id = after
        return date.fromisoformat(str(inspected_on)), str(inspection_id)
    except (TypeError, ValueError) as exc:
        raise ValidationFailed([FieldError("query.cursor", "cursor_invalid", "分页游标无效")]) from exc


async def list_inspections(session: AsyncSession, page: PageParams, filters: Filters) -> Page[InspectionOut]:
    _check_range(filters.inspected_from, filters.inspected_to)
    rows = await repository.list_inspections(
        session, filters, limit=page.limit + 1, after=_cursor_key(page.after)
    )
    items = [inspection_out(row) for row in rows[: page.limit]]
    next_cursor = None
    if len(rows) > page.limit:
        last = rows[page.limit - 1]
        next_cursor = encode_cursor([last.inspected_on.isoformat(), last.id])
    return Page[InspectionOut](items=items, next_cursor=next_cursor)


def _figures(row: dict[str, Any] | None) -> Figures:
    def value(name: str) -> int:
        return 0 if row is None or row[name] is None else int(row[name])

    return Figures(
        inspections=value("inspections"),
        employers=value("employers"),
        workers_covered=value("workers_covered"),
        courier=CourierFigures(
            inspections=value("courier_inspections"),
            employers=value("courier_employers"),
            workers_covered=value("courier_workers_covered"),
        ),
        inspectors_deployed=value("inspectors_deployed"),
        results=ResultFigures.model_validate(
            {name: value(name) for name in COUNT_COLUMNS}
            | {name: yuan(value(f"{name}_fen")) for name in MONEY_COLUMNS}
        ),
    )


async def summarise(
    session: AsyncSession,
    *,
    inspected_from: date | None,
    inspected_to: date | None,
    district_code: str | None,
) -> InspectionSummary:
    _check_range(inspected_from, inspected_to)
    filters = Filters(district_code=district_code, inspected_from=inspected_from, inspected_to=inspected_to)
    rows = await repository.summary_rows(session, filters)
    per_kind = {row["kind"]: row for row in rows["by_kind"]}
    campaigns = [
        CampaignFigures(campaign=str(row["campaign"]), **_figures(row).model_dump())
        for row in rows["by_campaign"]
    ]
    return InspectionSummary(
        from_=inspected_from,
        to=inspected_to,
        district_code=district_code,
        courier_industry_code=COURIER_INDUSTRY_CODE,
        total=_figures(rows["total"][0]),
        by_kind={kind: _figures(per_kind.get(kind)) for kind in INSPECTION_KINDS},
        campaigns=campaigns,
    )


_KIND_LABELS = {"routine_patrol": "日常巡查", "special_campaign": "专项检查", "annual_review": "年审"}


async def open_case_from_finding(
    session: AsyncSession, identity: Identity, inspection: Inspection, finding_id: int, *, clock: Clock
) -> CaseOut:
    """A violation found on inspection becomes a case (条例 art. 14: 及时立案), linked both ways."""
    finding = await repository.get_finding(session, inspection.id, finding_id)
    if finding is None:
        raise NotFound(f"检查记录 {inspection.id} 中没有发现事项 {finding_id}", code="finding_not_found")
    if finding.case_id is not None:
        raise Conflict("该发现事项已立案", code="finding_case_exists", extra={"case_id": finding.case_id})
    payload = CaseCreate.model_validate(
        {
            "kind": "report",
            "channel": "inspection",
            "anonymous": True,
            "received_at": now_utc(),
            "employer": {
                "name": inspection.employer_name,
                "uscc": inspection.employer_uscc,
                "address": inspection.employer_address,
                "district_code": inspection.district_code,
                "industry_code": inspection.industry_code,
            },
            "issues": [finding.issue],
            "workers_affected": finding.workers_affected or None,
            "amount_claimed": finding.amount,
            "occurred_on": inspection.inspected_on,
            "description": f"{_KIND_LABELS.get(inspection.kind, inspection.kind)}发现：{finding.description}",
            "external_ref": {"system": "inspection", "id": inspection.id},
        }
    )
    case = await intake.file_case(session, identity, payload, clock=clock)
    finding.case_id = case.id
    await session.flush()
    return case_views.case_out(case, identity, china_today())
