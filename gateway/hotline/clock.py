"""The ticket's own clock (domain.md §6.2): signed (签收) on arrival, a reply due by the
platform's ``due_at`` or, failing that, by the configured policy on the working-day calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from gateway.config import GatewaySettings
from shared.calendar import WorkingDayCalendar
from shared.timeutil import CHINA_TZ, china_date


@dataclass(frozen=True, slots=True)
class ReplyDue:
    at: datetime
    source: str  # "platform" or "policy"
    provisional: bool


@dataclass(frozen=True, slots=True)
class DueState:
    overdue: bool
    due_soon: bool


def reply_due(
    settings: GatewaySettings,
    calendar: WorkingDayCalendar,
    *,
    category: str,
    urgency: str,
    received_at: datetime,
    platform_due_at: datetime | None,
) -> ReplyDue:
    if platform_due_at is not None:
        return ReplyDue(platform_due_at, "platform", False)
    hours = settings.hotline_urgent_reply_hours.get(urgency)
    if hours is not None:
        return ReplyDue(received_at + timedelta(hours=hours), "policy", False)
    days = settings.hotline_reply_working_days.get(category, 5)
    result = calendar.add_working_days(china_date(received_at), days)
    at = datetime.combine(result.day, settings.hotline_close_of_business, tzinfo=CHINA_TZ)
    return ReplyDue(at, "policy", result.provisional)


def due_basis(settings: GatewaySettings, *, source: str, category: str, urgency: str) -> str:
    """Where the reply deadline comes from, in words (a policy value says it is not law)."""
    if source == "platform":
        return "12345平台工单要求的办理时限"
    hours = settings.hotline_urgent_reply_hours.get(urgency)
    if hours is not None:
        return f"默认时限（本局政策，非法定）：紧急工单 {hours:g} 小时内首次答复"
    days = settings.hotline_reply_working_days.get(category, 5)
    return f"默认时限（本局政策，非法定）：{days} 个工作日内答复"


def due_state(settings: GatewaySettings, *, due_at: datetime, settled: bool, now: datetime) -> DueState:
    """``settled``: answered or returned, so the clock no longer runs."""
    if settled:
        return DueState(False, False)
    warn = timedelta(hours=settings.hotline_due_soon_hours)
    return DueState(overdue=now > due_at, due_soon=due_at - warn <= now <= due_at)
