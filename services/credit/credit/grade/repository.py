"""Queries of the grades: no rules, no commit.

The tally is one aggregate query over every employer's violations in the window (counts and
flags per subject), so an evaluation costs a handful of statements whatever the number of
employers. Flags are a JSON array of words from a closed vocabulary; matching the quoted word in
its text form works the same on SQLite and PostgreSQL and needs no JSON operators.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from sqlalchemy import String, case, cast, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from credit.grade.models import Grade
from credit.grade.rules import FLAG_CRITERIA, Evidence, Tally
from credit.subject.models import Subject, Violation

# Bound parameters per IN list: well under SQLite's and PostgreSQL's limits.
_CHUNK: Final = 500
# pg_advisory_xact_lock(class, year): one evaluation or override of a year at a time.
_LOCK_CLASS: Final = 4202


@dataclass(frozen=True, slots=True)
class Window:
    start: date
    end: date


def _has_flag(flag: str) -> ColumnElement[bool]:
    return cast(Violation.flags, String).like(f'%"{flag}"%')


def _in_window(window: Window, subject_ids: Sequence[str] | None) -> list[ColumnElement[bool]]:
    where = [
        Violation.superseded.is_(False),
        Violation.decided_on >= window.start,
        Violation.decided_on <= window.end,
        Subject.subject_type == "employer",
    ]
    if subject_ids is not None:
        where.append(Violation.subject_id.in_(subject_ids))
    return where


async def lock_year(session: AsyncSession, year: int) -> None:
    """Serialise evaluations and overrides of one year (SQLite has a single writer anyway)."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(select(func.pg_advisory_xact_lock(_LOCK_CLASS, year)))


async def tallies(
    session: AsyncSession, window: Window, *, subject_ids: Sequence[str] | None = None
) -> dict[str, Tally]:
    """Per employer with a violation in the window: distinct matters punished, criteria met."""
    # A case that went from an order to correct to a penalty is one matter 查处, not two.
    matter = func.coalesce(Violation.case_id, Violation.id)
    punished = func.count(func.distinct(case((Violation.punished.is_(True), matter), else_=None)))
    criteria = []
    for criterion in FLAG_CRITERIA:
        met: ColumnElement[bool] = or_(*(_has_flag(f) for f in criterion.flags))
        if criterion.needs_punished:
            met = met & Violation.punished.is_(True)
        criteria.append(func.max(case((met, 1), else_=0)).label(criterion.code))
    query = (
        select(Violation.subject_id, punished.label("punished"), *criteria)
        .join(Subject, Subject.id == Violation.subject_id)
        .where(*_in_window(window, subject_ids))
        .group_by(Violation.subject_id)
    )
    result: dict[str, Tally] = {}
    for row in (await session.execute(query)).all():
        met_codes = frozenset(c.code for c in FLAG_CRITERIA if getattr(row, c.code))
        result[row.subject_id] = Tally(punished=int(row.punished), criteria=met_codes)
    return result


async def evidence(
    session: AsyncSession, window: Window, subject_ids: Iterable[str]
) -> dict[str, list[Evidence]]:
    """The violations behind the reasons, for the given subjects, in a few chunked queries."""
    ids = sorted(set(subject_ids))
    result: dict[str, list[Evidence]] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        query = (
            select(Violation.id, Violation.subject_id, Violation.punished, Violation.flags)
            .join(Subject, Subject.id == Violation.subject_id)
            .where(*_in_window(window, chunk))
        )
        for row in (await session.execute(query)).all():
            result.setdefault(row.subject_id, []).append(
                Evidence(id=row.id, punished=bool(row.punished), flags=list(row.flags or []))
            )
    return result


async def employer_ids(session: AsyncSession) -> list[str]:
    return list((await session.scalars(select(Subject.id).where(Subject.subject_type == "employer"))).all())


async def current_grades(
    session: AsyncSession, year: int, *, subject_ids: Sequence[str] | None = None
) -> Sequence[Grade]:
    """The rows of ``year`` not superseded, oldest first (so the last per subject wins)."""
    query = select(Grade).where(Grade.year == year, Grade.superseded.is_(False)).order_by(Grade.id)
    if subject_ids is not None:
        query = query.where(Grade.subject_id.in_(subject_ids))
    return (await session.scalars(query)).all()


async def supersede(session: AsyncSession, grade_ids: Sequence[int]) -> None:
    ids = list(grade_ids)
    for start in range(0, len(ids), _CHUNK):
        await session.execute(
            update(Grade)
            .where(Grade.id.in_(ids[start : start + _CHUNK]))
            .values(superseded=True)
            .execution_options(synchronize_session=False)
        )


async def insert_grades(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """One executemany for all new rows (the ORM would insert row by row on SQLite to get ids)."""
    if rows:
        await session.execute(insert(Grade), list(rows))


async def current_of_subject(session: AsyncSession, subject_id: str) -> Sequence[Grade]:
    """The current grade of each year for one subject, newest year first."""
    query = (
        select(Grade)
        .where(Grade.subject_id == subject_id, Grade.superseded.is_(False))
        .order_by(Grade.year.desc(), Grade.id.desc())
    )
    latest: dict[int, Grade] = {}
    for grade in (await session.scalars(query)).all():
        latest.setdefault(grade.year, grade)
    return list(latest.values())


@dataclass(frozen=True, slots=True)
class GradeFilter:
    year: int | None = None
    grade: str | None = None
    district_code: str | None = None


async def list_current(
    session: AsyncSession, where: GradeFilter, *, limit: int, after: int | None
) -> Sequence[Any]:
    """Current grades with their subject, keyset-paginated on the grade id."""
    query = (
        select(Grade, Subject)
        .join(Subject, Subject.id == Grade.subject_id)
        .where(Grade.superseded.is_(False))
        .order_by(Grade.id)
        .limit(limit)
    )
    if after is not None:
        query = query.where(Grade.id > after)
    if where.year is not None:
        query = query.where(Grade.year == where.year)
    if where.grade is not None:
        query = query.where(Grade.grade == where.grade)
    if where.district_code is not None:
        query = query.where(Subject.district_code == where.district_code)
    return (await session.execute(query)).all()
