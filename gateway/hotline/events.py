"""The gateway's own subscriber "hotline": case events turned into 12345 status callbacks,
Open311 status and 110 referrals.

Called in process by the event relay (gateway.events.dispatch) with the same retries as a
remote subscriber. Each event is applied in its own transaction and at most once: a callback
remembers the event that caused it, a referral is keyed by its referral id.
"""

from __future__ import annotations

import logging
from typing import Any, Final

from sqlalchemy.ext.asyncio import AsyncSession

from gateway.events.models import InboundEvent
from gateway.hotline import callbacks, police, repository
from gateway.hotline.links import HotlineLinks
from gateway.hotline.models import PoliceReferral
from gateway.open311 import status as open311_status

log = logging.getLogger("gateway.hotline")

STATUS_EVENTS: Final = {
    "case.accepted": "accepted",
    "case.rejected": "rejected",
    "case.progress": "progress",
    "case.closed": "closed",
    # A merged case is finished for its caller: the answer names the case that goes on.
    "case.merged": "replied",
}
DISPOSITIONS: Final = {
    "administrative_penalty": "已作出行政处罚决定",
    "order_to_correct": "已责令用人单位改正",
    "case_revoked": "已撤销立案",
    "transfer_other_dept": "已移送有关部门处理",
    "transfer_judicial": "已移送司法机关处理",
    "corrected_on_the_spot": "用人单位已当场改正",
    "no_violation": "经调查未发现违法行为",
}
REDIRECTS: Final = {
    "arbitration": "劳动人事争议仲裁委员会",
    "court": "人民法院",
    "other_department": "其他有关部门",
    "other_jurisdiction": "有管辖权的劳动保障监察机构",
}


def case_message(event_type: str, data: dict[str, Any]) -> str:
    """What the caller is told, in the words of the case event."""
    case_no = data.get("case_no", "")
    if event_type == "case.accepted":
        return (
            f"已立案受理（案件编号 {case_no}），依法应于 {data.get('investigate_by')} 前办结"
            "（《劳动保障监察条例》第十七条：60个工作日，经批准可延长30个工作日）"
        )
    if event_type == "case.rejected":
        target = REDIRECTS.get(str(data.get("redirected_to")))
        reason = str(data.get("reason") or "")
        if target:
            return f"不属于劳动保障监察受理范围，请向{target}申请处理：{reason}"
        return f"不予受理：{reason}"
    if event_type == "case.merged":
        into = data.get("into_case_no", "")
        return f"您反映的问题已与案件 {into} 并案办理，办理进展和结果以该案件为准，可凭该案件编号查询"
    if event_type == "case.closed":
        outcome = DISPOSITIONS.get(str(data.get("disposition")), "已办结")
        return f"案件 {case_no} 已结案：{outcome}"
    return str(data.get("message") or "案件办理中")


class HotlineEvents:
    def __init__(self, links: HotlineLinks) -> None:
        self.links = links

    async def __call__(self, event: InboundEvent) -> None:
        data = event.data
        async with self.links.sessionmaker() as session, session.begin():
            if event.event_type == "case.emergency":
                await self._refer(session, data)
                return
            ref = data.get("external_ref")
            if not isinstance(ref, dict) or event.event_type not in STATUS_EVENTS:
                return
            if ref.get("system") == "12345":
                await self._tell_12345(session, event, str(ref.get("id")))
            elif ref.get("system") == open311_status.SYSTEM:
                await open311_status.apply(
                    session,
                    str(ref.get("id")),
                    status=open311_status.status_after(event.event_type, data),
                    note=case_message(event.event_type, data),
                    at=event.occurred_at,
                )

    async def _tell_12345(self, session: AsyncSession, event: InboundEvent, ticket_no: str) -> None:
        if await repository.callback_for_event(session, event.id) is not None:
            return
        ticket = await repository.ticket_by_no(session, ticket_no)
        if ticket is None:
            log.warning("case event for an unknown 12345 ticket", extra={"event_id": event.id})
            return
        if ticket.returned_at is not None:
            return  # returned (退单): the platform has given it to another unit
        await callbacks.enqueue(
            session,
            ticket,
            STATUS_EVENTS[event.event_type],
            at=event.occurred_at,
            case_no=event.data.get("case_no"),
            message=case_message(event.event_type, event.data),
            source_event_id=event.id,
        )

    async def _refer(self, session: AsyncSession, data: dict[str, Any]) -> None:
        referral = data.get("referral")
        if isinstance(referral, dict):
            known = await session.get(PoliceReferral, str(referral.get("referral_id")))
            if known is not None:
                return  # a redelivered event
        if police.add_referral(session, data) is None:
            log.error("case.emergency without a usable referral", extra={"case_no": data.get("case_no")})
