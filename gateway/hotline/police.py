"""The 110 link (国办发〔2022〕12号): wage matters 110 passes on become cases; emergencies are
referred to 110 at once, retried until acknowledged, and the incident number is noted on the case."""

from __future__ import annotations

from typing import Any, Final

import orjson
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.hotline import filings, intake, mapping, repository, signing, views
from gateway.hotline.delivery import AnsweredFailure, alert_if_due, log, post_json, record_attempt
from gateway.hotline.intake import Outcome
from gateway.hotline.links import HotlineLinks
from gateway.hotline.models import CaseFiling, PoliceReferral, PoliceTransfer
from gateway.hotline.schemas import ReferralOut, TransferIn, TransferOut
from shared.auth import Identity
from shared.db import utcnow
from shared.errors import FieldError, ValidationFailed
from shared.idempotency import request_hash
from shared.ids import new_uuid
from shared.outbox import DeliveryFailed, OutboxRelay
from shared.pagination import Page, PageParams, encode_cursor, time_cursor

SOURCE: Final = "110"
TARGET: Final = "110"
# Answers of the complaints service that no retry can change: the note is given up, loudly.
_NOTE_REFUSED: Final = frozenset({404, 409, 422})


def _transfer_out(transfer: PoliceTransfer, filing: CaseFiling | None) -> dict[str, Any]:
    filed = filing is not None and filing.case_id is not None
    return TransferOut(
        transfer_id=transfer.transfer_id,
        case_id=filing.case_id if filing else None,
        case_no=filing.case_no if filing else None,
        filing="filed" if filed else "queued",
        received_at=transfer.received_at,
    ).model_dump(mode="json")


def _case_body(transfer_in: TransferIn) -> dict[str, Any]:
    header = f"110转办 {transfer_in.transfer_id}"
    if transfer_in.incident_no:
        header += f"（警情编号 {transfer_in.incident_no}）"
    return mapping.case_body(
        category="complaint",
        channel="police_110",
        received_at=transfer_in.received_at,
        caller=transfer_in.caller,
        respondent=transfer_in.respondent,
        region_code=transfer_in.region_code,
        content=transfer_in.content,
        urgency="normal",
        external_ref={"system": SOURCE, "id": transfer_in.transfer_id},
        header=header,
    )


async def receive_transfer(links: HotlineLinks, identity: Identity, raw: bytes) -> Outcome:
    document, transfer_in = intake.parse(raw, TransferIn)
    intake.check_matter(
        received_at=transfer_in.received_at, respondent=transfer_in.respondent, needs_respondent=True
    )
    digest = request_hash(document)
    stored: tuple[PoliceTransfer, CaseFiling] | None = None
    try:
        async with links.sessionmaker() as session, session.begin():
            if await repository.transfer_by_id(session, transfer_in.transfer_id) is None:
                transfer = PoliceTransfer(
                    id=new_uuid(),
                    transfer_id=transfer_in.transfer_id,
                    client_id=identity.client_id,
                    request_hash=digest,
                    received_at=transfer_in.received_at,
                    payload=document,
                    created_at=utcnow(),
                )
                session.add(transfer)
                filing = filings.add(
                    session,
                    links,
                    source=SOURCE,
                    source_id=transfer.transfer_id,
                    payload=_case_body(transfer_in),
                )
                await session.flush()
                stored = transfer, filing
    except IntegrityError:
        stored = None  # a twin of this request committed first
    if stored is None:
        return await _replay(links, transfer_in.transfer_id, digest)
    transfer, filing = stored
    if await filings.forward_now(links, filing) is None:
        return Outcome(202, {"status": "queued", "transfer_id": transfer.transfer_id})
    return Outcome(201, _transfer_out(transfer, filing))


async def _replay(links: HotlineLinks, transfer_id: str, digest: str) -> Outcome:
    async with links.sessionmaker() as session:
        transfer = await repository.transfer_by_id(session, transfer_id)
        filing = await repository.filing_of(session, SOURCE, transfer_id)
    assert transfer is not None
    if transfer.request_hash != digest:
        raise ValidationFailed(
            [FieldError("transfer_id", "transfer_id_reused", "该转办编号已接收过内容不同的转办单")]
        )
    if filing is None or filing.case_id is None:
        return Outcome(202, {"status": "queued", "transfer_id": transfer_id})
    return Outcome(200, _transfer_out(transfer, filing))


def add_referral(session: AsyncSession, data: dict[str, Any]) -> PoliceReferral | None:
    """The referral the complaints service wrote into ``case.emergency``; None if malformed."""
    referral = data.get("referral")
    if not isinstance(referral, dict) or not referral.get("referral_id"):
        return None
    now = utcnow()
    row = PoliceReferral(
        id=str(referral["referral_id"]),
        case_id=str(data.get("case_id")),
        case_no=str(referral.get("case_no") or data.get("case_no")),
        payload=referral,
        created_at=now,
        available_at=now,
        attempts=0,
    )
    session.add(row)
    return row


def incident_note(referral: PoliceReferral) -> str:
    number = referral.incident_no or "（110 未返回警情编号）"
    return f"已推送110指挥中心（转警编号 {referral.id}），110已接收，警情编号：{number}"


class ReferralSender:
    def __init__(self, links: HotlineLinks) -> None:
        self.links = links

    async def __call__(self, referral: PoliceReferral) -> None:
        settings = self.links.settings
        try:
            if referral.acknowledged_at is None:
                await self._refer(referral)
            if referral.noted_at is None and referral.note_error is None:
                await self._note(referral)
        except Exception as exc:  # retried; alerted when it lasts
            alert_if_due(
                referral,
                settings.hotline_alert_after_attempts,
                "110 referral",
                str(exc),
                referral_id=referral.id,
                case_no=referral.case_no,
            )
            raise

    async def _refer(self, referral: PoliceReferral) -> None:
        settings = self.links.settings
        status: int | None = None
        error: str | None = None
        try:
            if not settings.police_110_url:
                raise DeliveryFailed("no 110 endpoint configured (GATEWAY_POLICE_110_URL)")
            body = orjson.dumps(referral.payload)
            async with self.links.sessionmaker() as session:
                secret = await signing.secret_by_name(session, settings.police_110_client)
            headers = signing.signed_headers(secret, body) if secret else {}
            status, raw = await post_json(self.links.http, settings.police_110_url, body, headers, "110")
        except Exception as exc:
            status = exc.status if isinstance(exc, AnsweredFailure) else None
            error = str(exc)
            raise
        finally:
            record_attempt(referral, TARGET, referral.id, referral.attempts + 1, status, error)
        referral.incident_no = _incident_no(raw)
        referral.acknowledged_at = utcnow()

    async def _note(self, referral: PoliceReferral) -> None:
        answer = await self.links.complaints.add_note(
            referral.case_id,
            incident_note(referral),
            timeout_seconds=self.links.settings.upstream_timeout_seconds,
        )
        if 200 <= answer.status < 300:
            referral.noted_at = utcnow()
        elif answer.status in _NOTE_REFUSED:
            # E.g. the case was merged or closed meanwhile; the number stays visible here.
            referral.note_error = f"complaints answered {answer.status}"
            log.error(
                "110 incident number could not be noted on the case",
                extra={"referral_id": referral.id, "case_no": referral.case_no, "status": answer.status},
            )
        else:
            raise DeliveryFailed(f"timeline note: complaints answered {answer.status}")


def _incident_no(raw: bytes) -> str | None:
    try:
        answer = orjson.loads(raw) if raw else None
    except orjson.JSONDecodeError:
        return None
    if isinstance(answer, dict):
        number = answer.get("incident_no") or answer.get("incident_id")
        return str(number)[:64] if number else None
    return None


def referral_relay(links: HotlineLinks) -> OutboxRelay:
    settings = links.settings
    return OutboxRelay(
        links.sessionmaker,
        PoliceReferral,
        ReferralSender(links),
        interval_seconds=settings.hotline_relay_seconds,
        base_backoff_seconds=settings.hotline_retry_base_seconds,
        max_backoff_seconds=settings.police_110_retry_max_seconds,
    )


async def list_referrals(
    session: AsyncSession, page: PageParams, *, case_no: str | None
) -> Page[ReferralOut]:
    rows = await repository.referrals(
        session, case_no=case_no, limit=page.limit + 1, after=time_cursor(page.after)
    )
    shown = rows[: page.limit]
    tries = await repository.attempts_of(session, TARGET, [r.id for r in shown])
    next_cursor = None
    if len(rows) > page.limit:
        last = shown[-1]
        next_cursor = encode_cursor([last.created_at.isoformat(), last.id])
    return Page[ReferralOut](
        items=[views.referral_out(r, tries[r.id]) for r in shown], next_cursor=next_cursor
    )
