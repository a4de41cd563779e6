"""Filing a complaint or report: validation beyond types, the acceptance checks of
domain.md §2.4 (shown, not enforced), duplicates, numbering, deadlines, first events."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession
from sqlalchemy.orm import configure_mappers, instrumentation

from complaints.case import deadlines, events, repository, views, workflow
from complaints.case.deadlines import Clock
from complaints.case.models import Case
from complaints.case.schemas import CaseCreate
from complaints.config import ComplaintsSettings
from shared.auth import Identity
from shared.errors import FieldError, ValidationFailed
from shared.ids import new_uuid
from shared.masking import redact_text
from shared.outbox import new_event_row
from shared.timeutil import china_date, china_today, now_utc

_NAME_NOISE = re.compile(r"[\s\-_·.,，。()（）【】\[\]\"'“”]+")
_CLOCK_SKEW = timedelta(minutes=5)


def normalise_employer_name(name: str | None) -> str | None:
    if not name:
        return None
    folded = _NAME_NOISE.sub("", unicodedata.normalize("NFKC", name)).lower()
    return folded or None


def add_years(day: date, years: int) -> date:
    """民法典 art. 202: the corresponding day; Feb 29 maps to Feb 28 in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def validate_filing(payload: CaseCreate) -> list[FieldError]:
    errors: list[FieldError] = []
    person = payload.complainant
    if payload.kind == "complaint":
        # 条例 art. 9 ¶2: only the aggrieved worker complains, and must be identifiable.
        if payload.anonymous:
            errors.append(
                FieldError("anonymous", "complaint_not_anonymous", "投诉不能匿名，匿名请以举报方式提交")
            )
        for field in ("name", "id_number", "phone"):
            if person is None or getattr(person, field) is None:
                errors.append(
                    FieldError(f"complainant.{field}", "missing", "投诉须提供投诉人姓名、身份证号和联系电话")
                )
    elif payload.anonymous and person is not None and any(person.model_dump().values()):
        errors.append(FieldError("complainant", "anonymous_with_identity", "匿名举报不应填写举报人身份信息"))
    received_at = payload.received_at
    if received_at is not None and received_at > now_utc() + _CLOCK_SKEW:
        errors.append(FieldError("received_at", "in_future", "收到时间不能晚于当前时间"))
    today = china_today()
    for field in ("occurred_on", "violation_ended_on"):
        value = getattr(payload, field)
        if value is not None and value > today:
            errors.append(FieldError(field, "in_future", "日期不能晚于今天"))
    if (
        payload.occurred_on
        and payload.violation_ended_on
        and payload.violation_ended_on < payload.occurred_on
    ):
        errors.append(FieldError("violation_ended_on", "before_occurred_on", "终了日期不能早于发生日期"))
    if payload.employer.name is None and payload.employer.uscc is None:
        errors.append(
            FieldError("employer.name", "missing", "须提供被投诉（举报）单位名称或统一社会信用代码")
        )
    return errors


def acceptance_checks(payload: CaseCreate, received_on: date, settings: ComplaintsSettings) -> dict[str, Any]:
    """The three conditions of 令25 art. 18, evaluated and shown on the case."""
    start = payload.violation_ended_on or payload.occurred_on
    if start is None:
        limitation: dict[str, Any] = {
            "ok": None,
            "limitation_ends_on": None,
            "message": "未提供违法行为发生日期",
        }
    else:
        ends = add_years(start, settings.limitation_years)
        ok = received_on <= ends
        limitation = {
            "ok": ok,
            "limitation_ends_on": ends.isoformat(),
            "message": "在两年追溯期内" if ok else "已超过两年追溯期（条例第二十条），可不予受理",
        }
    employer = payload.employer
    identified = bool(employer.name) and bool(employer.uscc or employer.address)
    district = employer.district_code
    if district is None:
        jurisdiction: dict[str, Any] = {"ok": None, "message": "未提供用工所在地行政区划代码"}
    else:
        inside = district.startswith(tuple(settings.jurisdiction_prefixes))
        jurisdiction = {
            "ok": inside,
            "message": "属本局管辖" if inside else "用工所在地不在本局管辖范围，建议告知向有管辖权的部门投诉",
        }
    return {
        "basis": "《关于实施〈劳动保障监察条例〉若干规定》第十八条"
        if payload.kind == "complaint"
        else "条例第十四条",
        "within_limitation": limitation,
        "respondent_identified": {
            "ok": identified,
            "message": "被投诉单位明确" if identified else "被投诉单位信息不足，可要求补正",
        },
        "in_jurisdiction": jurisdiction,
    }


@dataclass(slots=True)
class Filing:
    """A case ready to be stored: all but its employer's history and its number, which
    ``store`` (or ``store_batch``) finds and takes as it stores the case."""

    case: Case
    identity: Identity
    timeline: dict[str, Any]
    # The employer's open cases, newest first, found by ``store``; and the filings of the same
    # employer earlier in the batch (listed too, once numbered: ``possible_duplicates``).
    duplicates: list[views.Duplicate] = field(default_factory=list)
    earlier: list[Case] = field(default_factory=list)
    # With an Idempotency-Key (``claim``: client id, key, request hash), ``store`` builds the
    # API's answer (``body``) and stores it with the case; any other answer is built by the
    # caller once the case is committed (``answer``), outside the transaction.
    claim: tuple[str, str, str] | None = None
    body: dict[str, Any] | None = None

    def answer(self) -> dict[str, Any]:
        """The API's 201 answer (once stored): the one stored with the key, or built now."""
        if self.body is None:
            self.body = views.case_created(
                self.case, self.identity, china_today(), self.possible_duplicates()
            )
        return self.body

    def possible_duplicates(self) -> list[views.Duplicate]:
        """The employer's open cases, newest first (then by number), at most HISTORY_LIMIT: the
        stored ones and the batch's earlier ones, merged once all are numbered."""
        if not self.earlier:
            return self.duplicates
        merged = sorted(
            [*self.earlier, *self.duplicates], key=lambda d: (d.received_at, d.case_no), reverse=True
        )
        return merged[: repository.HISTORY_LIMIT]


def prepare(identity: Identity, payload: CaseCreate, *, clock: Clock) -> Filing:
    """Checks and the rows to write, without the database: the employer's history and the
    number are ``store``'s."""
    errors = validate_filing(payload)
    if errors:
        raise ValidationFailed(errors)
    settings = clock.settings
    now = now_utc()
    # Held in UTC, as the column stores it: the answer shows what a later read shows.
    received_at = payload.received_at.astimezone(UTC) if payload.received_at else now
    received_on = china_date(received_at)
    employer = payload.employer
    name_norm = normalise_employer_name(employer.name)

    accept = clock.accept_by(received_on)
    person = None if payload.anonymous else payload.complainant
    external = payload.external_ref

    # A transient object (never added to the session): ``store`` writes its row with Core,
    # which costs far less than the unit of work's flush.
    case_id = new_uuid()
    next_deadline, next_deadline_kind = deadlines.running_deadline(workflow.RECEIVED, accept.day, None)
    case = _transient_case(
        id=case_id,
        # Taken as the case is stored; until then "", also in its events' payloads, where the
        # statement of ``store_batch`` that takes the number writes it.
        case_no="",
        kind=payload.kind,
        channel=payload.channel,
        status=workflow.RECEIVED,
        received_at=received_at,
        received_on=received_on,
        external_system=external.system if external else None,
        external_id=external.id if external else None,
        anonymous=payload.anonymous,
        person_name=person.name if person else None,
        person_id_number=person.id_number if person else None,
        person_phone=person.phone if person else None,
        employer_name=employer.name,
        employer_name_norm=name_norm,
        employer_uscc=employer.uscc,
        employer_address=employer.address,
        district_code=employer.district_code,
        industry_code=employer.industry_code,
        employer_case_count=1,  # counted by ``store``
        issues=list(payload.issues),
        workers_affected=payload.workers_affected,
        amount_claimed=payload.amount_claimed,
        occurred_on=payload.occurred_on,
        violation_ended_on=payload.violation_ended_on,
        description=payload.description,
        acceptance_checks=acceptance_checks(payload, received_on, settings),
        emergency=payload.emergency is not None,
        emergency_detail=payload.emergency.model_dump(mode="json") if payload.emergency else None,
        assignee=None,
        accept_clock_from=received_on,
        accept_by=accept.day,
        next_deadline=next_deadline,
        next_deadline_kind=next_deadline_kind,
        filed_on=None,
        investigate_by=None,
        extended=False,
        rectify_by=None,
        hearing_request_by=None,
        fine_due_by=None,
        fine_amount=None,
        fine_paid_on=None,
        result_notice_by=None,
        result_notified_on=None,
        calendar_provisional=accept.provisional,
        escalated_deadline=None,
        escalation_count=0,
        disposition=None,
        merged_into_id=None,
        closed_at=None,
        filed_by_client=identity.client_id,
        created_at=now,
        updated_at=now,
    )
    timeline = {
        "case_id": case_id,
        "action": "receive",
        "from_status": None,
        "to_status": workflow.RECEIVED,
        "actor_id": identity.client_id,
        "actor_name": identity.client_name,
        "at": now,
        "reason": None,
        "data": {
            "channel": payload.channel,
            "accept_by": accept.day.isoformat() if accept.day else None,
        },
    }

    return Filing(case, identity, timeline)


async def file_case(session: AsyncSession, identity: Identity, payload: CaseCreate, *, clock: Clock) -> Case:
    """File a case within the caller's transaction (an inspection that finds a violation)."""
    filing = prepare(identity, payload, clock=clock)
    await store(session, [filing])
    return filing.case


class KeyTaken:
    """A filing not stored: its Idempotency-Key was claimed first by another request."""


KEY_TAKEN = KeyTaken()


async def store(session: AsyncSession, filings: Sequence[Filing]) -> list[str | KeyTaken]:
    """Store filings in the caller's transaction: claim their Idempotency-Keys, look up their
    employers' history, take their numbers, write their cases, timeline entries, events and
    (for a claimed key) answers. Returns each filing's case number, or ``KEY_TAKEN``.

    The year's counter row stays locked from the increment to the commit and every filing of
    the year queues on it, so the numbers are taken after the claims (which may wait for a
    concurrent twin) and the lookups, and only the rows follow. Numbers stay gapless: a
    transaction that fails rolls its increment back with it. The API files through
    ``GroupCommit``, so concurrent filings share one transaction and take the row once."""
    results: list[str | KeyTaken] = [KEY_TAKEN] * len(filings)
    taken: set[int] = set()
    # Claimed in key order: two transactions claiming the same keys wait for each other in
    # one order, never in a cycle.
    keyed = sorted((f.claim, i) for i, f in enumerate(filings) if f.claim is not None)
    for claim, i in keyed:
        if not await repository.claim_idempotency_key(session, *claim):
            taken.add(i)
    claimed = [(i, filing) for i, filing in enumerate(filings) if i not in taken]
    histories = await _histories(await session.connection(), [filing.case for _, filing in claimed])
    by_year: dict[int, list[tuple[int, Filing]]] = {}
    for i, filing in claimed:
        assert filing.case.received_on is not None
        by_year.setdefault(filing.case.received_on.year, []).append((i, filing))
    for year, group in sorted(by_year.items()):
        numbers = await repository.take_case_numbers(session, year, len(group))
        for (i, filing), case_no in zip(group, numbers, strict=True):
            filing.case.case_no = results[i] = case_no
    stored = [filing for _, filing in claimed]
    _count_history(stored, histories)
    if stored:
        await repository.insert_filed_cases(
            session,
            [_columns(f.case) for f in stored],
            [f.timeline for f in stored],
            [row for f in stored for row in _outbox_rows(f.case)],
        )
    answers = [(f.claim[0], f.claim[1], f.answer()) for f in stored if f.claim is not None]
    if answers:
        await repository.store_answers(session, answers)
    return results


async def store_batch(session: AsyncSession, filings: Sequence[Filing]) -> list[str | KeyTaken]:
    """The API's group commit (``GroupCommit``'s write): ``store``'s work, and the same rows.

    On PostgreSQL, a batch of one year's filings without an Idempotency-Key is stored without
    an explicit transaction: the employers' history read on its own, then the numbers taken
    and the rows written by one statement that commits by itself
    (``repository.insert_numbered_cases``), two round trips instead of five. The history is
    read just before the numbers are taken, as in ``store``; a statement that fails writes
    nothing and takes no number. Any other batch (a key to claim, two years, the first case
    of a year, SQLite) goes through ``store`` in the session's transaction."""
    if not filings or not repository.is_postgresql(session) or any(f.claim is not None for f in filings):
        return await store(session, filings)
    years = {f.case.received_on.year if f.case.received_on else None for f in filings}
    year = years.pop() if len(years) == 1 else None
    if year is None:
        return await store(session, filings)
    engine = session.bind
    assert isinstance(engine, AsyncEngine)
    async with engine.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        histories = await _histories(autocommit, [f.case for f in filings])
        _count_history(list(filings), histories)
        numbers = await repository.insert_numbered_cases(
            autocommit,
            year,
            [_columns(f.case) for f in filings],
            [f.timeline for f in filings],
            # Each "case_no" of an event is still prepare's "": the statement writes the number.
            [row for f in filings for row in _outbox_rows(f.case)],
        )
    if numbers is None:
        return await store(session, filings)
    results: list[str | KeyTaken] = []
    for filing, case_no in zip(filings, numbers, strict=True):
        filing.case.case_no = case_no
        results.append(case_no)
    return results


def _employer_key(case: Case) -> tuple[str, str] | None:
    # The same employer as repository.employer_history sees it.
    if case.employer_uscc:
        return ("uscc", case.employer_uscc)
    if case.employer_name_norm:
        return ("name", case.employer_name_norm)
    return None


async def _histories(
    connection: AsyncConnection, cases: list[Case]
) -> list[tuple[int, list[views.Duplicate]]]:
    keys = [_employer_key(case) for case in cases]
    by_uscc, by_name = await repository.employer_histories(
        connection,
        usccs={k[1] for k in keys if k is not None and k[0] == "uscc"},
        names={k[1] for k in keys if k is not None and k[0] == "name"},
    )
    found: list[tuple[int, list[views.Duplicate]]] = []
    for key in keys:
        history = None if key is None else (by_uscc if key[0] == "uscc" else by_name).get(key[1])
        found.append((0, []) if history is None else (history.count, history.open_cases))
    return found


def _count_history(stored: list[Filing], histories: list[tuple[int, list[views.Duplicate]]]) -> None:
    """Each filing's employer count and open cases: those stored before, and the filings of the
    same employer earlier in this batch (which the lookups could not see)."""
    earlier: dict[tuple[str, str], list[Case]] = {}
    for filing, (previous, duplicates) in zip(stored, histories, strict=True):
        case = filing.case
        key = _employer_key(case)
        same = earlier.setdefault(key, []) if key is not None else []
        case.employer_case_count = previous + len(same) + 1
        filing.duplicates, filing.earlier = duplicates, list(same)
        if key is not None:
            same.append(case)


_CASE_COLUMNS = tuple(c.key for c in Case.__table__.columns)
_CASE_MANAGER = instrumentation.manager_of_class(Case)


def _transient_case(**values: Any) -> Case:
    """A ``Case`` made as SQLAlchemy's loader makes one from a row: the values put straight into
    its ``__dict__``, without an attribute event per column (2 us instead of 45 us for
    ``Case(**values)``, the costliest line of a filing). Never added to a session: ``store``
    writes its row with Core; attributes set later (the number) go through the ORM as usual."""
    if not _CASE_MANAGER.mapper.configured:
        configure_mappers()  # what the first Case(...) would do: attributes get their behaviour
    case: Case = _CASE_MANAGER.new_instance()
    case.__dict__.update(dict.fromkeys(_CASE_COLUMNS), **values)
    return case


def _columns(case: Case) -> dict[str, Any]:
    # Every column is in the __dict__ of a _transient_case (read there: no descriptor per column).
    values = case.__dict__
    return {key: values[key] for key in _CASE_COLUMNS}


def _outbox_rows(case: Case) -> list[dict[str, Any]]:
    rows = [_outbox_row("case.received", case, {})]
    if case.emergency:
        rows.append(_outbox_row("case.emergency", case, {"referral": _referral(case)}))
    if case.employer_case_count > 1:
        # Repeated complaints raise the employer's profile for the credit and wages services.
        rows.append(_outbox_row("employer.repeated_complaints", case, {"count": case.employer_case_count}))
    return rows


def _outbox_row(event_type: str, case: Case, data: dict[str, Any]) -> dict[str, Any]:
    # The same row events.emit would add; a reporter's identity never enters it (case_ref).
    return new_event_row(event_type, case.id, {**events.case_ref(case), **data})


def _referral(case: Case) -> dict[str, Any]:
    emergency = case.emergency_detail
    assert emergency is not None
    # The 110 referral (contract.md): a complainant's phone is passed on; a reporter's never.
    contact = case.person_phone if case.kind == "complaint" else None
    return {
        "referral_id": new_uuid(),
        "case_no": case.case_no,
        "at": now_utc().isoformat(),
        "indicators": list(emergency["indicators"]),
        "people": emergency["people"],
        "location": emergency["location"],
        "district_code": case.district_code,
        "summary": redact_text(case.description[:500]),
        "contact": contact,
    }
