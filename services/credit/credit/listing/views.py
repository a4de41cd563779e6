"""What callers see of a listing: officers (``credit:manage``) the whole procedure; the feed and
the public only what a decision publishes, with persons masked and never a 身份证号."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from credit.config import CreditSettings
from credit.listing import workflow
from credit.listing.models import Listing, ListingDecision, ListingEvent
from credit.listing.schemas import (
    DecisionRef,
    DocumentOut,
    ListedSubject,
    ListingDetail,
    ListingEventEntry,
    ListingMember,
    ListingSummaryOut,
    PublicBlacklistEntry,
    PublicPerson,
    PublicUnit,
)
from credit.subject.models import Subject
from credit.subject.schemas import ROLE_LABELS
from shared.calendar import WorkingDayCalendar
from shared.masking import mask_name

UNIT_ROLE = "unit"


def role_label(role: str) -> str:
    return "单位" if role == UNIT_ROLE else ROLE_LABELS.get(role, role)


def listed_subject(subject: Subject) -> ListedSubject:
    return ListedSubject(
        id=subject.id,
        subject_type=subject.subject_type,
        uscc=subject.uscc,
        id_number=subject.id_number,
        name=subject.name,
    )


def decision_ref(decision: ListingDecision) -> DecisionRef:
    return DecisionRef(
        id=decision.id,
        decision_no=decision.decision_no,
        decided_on=decision.decided_on,
        decided_by=decision.decided_by,
    )


def summary(listing: Listing, subject: Subject, decision: ListingDecision) -> ListingSummaryOut:
    return ListingSummaryOut(**_summary_fields(listing, subject, decision))


def _summary_fields(listing: Listing, subject: Subject, decision: ListingDecision) -> dict[str, Any]:
    return {
        "id": listing.id,
        "list_type": listing.list_type,
        "list_label": workflow.LIST_LABELS[listing.list_type],
        "role": listing.role,
        "role_label": role_label(listing.role),
        "status": listing.status,
        "status_label": workflow.STATUS_LABELS[listing.status],
        "subject": listed_subject(subject),
        "decision": decision_ref(decision),
        "statement_due": listing.statement_due,
        "listed_on": listing.listed_on,
        "published_on": listing.published_on,
        "expires_on": listing.expires_on,
        "ended_on": listing.ended_on,
        "restrictions": list(listing.restrictions),
        "created_at": listing.created_at,
        "updated_at": listing.updated_at,
    }


def unverified_rules(listing: Listing, settings: CreditSettings, calendar: WorkingDayCalendar) -> list[str]:
    """The [M] settings this listing's figures rest on (domain.md: the API says so)."""
    rules: list[str] = []
    if listing.list_type == workflow.BLACKLIST:
        rules.append("blacklist_thresholds")
        if listing.statement_due is not None:
            rules.append("statement_working_days")
            if calendar.is_provisional(listing.statement_due):
                rules.append("calendar_provisional")
    elif listing.list_type == workflow.WATCH:
        rules += ["watch_criteria_note", "watch_term_years"]
    else:
        rules += ["red_criteria_note", "red_term_years"]
    return rules


def criteria_note(list_type: str, settings: CreditSettings) -> str | None:
    if list_type == workflow.WATCH:
        return settings.watch_criteria_note
    if list_type == workflow.RED:
        return settings.red_criteria_note
    return None


def event_entry(event: ListingEvent) -> ListingEventEntry:
    return ListingEventEntry(
        id=event.id,
        action=event.action,
        from_status=event.from_status,
        to_status=event.to_status,
        actor_id=event.actor_id,
        actor_name=event.actor_name,
        at=event.at,
        reason=event.reason,
        documents=[DocumentOut(title=str(d["title"]), ref=str(d["ref"])) for d in event.documents],
        data=dict(event.data),
    )


def detail(
    row: tuple[Listing, Subject, ListingDecision],
    members: Sequence[tuple[Listing, Subject, ListingDecision]],
    events: Sequence[ListingEvent],
    *,
    settings: CreditSettings,
    calendar: WorkingDayCalendar,
) -> ListingDetail:
    listing, subject, decision = row
    return ListingDetail(
        **_summary_fields(listing, subject, decision),
        basis=dict(listing.basis),
        corrected_on=listing.corrected_on,
        allowed_actions=workflow.allowed_actions(listing.list_type, listing.status),
        criteria_note=criteria_note(listing.list_type, settings),
        unverified_rules=unverified_rules(listing, settings, calendar),
        members=[
            ListingMember(
                listing_id=other.id,
                role=other.role,
                role_label=role_label(other.role),
                subject=listed_subject(other_subject),
            )
            for other, other_subject, _ in members
            if other.id != listing.id
        ],
        events=[event_entry(e) for e in events],
    )


def snapshot(listing: Listing, subject: Subject, decision: ListingDecision) -> dict[str, Any]:
    """The listing as the check and the public see it: a feed entry. No 身份证号, ever."""
    if subject.subject_type == "person":
        who: dict[str, Any] = {"type": "person", "name": mask_name(subject.name)}
    else:
        who = {"type": subject.subject_type, "uscc": subject.uscc, "name": subject.name}
    return {
        "listing_id": listing.id,
        "decision_id": decision.id,
        "list": listing.list_type,
        "role": listing.role,
        "status": listing.status,
        "restricting": listing.status in workflow.RESTRICTING,
        "subject": who,
        "decision_no": decision.decision_no,
        "decided_on": _iso(decision.decided_on),
        "listed_on": _iso(listing.listed_on),
        "published_on": _iso(listing.published_on),
        "expires_on": _iso(listing.expires_on),
        "ended_on": _iso(listing.ended_on),
        "restrictions": list(listing.restrictions),
    }


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def public_entry(
    unit: Listing, subject: Subject, decision: ListingDecision, persons: Sequence[tuple[Listing, Subject]]
) -> PublicBlacklistEntry:
    assert unit.listed_on is not None
    return PublicBlacklistEntry(
        decision_no=decision.decision_no,
        unit=PublicUnit(name=subject.name, uscc=subject.uscc),
        persons=[
            PublicPerson(name=mask_name(p.name), role=lst.role, role_label=role_label(lst.role))
            for lst, p in persons
        ],
        listed_on=unit.listed_on,
        published_on=unit.published_on,
        expires_on=unit.expires_on,
        restrictions=list(unit.restrictions),
    )
