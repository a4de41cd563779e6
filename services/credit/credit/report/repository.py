"""The credit aggregates of the yearly report: one SQL aggregate per figure."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from credit.disclosure.models import Disclosure, DisclosureBatch
from credit.listing.models import Listing, ListingDecision
from credit.listing.workflow import BLACKLIST
from credit.subject.models import Subject
from shared.reporting import COURIER_INDUSTRY_CODE, Scope, in_district

UNIT = "unit"
PUBLISHED = "published"


def _courier() -> ColumnElement[bool]:
    return Subject.industry_code == COURIER_INDUSTRY_CODE


def unit_listings(scope: Scope) -> list[ColumnElement[bool]]:
    """Blacklist listings of units (one per decision), in the district asked for."""
    return [
        Listing.list_type == BLACKLIST,
        Listing.role == UNIT,
        in_district(Subject.district_code, scope.district_code),
    ]


def decided_in(scope: Scope) -> list[ColumnElement[bool]]:
    return [ListingDecision.decided_on >= scope.date_from, ListingDecision.decided_on <= scope.date_to]


def published_in(scope: Scope) -> list[ColumnElement[bool]]:
    return [Listing.published_on >= scope.date_from, Listing.published_on <= scope.date_to]


def disclosed_in(scope: Scope) -> list[ColumnElement[bool]]:
    return [
        DisclosureBatch.status == PUBLISHED,
        DisclosureBatch.published_on >= scope.date_from,
        DisclosureBatch.published_on <= scope.date_to,
        in_district(Subject.district_code, scope.district_code),
    ]


async def blacklist_figures(session: AsyncSession, scope: Scope) -> dict[str, Any]:
    courier = _courier()
    decided = (
        select(
            func.count(ListingDecision.id.distinct()).label("decisions"),
            func.count(Listing.subject_id.distinct()).label("units"),
            func.count(case((courier, ListingDecision.id)).distinct()).label("courier_decisions"),
        )
        .select_from(ListingDecision)
        .join(Listing, Listing.decision_id == ListingDecision.id)
        .join(Subject, Subject.id == Listing.subject_id)
        .where(*unit_listings(scope), *decided_in(scope))
    )
    decision_ids = (
        select(Listing.decision_id)
        .join(ListingDecision, ListingDecision.id == Listing.decision_id)
        .join(Subject, Subject.id == Listing.subject_id)
        .where(*unit_listings(scope), *decided_in(scope))
    )
    persons = select(func.count(Listing.id)).where(
        Listing.decision_id.in_(decision_ids), Listing.role != UNIT
    )
    published = (
        select(
            func.count(Listing.decision_id.distinct()).label("published"),
            func.count(case((courier, Listing.decision_id)).distinct()).label("courier_published"),
        )
        .join(Subject, Subject.id == Listing.subject_id)
        .where(*unit_listings(scope), *published_in(scope))
    )
    return {
        **(await session.execute(decided)).mappings().one(),
        "persons": int(await session.scalar(persons) or 0),
        **(await session.execute(published)).mappings().one(),
    }


async def disclosure_figures(session: AsyncSession, scope: Scope) -> dict[str, Any]:
    query = (
        select(
            func.count(Disclosure.id).label("disclosures"),
            func.count(Disclosure.subject_id.distinct()).label("units"),
            func.count(DisclosureBatch.id.distinct()).label("batches"),
            func.count(case((_courier(), Disclosure.id))).label("courier_disclosures"),
        )
        .select_from(Disclosure)
        .join(DisclosureBatch, DisclosureBatch.id == Disclosure.batch_id)
        .join(Subject, Subject.id == Disclosure.subject_id)
        .where(*disclosed_in(scope))
    )
    return dict((await session.execute(query)).mappings().one())
