"""What a caller may see of a file: persons' names and 身份证号 masked unless ``credit:manage``;
officers' free text (descriptions, reasons) has any 身份证号 or mobile number in it masked too."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from credit.listing.models import Listing, ListingEvent
from credit.subject.models import Subject, SubjectName, SubjectRole, Violation
from credit.subject.schemas import (
    ROLE_LABELS,
    EmployerRef,
    ListingEventOut,
    ListingOut,
    NameOut,
    PersonRef,
    PersonRoleOut,
    RoleOut,
    SubjectOut,
    ViolationOut,
)
from shared.auth import Identity
from shared.masking import mask_id_number, mask_name, redact_text


def sees_personal_data(identity: Identity) -> bool:
    return identity.has_scope("credit:manage")


def subject_out(subject: Subject) -> SubjectOut:
    return SubjectOut(
        id=subject.id,
        subject_type=subject.subject_type,
        uscc=subject.uscc,
        name=subject.name,
        address=subject.address,
        district_code=subject.district_code,
        industry_code=subject.industry_code,
        created_at=subject.created_at,
        updated_at=subject.updated_at,
    )


def name_out(row: SubjectName) -> NameOut:
    return NameOut(name=row.name, valid_from=row.valid_from, source=row.source, recorded_at=row.recorded_at)


def role_out(role: SubjectRole, person: Subject, *, full: bool) -> RoleOut:
    id_number = person.id_number
    return RoleOut(
        role=role.role,
        role_label=ROLE_LABELS.get(role.role, role.role),
        person=PersonRef(
            name=person.name if full else mask_name(person.name),
            id_number=id_number if full or id_number is None else mask_id_number(id_number),
        ),
        valid_from=role.valid_from,
        valid_to=role.valid_to,
        current=role.valid_to is None,
    )


def person_role_out(role: SubjectRole, employer: Subject) -> PersonRoleOut:
    return PersonRoleOut(
        role=role.role,
        role_label=ROLE_LABELS.get(role.role, role.role),
        employer=EmployerRef(uscc=employer.uscc, name=employer.name),
        valid_from=role.valid_from,
        valid_to=role.valid_to,
        current=role.valid_to is None,
    )


def _text(value: str, full: bool) -> str:
    return value if full else redact_text(value)


def violation_out(
    row: Violation, superseded_by: Mapping[str, str] | None = None, *, full: bool = True
) -> ViolationOut:
    return ViolationOut(
        id=row.id,
        subject_id=row.subject_id,
        source=row.source,
        case_id=row.case_id,
        case_no=row.case_no,
        decided_on=row.decided_on,
        stage=row.stage,
        punished=row.punished,
        issues=list(row.issues),
        workers=row.workers,
        amount=row.amount,
        flags=list(row.flags),
        description=_text(row.description, full),
        supersedes_id=row.supersedes_id,
        superseded=row.superseded,
        superseded_by=(superseded_by or {}).get(row.id),
        recorded_by=row.recorded_by,
        recorded_at=row.recorded_at,
    )


def listing_out(
    listing: Listing, decision_no: str | None, events: Sequence[ListingEvent], *, full: bool = True
) -> ListingOut:
    return ListingOut(
        id=listing.id,
        list_type=listing.list_type,
        role=listing.role,
        status=listing.status,
        decision_no=decision_no,
        listed_on=listing.listed_on,
        published_on=listing.published_on,
        expires_on=listing.expires_on,
        ended_on=listing.ended_on,
        restrictions=list(listing.restrictions),
        events=[
            ListingEventOut(
                action=e.action,
                from_status=e.from_status,
                to_status=e.to_status,
                actor_name=e.actor_name,
                at=e.at,
                reason=_text(e.reason, full) if e.reason is not None else None,
            )
            for e in events
        ],
    )
