"""What each action does to a decision beyond its state change, one function per action. The
state change itself is decided by ``workflow``; each handler checks the action's own rules,
sets the dates on every listing of the decision and returns what the history should record."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from credit.config import CreditSettings
from credit.listing import actions as a
from credit.listing import repository, terms, workflow
from credit.listing.models import Listing, ListingDecision
from credit.subject.models import Subject
from shared.auth import Identity
from shared.calendar import WorkingDayCalendar
from shared.errors import Conflict, FieldError, ValidationFailed

Changes = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Context:
    session: AsyncSession
    rows: list[tuple[Listing, Subject, ListingDecision]]  # the unit first
    identity: Identity
    settings: CreditSettings
    calendar: WorkingDayCalendar
    today: date
    from_status: str

    @property
    def unit(self) -> Listing:
        return self.rows[0][0]

    @property
    def decision(self) -> ListingDecision:
        return self.rows[0][2]

    @property
    def listings(self) -> list[Listing]:
        return [row[0] for row in self.rows]


Handler = Callable[[Context, Any], Awaitable[Changes]]


def _day(
    value: date | None, field: str, ctx: Context, *, not_before: date | None = None, label: str = ""
) -> date:
    """The action's date (today by default): never in the future, never before ``not_before``."""
    day = value or ctx.today
    if day > ctx.today:
        raise ValidationFailed([FieldError(field, "in_future", "日期不能晚于今天")])
    if not_before is not None and day < not_before:
        raise ValidationFailed(
            [FieldError(field, "too_early", f"日期不能早于{label}（{not_before.isoformat()}）")]
        )
    return day


async def _notify(ctx: Context, action: a.Notify) -> Changes:
    served_on = _day(action.served_on, "served_on", ctx)
    # 令45 告知: 陈述申辩 within N working days of service [M]; the service day is not counted.
    due = ctx.calendar.add_working_days(served_on, ctx.settings.statement_working_days)
    for listing in ctx.listings:
        listing.statement_due = due.day
    return {
        "served_on": served_on.isoformat(),
        "statement_due": due.day.isoformat(),
        "statement_working_days": ctx.settings.statement_working_days,
        "calendar_provisional": due.provisional,
    }


async def _served_on(ctx: Context) -> date | None:
    notice = await repository.last_event(ctx.session, ctx.unit.id, "notify")
    return date.fromisoformat(notice.data["served_on"]) if notice is not None else None


async def _record_statement(ctx: Context, action: a.RecordStatement) -> Changes:
    served_on = await _served_on(ctx)
    received_on = _day(action.received_on, "received_on", ctx, not_before=served_on, label="告知书送达日期")
    if not action.waived and action.summary is None:
        raise ValidationFailed(
            [FieldError("summary", "missing", "请填写陈述申辩要点；当事人放弃的请设置 waived")]
        )
    due = ctx.unit.statement_due
    return {
        "received_on": received_on.isoformat(),
        "waived": action.waived,
        "summary": action.summary,
        "late": due is not None and received_on > due,
    }


async def _review(ctx: Context, action: a.Review) -> Changes:
    return {"conclusion": action.conclusion}


async def _check_statement_heard(ctx: Context, decided_on: date) -> None:
    """No decision while the party may still state its case, nor before its statement is reviewed."""
    unit = ctx.unit
    if ctx.from_status == workflow.NOTIFIED:
        due = unit.statement_due
        if due is not None and decided_on <= due:
            raise Conflict(
                f"陈述申辩期限至 {due.isoformat()} 届满；期限届满前，除当事人已提出陈述申辩或书面放弃外，"
                "不能作出列入决定",
                code="statement_period_running",
                extra={"statement_due": due.isoformat()},
            )
    elif ctx.from_status == workflow.UNDER_REVIEW:
        statement = await repository.last_event(ctx.session, unit.id, "record_statement")
        if statement is not None and statement.data.get("waived"):
            return
        review = await repository.last_event(ctx.session, unit.id, "review")
        if review is None or (statement is not None and review.id < statement.id):
            raise Conflict("已收到陈述申辩，须先完成复核（review）方可作出列入决定", code="review_required")
        if review.data.get("conclusion") != "maintain":
            raise Conflict("复核结论为不予列入，应撤回（withdraw）本次拟列入", code="review_dropped")


async def _decide(ctx: Context, action: a.Decide) -> Changes:
    served_on = await _served_on(ctx)
    decided_on = _day(action.decided_on, "decided_on", ctx, not_before=served_on, label="告知书送达日期")
    await _check_statement_heard(ctx, decided_on)
    if await repository.decision_no_taken(ctx.session, action.decision_no):
        raise Conflict(f"决定书文号 {action.decision_no} 已被使用", code="decision_no_taken")
    decision = ctx.decision
    decision.decision_no = action.decision_no
    decision.decided_on = decided_on
    decision.decided_by = ctx.identity.client_id
    list_type = ctx.unit.list_type
    expires = terms.expires_on(ctx.settings, list_type, decided_on)
    for listing in ctx.listings:
        listing.listed_on = decided_on
        listing.expires_on = expires
        listing.restrictions = terms.restrictions(list_type)
    return {
        "decision_no": action.decision_no,
        "decided_on": decided_on.isoformat(),
        "expires_on": expires.isoformat(),
        "term_years": terms.term_years(ctx.settings, list_type),
    }


async def _publish(ctx: Context, action: a.Publish) -> Changes:
    published_on = _day(
        action.published_on, "published_on", ctx, not_before=ctx.unit.listed_on, label="列入日期"
    )
    for listing in ctx.listings:
        listing.published_on = published_on
    return {"published_on": published_on.isoformat()}


async def _request_early_removal(ctx: Context, action: a.RequestEarlyRemoval) -> Changes:
    applied_on = _day(action.applied_on, "applied_on", ctx)
    if action.corrected_on > applied_on:
        raise ValidationFailed(
            [FieldError("corrected_on", "after_application", "纠正失信行为的日期不能晚于申请日期")]
        )
    for listing in ctx.listings:
        listing.corrected_on = action.corrected_on
    eligible = terms.early_removal_from(action.corrected_on, ctx.settings.early_removal_months)
    return {
        "applied_on": applied_on.isoformat(),
        "arrears_paid": action.arrears_paid,
        "corrected_on": action.corrected_on.isoformat(),
        "pledge": action.pledge,
        "eligible_from": eligible.isoformat(),
    }


async def _remove_early(ctx: Context, action: a.RemoveEarly) -> Changes:
    request = await repository.last_event(ctx.session, ctx.unit.id, "request_early_removal")
    assert request is not None  # the workflow allows this action only after a request
    applied_on = date.fromisoformat(request.data["applied_on"])
    removed_on = _day(action.removed_on, "removed_on", ctx, not_before=applied_on, label="申请日期")
    # 令45 [V2]: arrears paid, a 守信承诺 given, and 6 full months since the correction.
    conditions = {"arrears_paid": "未清偿拖欠的农民工工资", "pledge": "未作出守信承诺"}
    unmet = [key for key in conditions if not request.data.get(key)]
    if unmet:
        raise Conflict(
            "不符合提前移出条件：" + "、".join(conditions[key] for key in unmet),
            code="early_removal_conditions_unmet",
            extra={"unmet": unmet},
        )
    corrected_on = date.fromisoformat(request.data["corrected_on"])
    months = ctx.settings.early_removal_months
    eligible = terms.early_removal_from(corrected_on, months)
    if removed_on < eligible:
        raise Conflict(
            f"纠正失信行为（{corrected_on.isoformat()}）后须满{months}个月方可提前移出，"
            f"最早 {eligible.isoformat()}",
            code="early_removal_too_soon",
            extra={"eligible_from": eligible.isoformat()},
        )
    for listing in ctx.listings:
        listing.ended_on = removed_on
    return {"removed_on": removed_on.isoformat(), "corrected_on": corrected_on.isoformat()}


async def _reject_early_removal(ctx: Context, action: a.RejectEarlyRemoval) -> Changes:
    return {}


async def _expire(ctx: Context, action: a.Expire) -> Changes:
    expires = ctx.unit.expires_on
    if expires is None or expires > ctx.today:
        until = expires.isoformat() if expires else "未定"
        raise Conflict(f"名单期限至 {until} 届满，尚未到期", code="not_expired")
    for listing in ctx.listings:
        listing.ended_on = expires
    return {"expires_on": expires.isoformat(), "ended_on": expires.isoformat()}


async def _revoke(ctx: Context, action: a.Revoke) -> Changes:
    # Ends the listing from the revocation date: an as_of check before that day still answers
    # what the registry applied then. A decision annulled ab initio is recorded the same way,
    # with the reason saying so.
    revoked_on = _day(action.revoked_on, "revoked_on", ctx, not_before=ctx.unit.listed_on, label="列入日期")
    for listing in ctx.listings:
        listing.ended_on = revoked_on
    return {"revoked_on": revoked_on.isoformat()}


async def _withdraw(ctx: Context, action: a.Withdraw) -> Changes:
    return {}


HANDLERS: dict[str, Handler] = {
    "notify": _notify,
    "record_statement": _record_statement,
    "review": _review,
    "decide": _decide,
    "publish": _publish,
    "request_early_removal": _request_early_removal,
    "remove_early": _remove_early,
    "reject_early_removal": _reject_early_removal,
    "expire": _expire,
    "revoke": _revoke,
    "withdraw": _withdraw,
}
