"""What each action does to a case beyond its state change. One function per action; the
state change itself is decided by ``workflow``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.case import actions as a
from complaints.case import deadlines, events, repository, workflow
from complaints.case.deadlines import Clock
from complaints.case.models import Case, CaseEvent, CasePayment
from shared.auth import Identity
from shared.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from shared.masking import mask_id_number, mask_name
from shared.money import format_money

Changes = dict[str, Any]
Handler = Callable[[AsyncSession, Case, Any, Identity, Clock, date], Awaitable[Changes]]

# Disposition (条例 art. 18) implied by the state a case is closed from.
_DISPOSITION_ON_CLOSE = {
    workflow.PENALIZED: "administrative_penalty",
    workflow.RECTIFICATION_ORDERED: "order_to_correct",
    workflow.PENALTY_NOTIFIED: "order_to_correct",
    workflow.REVOKED: "case_revoked",
    workflow.TRANSFERRED_POLICE: "transfer_judicial",
    workflow.TRANSFERRED_DEPARTMENT: "transfer_other_dept",
}


def _facts(facts: a.ViolationFacts) -> dict[str, Any]:
    return {
        "issues": list(facts.issues),
        "workers": facts.workers,
        "amount": format_money(facts.amount) if facts.amount is not None else None,
    }


async def _accept(
    session: AsyncSession, case: Case, action: a.Accept, who: Identity, clock: Clock, on: date
) -> Changes:
    # 令25 art. 18: a complaint accepted is filed (立案) the same day.
    investigate = clock.investigate_by(on, extended=False)
    case.filed_on, case.investigate_by = on, investigate.day
    case.calendar_provisional = investigate.provisional
    events.emit(
        session, "case.accepted", case, filed_on=on.isoformat(), investigate_by=investigate.day.isoformat()
    )
    return {"filed_on": on.isoformat(), "investigate_by": investigate.day.isoformat()}


async def _reject(
    session: AsyncSession, case: Case, action: a.Reject, who: Identity, clock: Clock, on: date
) -> Changes:
    case.disposition = "not_accepted"
    events.emit(session, "case.rejected", case, reason=action.reason, ground=action.ground)
    return {"ground": action.ground}


async def _request_supplement(
    session: AsyncSession, case: Case, action: a.RequestSupplement, who: Identity, clock: Clock, on: date
) -> Changes:
    events.emit(session, "case.progress", case, message="已通知投诉人补正材料")
    return {"items": list(action.items), "requested_on": on.isoformat()}


async def _supplement_received(
    session: AsyncSession, case: Case, action: a.SupplementReceived, who: Identity, clock: Clock, on: date
) -> Changes:
    if clock.settings.supplement_restarts_clock:
        case.accept_clock_from = on
        result = clock.accept_by(on)
    else:
        requested = await session.scalar(
            select(CaseEvent.data)
            .where(CaseEvent.case_id == case.id, CaseEvent.action == "request_supplement")
            .order_by(CaseEvent.id.desc())
            .limit(1)
        )
        requested_on = date.fromisoformat(requested["requested_on"]) if requested else on
        assert case.accept_clock_from is not None
        result = clock.accept_by_resumed(case.accept_clock_from, requested_on, on)
    case.accept_by, case.calendar_provisional = result.day, result.provisional
    return {"accept_by": result.day.isoformat(), "clock_restarted": clock.settings.supplement_restarts_clock}


async def _redirect(
    session: AsyncSession, case: Case, action: a.Redirect, who: Identity, clock: Clock, on: date
) -> Changes:
    case.disposition = "redirected"
    events.emit(session, "case.rejected", case, reason=action.reason, redirected_to=action.target)
    return {"target": action.target, "target_name": action.target_name}


async def _assign(
    session: AsyncSession, case: Case, action: a.Assign, who: Identity, clock: Clock, on: date
) -> Changes:
    previous, case.assignee = case.assignee, action.assignee
    return {"assignee": action.assignee, "previous": previous}


async def _start_investigation(
    session: AsyncSession, case: Case, action: a.StartInvestigation, who: Identity, clock: Clock, on: date
) -> Changes:
    events.emit(session, "case.progress", case, message="已开始调查")
    return {"inspectors": list(action.inspectors)}


async def _extend(
    session: AsyncSession, case: Case, action: a.Extend, who: Identity, clock: Clock, on: date
) -> Changes:
    # 条例 art. 17: +30 working days, once, with the department head's approval.
    if not who.has_scope("cases:approve"):
        raise Forbidden(
            "延长调查期限须经负责人批准（需要 cases:approve 权限）",
            extra={"required_scopes": ["cases:approve"]},
        )
    if case.extended:
        raise Conflict("调查期限已延长过一次，最长为90个工作日", code="already_extended")
    assert case.filed_on is not None
    result = clock.investigate_by(case.filed_on, extended=True)
    previous = case.investigate_by
    case.extended, case.investigate_by = True, result.day
    case.calendar_provisional = case.calendar_provisional or result.provisional
    return {
        "investigate_by": result.day.isoformat(),
        "previous": previous.isoformat() if previous else None,
        "approved_by": action.approved_by,
    }


async def _order_rectification(
    session: AsyncSession, case: Case, action: a.OrderRectification, who: Identity, clock: Clock, on: date
) -> Changes:
    if action.rectify_by <= on:
        raise ValidationFailed([FieldError("rectify_by", "not_after_order", "整改期限应晚于责令改正之日")])
    case.rectify_by = action.rectify_by
    facts = _facts(action.facts)
    events.emit(session, "case.violation_established", case, stage="order_to_correct", facts=facts)
    events.emit(session, "case.progress", case, message="已责令限期改正")
    return {"rectify_by": action.rectify_by.isoformat(), "items": list(action.items), "facts": facts}


async def _record_payment(
    session: AsyncSession, case: Case, action: a.RecordPayment, who: Identity, clock: Clock, on: date
) -> Changes:
    paid_on = action.paid_on or on
    if paid_on > on:
        raise ValidationFailed([FieldError("paid_on", "after_action_day", "支付日期不能晚于办理日期")])
    session.add(
        CasePayment(
            case_id=case.id,
            worker_name=action.worker.name,
            worker_id_number=action.worker.id_number,
            kind=action.kind,
            amount=action.amount,
            paid_on=paid_on,
            recorded_by=who.client_id,
        )
    )
    return {
        "worker": mask_name(action.worker.name),
        "worker_id_number": mask_id_number(action.worker.id_number),
        "kind": action.kind,
        "amount": format_money(action.amount),
        "paid_on": paid_on.isoformat(),
    }


async def _notify_penalty(
    session: AsyncSession, case: Case, action: a.NotifyPenalty, who: Identity, clock: Clock, on: date
) -> Changes:
    result = clock.hearing_request_by(on)
    case.hearing_request_by = result.day
    case.calendar_provisional = case.calendar_provisional or result.provisional
    return {"proposed_fine": format_money(action.proposed_fine), "hearing_request_by": result.day.isoformat()}


async def _penalize(
    session: AsyncSession, case: Case, action: a.Penalize, who: Identity, clock: Clock, on: date
) -> Changes:
    # A decision without a fine (a warning, say) has nothing to pay and no payment clock.
    due = clock.fine_due_by(action.served_on).day if action.fine > 0 else None
    case.fine_amount, case.fine_due_by = action.fine, due
    facts = _facts(action.facts)
    events.emit(
        session,
        "case.violation_established",
        case,
        stage="administrative_penalty",
        decision_no=action.decision_no,
        fine=format_money(action.fine),
        facts=facts,
    )
    return {
        "decision_no": action.decision_no,
        "fine": format_money(action.fine),
        "fine_due_by": due.isoformat() if due else None,
    }


async def _record_fine_payment(
    session: AsyncSession, case: Case, action: a.RecordFinePayment, who: Identity, clock: Clock, on: date
) -> Changes:
    if not case.fine_amount or case.fine_due_by is None:
        raise Conflict("该案件的处罚决定未处罚款", code="no_fine")
    if case.fine_paid_on is not None:
        raise Conflict(
            f"罚款已于 {case.fine_paid_on.isoformat()} 缴纳",
            code="fine_already_paid",
            extra={"fine_paid_on": case.fine_paid_on.isoformat()},
        )
    paid_on = action.paid_on or on
    if paid_on > on:
        raise ValidationFailed([FieldError("paid_on", "after_action_day", "缴纳日期不能晚于办理日期")])
    late = deadlines.late_fine_surcharge(case.fine_amount, case.fine_due_by, paid_on)
    assert late is not None
    case.fine_paid_on = paid_on
    events.emit(session, "case.progress", case, message="罚款已缴纳")
    return {
        "paid_on": paid_on.isoformat(),
        "receipt_no": action.receipt_no,
        "fine": format_money(case.fine_amount),
        "days_late": late[0],
        "late_surcharge": format_money(late[1]),
    }


async def _revoke(
    session: AsyncSession, case: Case, action: a.Revoke, who: Identity, clock: Clock, on: date
) -> Changes:
    case.disposition = "case_revoked"
    events.emit(session, "case.progress", case, message=f"已撤销立案：{action.reason}")
    return {}


async def _transfer_police(
    session: AsyncSession, case: Case, action: a.TransferPolice, who: Identity, clock: Clock, on: date
) -> Changes:
    case.disposition = "transfer_judicial"
    events.emit(session, "case.progress", case, message="已移送公安机关")
    return {"receiving_unit": action.receiving_unit}


async def _transfer_department(
    session: AsyncSession, case: Case, action: a.TransferDepartment, who: Identity, clock: Clock, on: date
) -> Changes:
    case.disposition = "transfer_other_dept"
    events.emit(session, "case.progress", case, message=f"已移送{action.department}处理")
    return {"department": action.department}


async def _merge(
    session: AsyncSession, case: Case, action: a.Merge, who: Identity, clock: Clock, on: date
) -> Changes:
    target = await repository.get(session, action.into_case_id)
    if target is None:
        raise NotFound(f"并入的案件不存在：{action.into_case_id}", code="case_not_found")
    if target.id == case.id:
        raise ValidationFailed([FieldError("into_case_id", "merge_into_self", "不能将案件并入自身")])
    if target.status in workflow.TERMINAL:
        raise Conflict(
            f"案件 {target.case_no} 已{workflow.STATUS_LABELS[target.status]}，不能并入",
            code="merge_target_closed",
        )
    case.merged_into_id = target.id
    session.add(
        CaseEvent(
            case_id=target.id,
            action="merged_from",
            from_status=target.status,
            to_status=target.status,
            actor_id=who.client_id,
            actor_name=who.client_name,
            reason=action.reason,
            data={"merged_case_id": case.id, "merged_case_no": case.case_no},
        )
    )
    # The merged case ends here: whoever follows it (a 12345 ticket, an Open311 request) is
    # told which case carries the matter on.
    events.emit(session, "case.merged", case, into_case_id=target.id, into_case_no=target.case_no)
    return {"into_case_id": target.id, "into_case_no": target.case_no}


async def _close(
    session: AsyncSession, case: Case, action: a.Close, who: Identity, clock: Clock, on: date
) -> Changes:
    disposition = action.disposition or _DISPOSITION_ON_CLOSE.get(case.status)
    if disposition is None:
        raise ValidationFailed([FieldError("disposition", "missing", "请说明结案处理结果")])
    case.disposition = disposition
    events.emit(session, "case.closed", case, disposition=disposition)
    changes: dict[str, Any] = {"disposition": disposition}
    if _owed_a_result_notice(case):
        notice = clock.result_notice_by(on)
        case.result_notice_by = notice.day
        changes["result_notice_by"] = notice.day.isoformat()
    return changes


def _owed_a_result_notice(case: Case) -> bool:
    # Someone to tell: not anonymous, with a name or a phone. A 12345 caller is told through the
    # platform, which the case.closed event reaches (gateway.hotline).
    if case.anonymous or case.channel == "hotline_12345":
        return False
    return bool(case.person_name or case.person_phone)


async def _notify_result(
    session: AsyncSession, case: Case, action: a.NotifyResult, who: Identity, clock: Clock, on: date
) -> Changes:
    if case.result_notice_by is None:
        raise Conflict(
            "该案件无须向投诉举报人告知处理结果（匿名、经12345告知或无联系方式）", code="no_result_notice"
        )
    if case.result_notified_on is not None:
        raise Conflict(
            f"已于 {case.result_notified_on.isoformat()} 告知处理结果",
            code="result_already_notified",
            extra={"result_notified_on": case.result_notified_on.isoformat()},
        )
    case.result_notified_on = on
    return {"method": action.method, "late": on > case.result_notice_by}


async def _add_note(
    session: AsyncSession, case: Case, action: a.AddNote, who: Identity, clock: Clock, on: date
) -> Changes:
    events.emit(session, "case.progress", case, message=action.reason)
    return {}


HANDLERS: dict[str, Handler] = {
    "accept": _accept,
    "reject": _reject,
    "request_supplement": _request_supplement,
    "supplement_received": _supplement_received,
    "redirect": _redirect,
    "assign": _assign,
    "start_investigation": _start_investigation,
    "extend": _extend,
    "order_rectification": _order_rectification,
    "record_payment": _record_payment,
    "notify_penalty": _notify_penalty,
    "penalize": _penalize,
    "record_fine_payment": _record_fine_payment,
    "revoke": _revoke,
    "transfer_police": _transfer_police,
    "transfer_department": _transfer_department,
    "merge": _merge,
    "close": _close,
    "notify_result": _notify_result,
    "add_note": _add_note,
}
