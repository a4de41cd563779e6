"""The joint-punishment check (联合惩戒核查): is each subject restricted for this purpose on
this day? Every check is audited in the same transaction as its answer."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from credit.check import repository
from credit.check.models import CheckAudit
from credit.check.schemas import CheckAnswer, CheckListing, CheckRequest, CheckResult
from credit.config import CreditSettings
from shared.auth import Identity
from shared.errors import FieldError, PayloadTooLarge, RateLimited, ValidationFailed
from shared.identifiers import IdentifierError, validate_id_number, validate_uscc
from shared.timeutil import CHINA_TZ, china_today, now_utc

# At most this many item errors are listed; a batch with more is refused all the same.
_MAX_ERRORS = 50
_VALIDATORS = {"uscc": validate_uscc, "id_number": validate_id_number}


class QuotaExceeded(RateLimited):
    code = "check_quota_exceeded"


def _subjects(raw: Sequence[dict[str, Any]]) -> list[tuple[str, str]]:
    """(kind, normalised identifier) per item, or 422 naming ``subjects[i].uscc`` and the reason."""
    parsed: list[tuple[str, str]] = []
    errors: list[FieldError] = []
    for index, item in enumerate(raw):
        keys = list(item)
        if len(keys) != 1 or keys[0] not in _VALIDATORS:
            errors.append(
                FieldError(
                    f"subjects[{index}]", "subject_invalid", "每个核查对象须且只须包含 uscc 或 id_number 之一"
                )
            )
        else:
            kind = keys[0]
            value = item[kind]
            if not isinstance(value, str):
                errors.append(FieldError(f"subjects[{index}].{kind}", "string_type", "必须是字符串"))
            else:
                try:
                    parsed.append((kind, _VALIDATORS[kind](value)))
                except IdentifierError as exc:
                    errors.append(FieldError(f"subjects[{index}].{kind}", exc.code, exc.message))
        if len(errors) >= _MAX_ERRORS:
            break
    if errors:
        raise ValidationFailed(errors)
    return parsed


def _day_bounds(today: date) -> tuple[datetime, datetime]:
    start = datetime.combine(today, time(0), tzinfo=CHINA_TZ)
    return start, start + timedelta(days=1)


async def _check_quota(
    session: AsyncSession, identity: Identity, count: int, settings: CreditSettings
) -> None:
    start, end = _day_bounds(china_today())
    used = await repository.subjects_checked(session, identity.client_id, start, end)
    if used + count > settings.check_daily_quota:
        retry_after = max(1, math.ceil((end - now_utc()).total_seconds()))
        raise QuotaExceeded(
            retry_after,
            f"今日核查对象数已达上限（{settings.check_daily_quota} 个，已用 {used} 个，本次 {count} 个），"
            "请于次日再试",
        )


async def check(
    session: AsyncSession, identity: Identity, payload: CheckRequest, *, settings: CreditSettings
) -> CheckResult:
    count = len(payload.subjects)
    if count > settings.check_max_subjects:
        raise PayloadTooLarge(
            f"单次核查最多 {settings.check_max_subjects} 个对象，本次提交 {count} 个，请分批核查",
            code="too_many_subjects",
            extra={"max_subjects": settings.check_max_subjects},
        )
    today = china_today()
    as_of = payload.as_of or today
    if as_of > today:
        raise ValidationFailed([FieldError("as_of", "in_future", "核查基准日不能晚于今天")])
    subjects = _subjects(payload.subjects)
    await _check_quota(session, identity, count, settings)

    # Three reads for the whole batch: subjects by USCC, by 身份证号, their listings.
    by_uscc = await repository.subjects_by_uscc(session, {v for k, v in subjects if k == "uscc"})
    by_id = await repository.subjects_by_id_number(session, {v for k, v in subjects if k == "id_number"})
    found = set(by_uscc.values()) | set(by_id.values())
    in_force: dict[str, list[Any]] = {}
    for row in await repository.restricting_listings(session, found, as_of):
        if payload.purpose in row.restrictions:
            in_force.setdefault(row.subject_id, []).append(row)

    results: list[CheckAnswer] = []
    compact: list[list[Any]] = []
    for kind, value in subjects:
        subject_id = (by_uscc if kind == "uscc" else by_id).get(value)
        rows = in_force.get(subject_id, []) if subject_id else []
        results.append(
            CheckAnswer(
                subject={kind: value},
                known=subject_id is not None,
                restricted=bool(rows),
                listings=[
                    CheckListing(
                        list_type=r.list_type,
                        role=r.role,
                        decision_no=r.decision_no,
                        listed_on=r.listed_on,
                        expires_on=r.expires_on,
                        restrictions=list(r.restrictions),
                    )
                    for r in rows
                ],
            )
        )
        compact.append([value, bool(rows), [r.id for r in rows]])
    restricted = sum(1 for r in results if r.restricted)
    audit = CheckAudit(
        client_id=identity.client_id,
        client_name=identity.client_name,
        purpose=payload.purpose,
        as_of=as_of,
        subject_count=count,
        restricted_count=restricted,
        answers=compact,
        at=now_utc(),
    )
    session.add(audit)
    await session.flush()
    return CheckResult(
        audit_id=audit.id,
        purpose=payload.purpose,
        as_of=as_of,
        subject_count=count,
        restricted_count=restricted,
        results=results,
    )
