"""What a caller may see of a case: personal data masked unless the scope allows it, and a
reporter's (举报人) identity withheld entirely outside ``cases:manage``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

import orjson

from complaints.case import deadlines, workflow
from complaints.case.models import Case, CaseEvent, CasePayment
from complaints.case.schemas import (
    CaseOut,
    CaseSummary,
    Deadlines,
    ExternalRef,
    PaymentOut,
    PersonOut,
    TimelineEntry,
)
from shared.auth import Identity
from shared.masking import mask_id_number, mask_name, mask_phone
from shared.money import format_money


class Duplicate(Protocol):
    """An open case of the same employer (a history row, or a filing earlier in the batch)."""

    @property
    def id(self) -> str: ...
    @property
    def case_no(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def received_at(self) -> datetime: ...


def sees_personal_data(identity: Identity) -> bool:
    return identity.has_scope("cases:manage")


def _person(case: Case, full: bool) -> PersonOut | None:
    shown = _person_shown(
        case.anonymous, case.kind, case.person_name, case.person_id_number, case.person_phone, full
    )
    return None if shown is None else PersonOut(**shown)


def _person_shown(
    anonymous: bool, kind: str, name: str | None, id_number: str | None, phone: str | None, full: bool
) -> dict[str, str | None] | None:
    """The complainant as shown (its JSON): masked unless ``full``; never a reporter's."""
    if anonymous or (name is None and id_number is None):
        return None
    if full:
        return {"name": name, "id_number": id_number, "phone": phone}
    if kind == "report":
        return None  # 条例 art. 9 ¶3: the reporter's identity is confidential
    return {
        "name": mask_name(name) if name else None,
        "id_number": mask_id_number(id_number) if id_number else None,
        "phone": mask_phone(phone) if phone else None,
    }


def case_out(case: Case, identity: Identity, today: date) -> CaseOut:
    return CaseOut(**_case_fields(case, identity, today))


def case_created(
    case: Case, identity: Identity, today: date, duplicates: Sequence[Duplicate]
) -> dict[str, Any]:
    """The 201 answer of a filing: exactly what ``CaseCreated`` dumps in JSON mode (the tests hold
    the two equal), written out by hand. Validating the model and dumping it again, with a
    ``DuplicateRef`` per open case of the employer, was a tenth of a filing's CPU (make bench,
    intake); every value here is already checked, in its column's type."""
    # A filing's case is transient, every column in its __dict__ (intake._transient_case): read
    # there, without an ORM attribute descriptor per read (some fifty per answer).
    values = case.__dict__
    status = values["status"]
    amount = values["amount_claimed"]
    external_system = values["external_system"]
    # Every timestamp in one orjson call (its output is pydantic's: ISO 8601, UTC as Z), six
    # times faster than one isoformat() each; a filing lists up to 20 duplicates.
    received_at, created_at, updated_at, *listed = json_datetimes(
        [
            values["received_at"],
            values["created_at"],
            values["updated_at"],
            *(d.received_at for d in duplicates),
        ]
    )
    return {
        "id": values["id"],
        "case_no": values["case_no"],
        "kind": values["kind"],
        "channel": values["channel"],
        "status": status,
        "status_label": workflow.STATUS_LABELS[status],
        "received_at": received_at,
        "external_ref": {"system": external_system, "id": values["external_id"] or ""}
        if external_system
        else None,
        "anonymous": values["anonymous"],
        "complainant": _person_shown(
            values["anonymous"],
            values["kind"],
            values["person_name"],
            values["person_id_number"],
            values["person_phone"],
            sees_personal_data(identity),
        ),
        "employer": {
            "name": values["employer_name"],
            "uscc": values["employer_uscc"],
            "address": values["employer_address"],
            "district_code": values["district_code"],
            "industry_code": values["industry_code"],
        },
        "employer_case_count": values["employer_case_count"],
        "issues": list(values["issues"]),
        "workers_affected": values["workers_affected"],
        "amount_claimed": None if amount is None else format_money(amount),
        "occurred_on": _json_date(values["occurred_on"]),
        "violation_ended_on": _json_date(values["violation_ended_on"]),
        "description": values["description"],
        "acceptance_checks": values["acceptance_checks"],
        "emergency": values["emergency_detail"],
        "assignee": values["assignee"],
        "deadlines": {
            "accept_by": _json_date(values["accept_by"]),
            "investigate_by": _json_date(values["investigate_by"]),
            "extended": values["extended"],
            "calendar_provisional": values["calendar_provisional"],
            "overdue": deadlines.overdue_kinds(case, today),
            "rectify_by": _json_date(values["rectify_by"]),
            "hearing_request_by": _json_date(values["hearing_request_by"]),
            "fine_due_by": _json_date(values["fine_due_by"]),
            "fine_paid_on": None,
            "late_fine_surcharge": None,
            "result_notice_by": None,
            "result_notified_on": None,
        },
        "disposition": values["disposition"],
        "merged_into_id": values["merged_into_id"],
        "allowed_actions": workflow.allowed_actions(status),
        "created_at": created_at,
        "updated_at": updated_at,
        "possible_duplicates": [
            {"id": d.id, "case_no": d.case_no, "status": d.status, "received_at": at}
            for d, at in zip(duplicates, listed, strict=True)
        ],
    }


def json_datetimes(values: list[datetime]) -> list[str]:
    """Datetimes as pydantic writes them in JSON: ISO 8601, UTC as ``Z``."""
    texts: list[str] = orjson.loads(orjson.dumps(values, option=orjson.OPT_UTC_Z))
    return texts


def _json_date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _case_fields(case: Case, identity: Identity, today: date) -> dict[str, Any]:
    full = sees_personal_data(identity)
    return dict(
        id=case.id,
        case_no=case.case_no,
        kind=case.kind,
        channel=case.channel,
        status=case.status,
        status_label=workflow.STATUS_LABELS[case.status],
        received_at=case.received_at,
        external_ref=ExternalRef(system=case.external_system, id=case.external_id or "")
        if case.external_system
        else None,
        anonymous=case.anonymous,
        complainant=_person(case, full),
        employer={
            "name": case.employer_name,
            "uscc": case.employer_uscc,
            "address": case.employer_address,
            "district_code": case.district_code,
            "industry_code": case.industry_code,
        },
        employer_case_count=case.employer_case_count,
        issues=list(case.issues),
        workers_affected=case.workers_affected,
        amount_claimed=case.amount_claimed,
        occurred_on=case.occurred_on,
        violation_ended_on=case.violation_ended_on,
        description=case.description,
        acceptance_checks=case.acceptance_checks,
        emergency=case.emergency_detail,
        assignee=case.assignee,
        deadlines=Deadlines(
            accept_by=case.accept_by,
            investigate_by=case.investigate_by,
            extended=case.extended,
            calendar_provisional=case.calendar_provisional,
            overdue=deadlines.overdue_kinds(case, today),
            rectify_by=case.rectify_by,
            hearing_request_by=case.hearing_request_by,
            fine_due_by=case.fine_due_by,
            fine_paid_on=case.fine_paid_on,
            late_fine_surcharge=_surcharge(case, today),
            result_notice_by=case.result_notice_by,
            result_notified_on=case.result_notified_on,
        ),
        disposition=case.disposition,
        merged_into_id=case.merged_into_id,
        allowed_actions=workflow.allowed_actions(case.status),
        created_at=case.created_at,
        updated_at=case.updated_at,
    )


def _surcharge(case: Case, today: date) -> Decimal | None:
    late = deadlines.late_fine_surcharge(case.fine_amount, case.fine_due_by, case.fine_paid_on or today)
    return None if late is None else late[1]


def case_summary(case: Case, today: date) -> CaseSummary:
    return CaseSummary(
        id=case.id,
        case_no=case.case_no,
        kind=case.kind,
        channel=case.channel,
        status=case.status,
        received_at=case.received_at,
        employer_name=case.employer_name,
        district_code=case.district_code,
        industry_code=case.industry_code,
        emergency=case.emergency,
        next_deadline=case.next_deadline,
        overdue=bool(deadlines.overdue_kinds(case, today)),
    )


def timeline_entry(event: CaseEvent) -> TimelineEntry:
    return TimelineEntry(
        case_id=event.case_id,
        action=event.action,
        from_status=event.from_status,
        to_status=event.to_status,
        actor=event.actor_name,
        at=event.at,
        reason=event.reason,
        data=event.data,
    )


def payment_out(payment: CasePayment, identity: Identity) -> PaymentOut:
    full = sees_personal_data(identity)
    return PaymentOut(
        id=payment.id,
        case_id=payment.case_id,
        worker_name=payment.worker_name if full else mask_name(payment.worker_name),
        worker_id_number=payment.worker_id_number if full else mask_id_number(payment.worker_id_number),
        kind=payment.kind,
        amount=payment.amount,
        paid_on=payment.paid_on,
        recorded_at=payment.recorded_at,
    )
