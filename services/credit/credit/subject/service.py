"""Business rules of the compliance file (守法诚信档案, 条例 art. 22, 保障农民工工资支付条例 art. 47):
who a subject is, the names it has had, the people behind an employer, and reading the file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

from sqlalchemy.ext.asyncio import AsyncSession

from credit.grade import repository as grades
from credit.grade.service import grade_out
from credit.subject import repository, views
from credit.subject.models import Subject, SubjectName, SubjectRole
from credit.subject.schemas import PersonFile, PersonRoleIn, SubjectFile, SubjectUpsert
from shared.auth import Identity
from shared.errors import FieldError, NotFound, ValidationFailed
from shared.ids import new_uuid
from shared.timeutil import china_today, now_utc

# Roles one person holds at a time: an employer has one 法定代表人 (民法典 art. 61) and one
# 主要负责人; a new holder ends the previous one. The responsible-person roles may be many.
SINGLE_HOLDER_ROLES: Final = frozenset({"legal_representative", "principal"})


@dataclass(frozen=True, slots=True)
class EmployerFacts:
    uscc: str | None
    name: str | None
    address: str | None = None
    district_code: str | None = None
    industry_code: str | None = None


def _add_name(
    session: AsyncSession, subject: Subject, name: str, valid_from: date | None, source: str
) -> None:
    session.add(
        SubjectName(
            subject_id=subject.id, name=name, valid_from=valid_from, source=source, recorded_at=now_utc()
        )
    )


async def find_or_create_employer(
    session: AsyncSession, facts: EmployerFacts, *, source: str, name_valid_from: date | None = None
) -> tuple[Subject, bool]:
    """The employer with this USCC; else one known by this exact name alone (which then takes
    the USCC, so violations recorded before the code was known join the file); else a new one."""
    subject = await repository.get_by_uscc(session, facts.uscc) if facts.uscc else None
    if subject is None and facts.name:
        subject = await repository.get_unidentified_employer(session, facts.name)
        if subject is not None and facts.uscc:
            subject.uscc = facts.uscc
    if subject is not None:
        return subject, False
    if not facts.name:
        raise ValueError("an employer is created with a name")
    extra = {
        "address": facts.address,
        "district_code": facts.district_code,
        "industry_code": facts.industry_code,
    }
    created = True
    if facts.uscc:
        created = await repository.insert_identified(
            session, subject_type="employer", key=facts.uscc, name=facts.name, **extra
        )
        subject = await repository.get_by_uscc(session, facts.uscc)
        assert subject is not None
    else:
        now = now_utc()
        subject = Subject(
            id=new_uuid(),
            subject_type="employer",
            name=facts.name,
            created_at=now,
            updated_at=now,
            **extra,
        )
        session.add(subject)
        await session.flush()
    if created:
        _add_name(session, subject, facts.name, name_valid_from, source)
    return subject, created


async def _find_or_create_person(session: AsyncSession, person: PersonRoleIn, today: date) -> Subject:
    inserted = await repository.insert_identified(
        session, subject_type="person", key=person.id_number, name=person.name
    )
    subject = await repository.get_by_id_number(session, person.id_number)
    assert subject is not None
    if inserted:
        _add_name(session, subject, person.name, None, "registration")
    elif subject.name != person.name:
        subject.name = person.name
        _add_name(session, subject, person.name, today, "registration")
    return subject


async def _record_role(
    session: AsyncSession, employer: Subject, person: Subject, entry: PersonRoleIn, today: date
) -> None:
    holders = await repository.current_roles(session, employer.id, entry.role)
    own = [h for h in holders if h.person_id == person.id]
    if entry.valid_to is not None:
        # Ending a role: close the current row, or keep the past role as a closed record.
        for row in own:
            row.valid_to = entry.valid_to
        if not own:
            session.add(
                SubjectRole(
                    employer_id=employer.id,
                    person_id=person.id,
                    role=entry.role,
                    valid_from=entry.valid_from,
                    valid_to=entry.valid_to,
                    recorded_at=now_utc(),
                )
            )
        return
    if own:
        return
    start = entry.valid_from or today
    if entry.role in SINGLE_HOLDER_ROLES:
        for row in holders:
            row.valid_to = start  # the day the new holder took over
    session.add(
        SubjectRole(
            employer_id=employer.id,
            person_id=person.id,
            role=entry.role,
            valid_from=start,
            valid_to=None,
            recorded_at=now_utc(),
        )
    )
    await session.flush()


def _check_single_holders(payload: SubjectUpsert) -> None:
    seen: dict[str, str] = {}
    errors: list[FieldError] = []
    for index, entry in enumerate(payload.persons):
        if entry.role not in SINGLE_HOLDER_ROLES or entry.valid_to is not None:
            continue
        if entry.role in seen and seen[entry.role] != entry.id_number:
            errors.append(
                FieldError(f"persons[{index}].role", "single_holder_role", "该职务同一时间只能由一人担任")
            )
        seen[entry.role] = entry.id_number
    if errors:
        raise ValidationFailed(errors)


async def register(
    session: AsyncSession, identity: Identity, payload: SubjectUpsert
) -> tuple[bool, SubjectFile]:
    """Register an employer or update it; True when it was created."""
    _check_single_holders(payload)
    today = china_today()
    facts = EmployerFacts(
        uscc=payload.uscc,
        name=payload.name,
        address=payload.address,
        district_code=payload.district_code,
        industry_code=payload.industry_code,
    )
    subject, created = await find_or_create_employer(
        session, facts, source="registration", name_valid_from=payload.name_valid_from
    )
    if not created:
        if subject.name != payload.name:
            subject.name = payload.name
            _add_name(session, subject, payload.name, payload.name_valid_from or today, "registration")
        for field in ("address", "district_code", "industry_code"):
            value = getattr(payload, field)
            if value is not None:
                setattr(subject, field, value)
    for entry in payload.persons:
        person = await _find_or_create_person(session, entry, today)
        await _record_role(session, subject, person, entry, today)
    await session.flush()
    return created, await _file(session, identity, subject, include_superseded=False)


async def _file(
    session: AsyncSession, identity: Identity, subject: Subject, *, include_superseded: bool
) -> SubjectFile:
    full = views.sees_personal_data(identity)
    violations = await repository.violations_of(session, subject.id, include_superseded=include_superseded)
    chain = (
        await repository.superseding(session, [v.id for v in violations if v.superseded])
        if include_superseded
        else {}
    )
    current_grades = [grade_out(g) for g in await grades.current_of_subject(session, subject.id)]
    return SubjectFile(
        subject=views.subject_out(subject),
        grade=current_grades[0] if current_grades else None,
        grades=current_grades,
        names=[views.name_out(n) for n in await repository.names(session, subject.id)],
        persons=[
            views.role_out(r, p, full=full)
            for r, p in await repository.roles_of_employer(session, subject.id)
        ],
        personal_data_masked=not full,
        listings=[
            views.listing_out(*row, full=full) for row in await repository.listings_of(session, subject.id)
        ],
        violations=[views.violation_out(v, chain, full=full) for v in violations],
    )


async def get_subject_file(
    session: AsyncSession, identity: Identity, uscc: str, *, include_superseded: bool = False
) -> SubjectFile:
    subject = await repository.get_by_uscc(session, uscc)
    if subject is None:
        raise NotFound(f"信用档案中没有统一社会信用代码为 {uscc} 的单位", code="subject_not_found")
    return await _file(session, identity, subject, include_superseded=include_superseded)


async def get_person_file(session: AsyncSession, id_number: str) -> PersonFile:
    subject = await repository.get_by_id_number(session, id_number)
    if subject is None or subject.subject_type != "person":
        # The number itself is personal data: the detail does not repeat it.
        raise NotFound("信用档案中没有该身份证号码的人员", code="person_not_found")
    violations = await repository.violations_of(session, subject.id, include_superseded=False)
    return PersonFile(
        subject=views.subject_out(subject),
        id_number=id_number,
        names=[views.name_out(n) for n in await repository.names(session, subject.id)],
        roles=[views.person_role_out(r, e) for r, e in await repository.roles_of_person(session, subject.id)],
        listings=[views.listing_out(*row) for row in await repository.listings_of(session, subject.id)],
        violations=[views.violation_out(v) for v in violations],
    )
