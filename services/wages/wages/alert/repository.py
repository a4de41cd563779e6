"""Queries of the alert domain: no rules, no commit.

Alerts, case requests and processed events are inserted with ``INSERT ... ON CONFLICT DO
NOTHING`` (the dialect's own insert, PostgreSQL or SQLite): two replicas evaluating at once, or
an event delivered twice at once, end with one row, and neither fails.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Insert, and_, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from wages.alert.models import Alert, AlertEvent, CaseRequest, ProcessedEvent
from wages.employer.models import MonitoredEmployer


def _insert(session: AsyncSession, model: type[Any]) -> Any:
    """The dialect's INSERT, which knows ON CONFLICT (PostgreSQL and SQLite)."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(model)
    return sqlite.insert(model)


def _is_postgres(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


async def insert_alerts(session: AsyncSession, rows: Sequence[Mapping[str, Any]]) -> set[str]:
    """Insert the alerts whose ``dedupe_key`` is new; returns the keys actually inserted.

    Rows are sorted by key so that concurrent evaluations take the unique-index locks in the
    same order (no deadlock on PostgreSQL)."""
    if not rows:
        return set()
    ordered = sorted(rows, key=lambda row: str(row["dedupe_key"]))
    statement: Insert = (
        _insert(session, Alert)
        .values(ordered)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(Alert.dedupe_key)
    )
    return set((await session.execute(statement)).scalars().all())


async def alerts_by_keys(session: AsyncSession, keys: Sequence[str]) -> dict[str, Alert]:
    """The alerts with these dedupe keys, locked for this transaction on PostgreSQL."""
    if not keys:
        return {}
    query = (
        select(Alert)
        .where(Alert.dedupe_key.in_(sorted(keys)))
        .order_by(Alert.dedupe_key)
        .execution_options(populate_existing=True)
    )
    if _is_postgres(session):
        query = query.with_for_update()
    return {alert.dedupe_key: alert for alert in (await session.scalars(query)).all()}


async def insert_case_request(session: AsyncSession, alert_id: str, payload: Mapping[str, Any]) -> bool:
    """The case request of an alert, at most one (its id is the alert's); True when new."""
    statement = (
        _insert(session, CaseRequest)
        .values(id=alert_id, payload=dict(payload), attempts=0)
        .on_conflict_do_nothing(index_elements=["id"])
        .returning(CaseRequest.id)
    )
    return (await session.execute(statement)).scalar_one_or_none() is not None


async def insert_processed_event(
    session: AsyncSession, *, event_id: str, event_type: str, data: Mapping[str, Any]
) -> bool:
    """Record an event as applied; False when it was already (a redelivery)."""
    statement = (
        _insert(session, ProcessedEvent)
        .values(id=event_id, event_type=event_type, data=dict(data))
        .on_conflict_do_nothing(index_elements=["id"])
        .returning(ProcessedEvent.id)
    )
    return (await session.execute(statement)).scalar_one_or_none() is not None


async def employers_by_ids(session: AsyncSession, ids: Sequence[str]) -> dict[str, MonitoredEmployer]:
    if not ids:
        return {}
    query = select(MonitoredEmployer).where(MonitoredEmployer.id.in_(sorted(set(ids))))
    return {employer.id: employer for employer in (await session.scalars(query)).all()}


async def employer_by_uscc(session: AsyncSession, uscc: str) -> MonitoredEmployer | None:
    return await session.scalar(select(MonitoredEmployer).where(MonitoredEmployer.uscc == uscc))


async def get_alert(session: AsyncSession, alert_id: str, *, for_update: bool = False) -> Alert | None:
    query = select(Alert).where(Alert.id == alert_id).execution_options(populate_existing=True)
    if for_update and _is_postgres(session):
        query = query.with_for_update()
    return await session.scalar(query)


async def alert_events(session: AsyncSession, alert_id: str) -> Sequence[AlertEvent]:
    query = select(AlertEvent).where(AlertEvent.alert_id == alert_id).order_by(AlertEvent.id)
    return (await session.scalars(query)).all()


@dataclass(frozen=True, slots=True)
class AlertFilter:
    level: str | None = None
    status: str | None = None
    rule: str | None = None
    uscc: str | None = None
    period: str | None = None
    # District codes (or prefixes) the caller is restricted to; empty: unrestricted.
    districts: tuple[str, ...] = ()


async def list_alerts(
    session: AsyncSession, where: AlertFilter, *, limit: int, after: tuple[datetime, str] | None
) -> Sequence[tuple[Alert, MonitoredEmployer]]:
    """Newest first, keyset-paginated on (opened_at, id)."""
    query = select(Alert, MonitoredEmployer).join(
        MonitoredEmployer, MonitoredEmployer.id == Alert.employer_id
    )
    if where.level is not None:
        query = query.where(Alert.level == where.level)
    if where.status is not None:
        query = query.where(Alert.status == where.status)
    if where.rule is not None:
        query = query.where(Alert.rule == where.rule)
    if where.uscc is not None:
        query = query.where(MonitoredEmployer.uscc == where.uscc)
    if where.period is not None:
        query = query.where(Alert.period == where.period)
    if where.districts:
        query = query.where(or_(*(MonitoredEmployer.district_code.startswith(d) for d in where.districts)))
    if after is not None:
        opened_at, alert_id = after
        query = query.where(
            or_(Alert.opened_at < opened_at, and_(Alert.opened_at == opened_at, Alert.id < alert_id))
        )
    query = query.order_by(Alert.opened_at.desc(), Alert.id.desc()).limit(limit)
    return [(alert, employer) for alert, employer in (await session.execute(query)).all()]


async def case_request(session: AsyncSession, alert_id: str) -> CaseRequest | None:
    return await session.get(CaseRequest, alert_id)
