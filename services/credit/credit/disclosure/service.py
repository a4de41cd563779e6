"""令29 quarterly publication: a draft batch of the quarter's major violations, then publishing
it. A disclosure row holds only what 令29 lets the bureau publish."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from credit.config import CreditSettings
from credit.disclosure import repository, rules
from credit.disclosure.models import Disclosure, DisclosureBatch
from credit.disclosure.schemas import BatchOut, DisclosureOut, PublicDisclosure
from shared.auth import Identity
from shared.errors import Conflict, FieldError, NotFound, ValidationFailed
from shared.ids import new_uuid
from shared.pagination import Page, PageParams, encode_cursor
from shared.timeutil import china_today, now_utc

DRAFT = "draft"
PUBLISHED = "published"
# The [M] settings the selection rests on (domain.md §4.4: "数额较大", "情节严重").
UNVERIFIED = ["disclosure_wage_amount", "disclosure_serious_amount"]


def quarter(period: str) -> tuple[date, date]:
    year, q = int(period[:4]), int(period[5])
    start = date(year, 3 * q - 2, 1)
    end = date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)
    return start, end - timedelta(days=1)


def _legal_representative(rows: Sequence[Any], employer_id: str, on: date) -> str | None:
    """The 法定代表人 in office on ``on``; else the current one; else the latest recorded."""
    mine = [r for r in rows if r.employer_id == employer_id]
    for r in mine:
        if (r.valid_from is None or r.valid_from <= on) and (r.valid_to is None or on < r.valid_to):
            return str(r.name)
    current = [r for r in mine if r.valid_to is None]
    if current:
        return str(current[-1].name)
    return str(mine[-1].name) if mine else None


def _out(d: Disclosure) -> DisclosureOut:
    return DisclosureOut(
        id=d.id,
        violation_id=d.violation_id,
        category=d.category,
        category_label=rules.CATEGORY_LABELS.get(d.category, d.category),
        unit_name=d.unit_name,
        uscc=d.uscc,
        address=d.address,
        legal_representative=d.legal_representative,
        facts=d.facts,
        outcome=d.outcome,
    )


def _batch_out(batch: DisclosureBatch, items: Sequence[Disclosure]) -> BatchOut:
    return BatchOut(
        id=batch.id,
        period=batch.period,
        status=batch.status,
        published_on=batch.published_on,
        created_by=batch.created_by,
        created_at=batch.created_at,
        unverified_rules=UNVERIFIED,
        items=[_out(d) for d in items],
    )


async def create_batch(
    session: AsyncSession, identity: Identity, period: str, *, settings: CreditSettings
) -> BatchOut:
    start, end = quarter(period)
    if end >= china_today():
        raise ValidationFailed(
            [FieldError("period", "period_not_ended", f"{period} 尚未结束，季度结束后方可编制公布批次")]
        )
    existing = await repository.batch_of_period(session, period)
    if existing is not None:
        raise Conflict(f"{period} 的公布批次已存在", code="batch_exists", extra={"batch_id": existing.id})
    batch = DisclosureBatch(
        id=new_uuid(), period=period, status=DRAFT, created_by=identity.client_id, created_at=now_utc()
    )
    session.add(batch)
    await session.flush()  # before its rows: no relationship() tells the unit of work the order
    violations = await repository.decided_violations(session, start, end)
    chosen = [(v, s, c) for v, s in violations if (c := rules.category(v, settings)) is not None]
    representatives = await repository.legal_representatives(session, [s.id for _, s, _ in chosen])
    items: list[Disclosure] = []
    for violation, subject, category in chosen:
        item = Disclosure(
            id=new_uuid(),
            batch_id=batch.id,
            subject_id=subject.id,
            violation_id=violation.id,
            category=category,
            unit_name=subject.name,
            uscc=subject.uscc,
            address=subject.address,
            legal_representative=_legal_representative(representatives, subject.id, violation.decided_on),
            facts=rules.facts(violation),
            outcome=rules.outcome(violation),
        )
        session.add(item)
        items.append(item)
    try:
        await session.flush()
    except IntegrityError as exc:
        # A concurrent request built the same period first: the unique index decides.
        raise Conflict(f"{period} 的公布批次已存在", code="batch_exists") from exc
    return _batch_out(batch, sorted(items, key=lambda d: (d.category, d.id)))


async def get_batch(session: AsyncSession, batch_id: str) -> BatchOut:
    batch = await repository.get_batch(session, batch_id)
    if batch is None:
        raise NotFound(f"公布批次不存在：{batch_id}", code="batch_not_found")
    return _batch_out(batch, await repository.disclosures_of(session, batch.id))


async def publish_batch(session: AsyncSession, batch_id: str) -> BatchOut:
    batch = await repository.get_batch(session, batch_id, for_update=True)
    if batch is None:
        raise NotFound(f"公布批次不存在：{batch_id}", code="batch_not_found")
    if batch.status != DRAFT:
        raise Conflict(f"{batch.period} 的公布批次已于 {batch.published_on} 公布", code="batch_published")
    batch.status = PUBLISHED
    batch.published_on = china_today()
    await session.flush()
    return _batch_out(batch, await repository.disclosures_of(session, batch.id))


def _cursor(after: list[Any] | None) -> tuple[str, str] | None:
    if after is None:
        return None
    if len(after) != 2 or not all(isinstance(x, str) for x in after):
        raise ValidationFailed([FieldError("query.cursor", "cursor_invalid", "分页游标无效")])
    return str(after[0]), str(after[1])


async def public_disclosures(session: AsyncSession, page: PageParams) -> Page[PublicDisclosure]:
    rows = await repository.published(session, limit=page.limit + 1, after=_cursor(page.after))
    items = [
        PublicDisclosure(
            period=b.period,
            published_on=b.published_on,
            category=d.category,
            category_label=rules.CATEGORY_LABELS.get(d.category, d.category),
            unit_name=d.unit_name,
            uscc=d.uscc,
            address=d.address,
            legal_representative=d.legal_representative,
            facts=d.facts,
            outcome=d.outcome,
        )
        for d, b in rows[: page.limit]
    ]
    next_cursor = None
    if len(rows) > page.limit:
        last_d, last_b = rows[page.limit - 1]
        next_cursor = encode_cursor([last_b.period, last_d.id])
    return Page[PublicDisclosure](items=items, next_cursor=next_cursor)
