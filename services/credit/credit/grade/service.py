"""Business rules of the A/B/C grades: yearly evaluation, officer override, listing.

Every computation or override is a new ``Grade`` row and the row it replaces is marked
``superseded``; nothing is updated in place or deleted, so the file keeps how a grade came to be.

An officer's override sticks: a later evaluation never changes ``grade`` on an overridden row.
When the computed result moves (another computed grade, or other violations behind it) the
evaluation writes a new row that still carries the override (``grade``, ``overridden``,
``override_reason``) next to the new ``computed_grade`` and reasons, so the officer can see that
the facts have changed under the override. When nothing moved, nothing is written.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from credit.config import CreditSettings
from credit.grade import repository, rules
from credit.grade.models import Grade
from credit.grade.schemas import (
    EvaluationBasis,
    EvaluationIn,
    EvaluationOut,
    GradedSubject,
    GradeListItem,
    GradeOut,
    OverrideIn,
)
from credit.subject import repository as subjects
from shared.auth import Identity
from shared.errors import AppError, FieldError, NotFound, ValidationFailed
from shared.pagination import Page, PageParams, encode_cursor
from shared.timeutil import china_today, now_utc

UNVERIFIED_SETTINGS = ["grade_c_min_punished", "grade_lookback_years"]


def _settings(settings: CreditSettings) -> tuple[int, int]:
    if settings.grade_c_min_punished < 1 or settings.grade_lookback_years < 1:
        raise AppError(
            "等级评价参数配置错误：grade_c_min_punished 与 grade_lookback_years 必须为正整数",
            code="grade_settings_invalid",
        )
    return settings.grade_c_min_punished, settings.grade_lookback_years


def window_for(year: int, lookback_years: int) -> repository.Window:
    return repository.Window(date(year - lookback_years + 1, 1, 1), date(year, 12, 31))


def _check_year(year: int, loc: str) -> None:
    if year > china_today().year:
        raise ValidationFailed([FieldError(loc, "year_in_future", "评价年度不能晚于本年度")])


def grade_out(grade: Grade) -> GradeOut:
    return GradeOut(
        id=grade.id,
        year=grade.year,
        grade=grade.grade,
        computed_grade=grade.computed_grade,
        overridden=grade.overridden,
        override_reason=grade.override_reason,
        reasons=list(grade.reasons),
        decided_by=grade.decided_by,
        superseded=grade.superseded,
        created_at=grade.created_at,
    )


def _new_row(
    subject_id: str, year: int, result: rules.Result, previous: Grade | None, decided_by: str
) -> dict[str, Any]:
    keep_override = previous is not None and previous.overridden
    return {
        "subject_id": subject_id,
        "year": year,
        "grade": previous.grade if previous is not None and keep_override else result.grade,
        "computed_grade": result.grade,
        "reasons": result.reasons,
        "overridden": keep_override,
        "override_reason": previous.override_reason if previous is not None and keep_override else None,
        "decided_by": decided_by,
        "superseded": False,
        "created_at": now_utc(),
    }


async def _compute(
    session: AsyncSession,
    window: repository.Window,
    c_min_punished: int,
    subject_ids: Sequence[str] | None = None,
) -> dict[str, rules.Result]:
    tallies = await repository.tallies(session, window, subject_ids=subject_ids)
    graded = [sid for sid, t in tallies.items() if t.punished or t.criteria]
    evidence = await repository.evidence(session, window, graded)
    return {
        sid: rules.decide(tally, evidence.get(sid, []), c_min_punished=c_min_punished)
        for sid, tally in tallies.items()
    }


async def evaluate(
    session: AsyncSession, identity: Identity, payload: EvaluationIn, *, settings: CreditSettings
) -> EvaluationOut:
    c_min, lookback = _settings(settings)
    _check_year(payload.year, "year")
    await repository.lock_year(session, payload.year)
    window = window_for(payload.year, lookback)
    results = await _compute(session, window, c_min)

    current: dict[str, Grade] = {}
    stale: list[int] = []
    for row in await repository.current_grades(session, payload.year):
        if row.subject_id in current:  # more than one current row: keep the latest only
            stale.append(current[row.subject_id].id)
        current[row.subject_id] = row
    subject_ids = set(results) | set(current)
    if payload.include_clean:
        subject_ids |= set(await repository.employer_ids(session))

    clean = rules.Result("A", [])
    new_rows: list[dict[str, Any]] = []
    effective: Counter[str] = Counter()
    overrides = 0
    for subject_id in sorted(subject_ids):
        result = results.get(subject_id, clean)
        previous = current.get(subject_id)
        if (
            previous is not None
            and previous.computed_grade == result.grade
            and rules.same_reasons(previous.reasons, result.reasons)
        ):
            effective[previous.grade] += 1
            overrides += previous.overridden
            continue
        values = _new_row(subject_id, payload.year, result, previous, identity.client_id)
        if previous is not None:
            stale.append(previous.id)
        new_rows.append(values)
        effective[values["grade"]] += 1
        overrides += values["overridden"]
    await repository.supersede(session, stale)
    await repository.insert_grades(session, new_rows)
    return EvaluationOut(
        year=payload.year,
        basis=EvaluationBasis(
            window_from=window.start,
            window_to=window.end,
            c_min_punished=c_min,
            lookback_years=lookback,
            unverified=UNVERIFIED_SETTINGS,
        ),
        evaluated=len(subject_ids),
        created=len(new_rows),
        unchanged=len(subject_ids) - len(new_rows),
        overrides_kept=overrides,
        by_grade={g: effective.get(g, 0) for g in ("A", "B", "C")},
    )


async def override(
    session: AsyncSession,
    identity: Identity,
    uscc: str,
    year: int,
    payload: OverrideIn,
    *,
    settings: CreditSettings,
) -> GradeOut:
    c_min, lookback = _settings(settings)
    _check_year(year, "path.year")
    subject = await subjects.get_by_uscc(session, uscc)
    if subject is None:
        raise NotFound(f"信用档案中没有统一社会信用代码为 {uscc} 的单位", code="subject_not_found")
    await repository.lock_year(session, year)
    # The computed grade is taken afresh, so the override row shows what the facts say today.
    results = await _compute(session, window_for(year, lookback), c_min, [subject.id])
    result = results.get(subject.id, rules.Result("A", []))
    previous = await repository.current_grades(session, year, subject_ids=[subject.id])
    await repository.supersede(session, [g.id for g in previous])
    row = Grade(
        subject_id=subject.id,
        year=year,
        grade=payload.grade,
        computed_grade=result.grade,
        reasons=result.reasons,
        overridden=True,
        override_reason=payload.reason,
        decided_by=identity.client_id,
        superseded=False,
        created_at=now_utc(),
    )
    session.add(row)
    await session.flush()
    return grade_out(row)


def _after(after: list[Any] | None) -> int | None:
    if after is None:
        return None
    if len(after) != 1 or not isinstance(after[0], int):
        raise ValidationFailed([FieldError("query.cursor", "cursor_invalid", "分页游标无效")])
    return after[0]


async def list_grades(
    session: AsyncSession, page: PageParams, where: repository.GradeFilter
) -> Page[GradeListItem]:
    rows = await repository.list_current(session, where, limit=page.limit + 1, after=_after(page.after))
    items = [
        GradeListItem(
            **grade_out(grade).model_dump(),
            subject=GradedSubject(
                id=subject.id, uscc=subject.uscc, name=subject.name, district_code=subject.district_code
            ),
        )
        for grade, subject in rows[: page.limit]
    ]
    next_cursor = encode_cursor([rows[page.limit - 1][0].id]) if len(rows) > page.limit else None
    return Page[GradeListItem](items=items, next_cursor=next_cursor)
