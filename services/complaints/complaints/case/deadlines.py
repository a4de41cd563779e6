"""Deadline arithmetic on the official working-day calendar (domain.md §1, §2.4, §2.5)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Final

from complaints.case import workflow
from complaints.case.models import Case
from complaints.config import ComplaintsSettings
from shared.calendar import CalendarResult, WorkingDayCalendar


@dataclass(frozen=True, slots=True)
class Clock:
    calendar: WorkingDayCalendar
    settings: ComplaintsSettings

    def accept_by(self, clock_from: date) -> CalendarResult:
        # 令25 art. 18: 5 working days from receipt; the day of receipt is not counted.
        return self.calendar.add_working_days(clock_from, self.settings.accept_working_days)

    def accept_by_resumed(self, clock_from: date, paused_on: date, resumed_on: date) -> CalendarResult:
        # A supplement that does not restart the clock (a local-policy setting): the working days
        # used before the pause are spent, the rest run from the day the supplement came.
        used = self.calendar.working_days_between(clock_from, paused_on)
        return self.calendar.add_working_days(resumed_on, max(0, self.settings.accept_working_days - used))

    def investigate_by(self, filed_on: date, *, extended: bool) -> CalendarResult:
        # 条例 art. 17: 60 working days from 立案, +30 with the department head's approval.
        days = self.settings.investigate_working_days
        if extended:
            days += self.settings.extension_working_days
        return self.calendar.add_working_days(filed_on, days)

    def hearing_request_by(self, notified_on: date) -> CalendarResult:
        # 行政处罚法 arts. 64, 85: 5 working days after the notice.
        return self.calendar.add_working_days(notified_on, self.settings.hearing_request_working_days)

    def result_notice_by(self, closed_on: date) -> CalendarResult:
        # 保障农民工工资支付条例 art. 10 ¶3: the complainant is told the result [V]; the period is
        # policy [M].
        return self.calendar.add_working_days(closed_on, self.settings.result_notice_working_days)

    def fine_due_by(self, served_on: date) -> CalendarResult:
        # 行政处罚法 art. 67: 15 days (calendar days, art. 85) after service.
        return self.calendar.add_calendar_days(served_on, self.settings.fine_payment_days)


def refresh_running_deadline(case: Case) -> None:
    """Set the indexed ``next_deadline`` to the deadline the bureau is now running against."""
    unpaid_fine_due = case.fine_due_by if case.fine_paid_on is None else None
    notice_due = case.result_notice_by if case.result_notified_on is None else None
    case.next_deadline, case.next_deadline_kind = running_deadline(
        case.status, case.accept_by, case.investigate_by, unpaid_fine_due, notice_due
    )


def running_deadline(
    status: str,
    accept_by: date | None,
    investigate_by: date | None,
    unpaid_fine_due: date | None = None,
    notice_due: date | None = None,
) -> tuple[date | None, str | None]:
    """The deadline a case in ``status`` runs against, and its kind (``accept``, ``investigate``,
    ``fine``: a penalty decision's fine not yet paid, 行政处罚法 art. 67; ``notify``: a closed
    case's result not yet told to the complainant)."""
    if status in workflow.ACCEPTANCE_STATES and accept_by is not None:
        return accept_by, "accept"
    if status in workflow.INVESTIGATION_STATES and investigate_by is not None:
        return investigate_by, "investigate"
    if status == workflow.PENALIZED and unpaid_fine_due is not None:
        return unpaid_fine_due, "fine"
    if status == workflow.CLOSED and notice_due is not None:
        return notice_due, "notify"
    return None, None


# 行政处罚法 art. 72 [V]: a fine not paid when due takes 3% of it a day, never more than the fine.
LATE_FINE_DAILY_RATE: Final = Decimal("0.03")


def late_fine_surcharge(fine: Decimal | None, due: date | None, until: date) -> tuple[int, Decimal] | None:
    """Days late and the surcharge (加处罚款) of a fine due on ``due`` and paid (or still unpaid)
    on ``until``; None when there is no fine."""
    if fine is None or due is None:
        return None
    days = max(0, (until - due).days)
    surcharge = min(fine, (fine * LATE_FINE_DAILY_RATE * days).quantize(Decimal("0.01")))
    return days, surcharge


def overdue_kinds(case: Case, today: date) -> list[str]:
    if case.next_deadline is not None and case.next_deadline < today and case.next_deadline_kind:
        return [case.next_deadline_kind]
    return []
