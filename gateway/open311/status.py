"""Case status mirrored onto Open311 requests from the case events (open/closed + a note)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from sqlalchemy.ext.asyncio import AsyncSession

from gateway.open311.models import Open311Request
from shared.db import utcnow

SYSTEM: Final = "open311"
# The complaints service's case states (its workflow.STATUS_LABELS); the gateway imports no service.
CASE_STATUS_LABELS: Final = {
    "received": "已登记",
    "supplement_requested": "待补正",
    "not_accepted": "不予受理",
    "redirected": "已告知其他途径",
    "filed": "已立案",
    "investigating": "调查中",
    "rectification_ordered": "已责令改正",
    "penalty_notified": "已处罚告知",
    "penalized": "已处罚",
    "transferred_police": "已移送公安",
    "transferred_department": "已移送有关部门",
    "revoked": "已撤销立案",
    "merged": "已并案",
    "closed": "已结案",
}
CLOSED_STATES: Final = frozenset({"not_accepted", "redirected", "merged", "closed"})


def status_after(event_type: str, data: dict[str, Any]) -> str | None:
    """The case's state after the event (the event carries the state it was emitted in, which
    is the one before the action); None when a progress event does not say."""
    if event_type == "case.accepted":
        return "filed"
    if event_type == "case.rejected":
        return "redirected" if data.get("redirected_to") else "not_accepted"
    if event_type == "case.closed":
        return "closed"
    if event_type == "case.merged":
        return "merged"
    return None


async def apply(
    session: AsyncSession, request_id: str, *, status: str | None, note: str, at: datetime
) -> None:
    """Take the event unless a later one was applied already (events may arrive out of order
    after a retry)."""
    request = await session.get(Open311Request, request_id)
    if request is None or (request.status_at is not None and at < request.status_at):
        return
    if status is not None:
        request.case_status = status
    request.status_note, request.status_at = note, at
    request.updated_at = utcnow()


def open_or_closed(case_status: str | None) -> str:
    return "closed" if case_status in CLOSED_STATES else "open"


def status_notes(case_status: str | None, note: str | None, *, filed: bool) -> str:
    if case_status is not None:
        label = CASE_STATUS_LABELS.get(case_status, case_status)
    else:
        label = "已登记" if filed else "已收到，正在转交劳动保障监察机构登记"
    return f"{label}：{note}" if note else label
