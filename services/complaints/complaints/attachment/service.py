"""Business rules of evidence attachments: what may be uploaded, by whom, and how it is kept.

An upload is streamed straight into storage through a checking iterator (size cap, magic bytes,
empty body), so nothing is buffered whole and a refused upload leaves no file. The stored key is
recorded in :class:`StoredBlobs` first: the router deletes every recorded blob if the request's
transaction does not commit, so no file outlives a rolled-back row.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any
from urllib.parse import quote

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.attachment.models import Attachment
from complaints.attachment.schemas import AttachmentOut
from complaints.attachment.storage import ObjectNotFound, Storage
from complaints.case import repository as case_repository
from complaints.case.models import CaseEvent
from complaints.case.service import load_case
from complaints.idempotency import IdempotencyRecord
from shared import idempotency
from shared.auth import Identity
from shared.errors import (
    AppError,
    FieldError,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
)
from shared.ids import new_uuid
from shared.pagination import Page, PageParams, encode_cursor, time_cursor
from shared.timeutil import now_utc

# Enough of the head of a file to recognise every signature below.
SNIFF_BYTES = 16
_ZIP = (b"PK\x03\x04",)


def _starts(*signatures: bytes) -> Callable[[bytes], bool]:
    return lambda head: head.startswith(signatures)


# Declared type -> does the content's head carry that format's signature? A type that is not
# listed (text/plain) has no signature to check.
MAGIC: dict[str, Callable[[bytes], bool]] = {
    "application/pdf": _starts(b"%PDF-"),
    "image/jpeg": _starts(b"\xff\xd8\xff"),
    "image/png": _starts(b"\x89PNG\r\n\x1a\n"),
    "image/webp": lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP",
    # Office Open XML documents are ZIP packages.
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": _starts(*_ZIP),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": _starts(*_ZIP),
}


class StoredBlobs:
    """Storage keys written during one request, to delete if its transaction does not commit."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.keys: list[str] = []

    def track(self, key: str) -> None:
        self.keys.append(key)

    async def discard(self) -> None:
        keys, self.keys = self.keys, []
        for key in keys:
            await self.storage.delete(key)


def media_type(header: str | None) -> str:
    """``Content-Type`` without parameters, lower case (``image/PNG; x=y`` -> ``image/png``)."""
    return (header or "").split(";", 1)[0].strip().lower()


def _allowed_type(header: str | None, allowed: Sequence[str]) -> str:
    declared = media_type(header)
    if declared not in {t.lower() for t in allowed}:
        what = f"不支持的附件类型：{declared}" if declared else "缺少 Content-Type"
        raise UnsupportedMediaType(
            f"{what}；允许的类型：{', '.join(allowed)}",
            code="attachment_type_not_allowed",
            extra={"allowed_types": list(allowed)},
        )
    return declared


def _too_large(max_bytes: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"附件超过大小上限 {max_bytes} 字节", code="attachment_too_large", extra={"max_bytes": max_bytes}
    )


def _check_magic(content_type: str, head: bytes) -> None:
    matches = MAGIC.get(content_type)
    if matches is not None and not matches(head):
        raise UnsupportedMediaType(
            f"文件内容与声明的类型 {content_type} 不符",
            code="attachment_type_mismatch",
            extra={"declared_type": content_type},
        )


async def _checked(body: AsyncIterator[bytes], content_type: str, max_bytes: int) -> AsyncIterator[bytes]:
    """``body`` passed through, refusing (by raising) what must not be stored.

    The head is held back until it can be sniffed, so no byte of a mismatched file is written.
    """
    head = b""
    sniffed = False
    size = 0
    async for chunk in body:
        if not chunk:
            continue
        size += len(chunk)
        if size > max_bytes:
            raise _too_large(max_bytes)
        if sniffed:
            yield chunk
            continue
        head += chunk
        if len(head) >= SNIFF_BYTES:
            _check_magic(content_type, head)
            sniffed = True
            yield head
    if size == 0:
        raise ValidationFailed([FieldError("body", "attachment_empty", "附件内容不能为空")])
    if not sniffed:
        _check_magic(content_type, head)
        yield head


def attachment_out(attachment: Attachment) -> AttachmentOut:
    return AttachmentOut(
        id=attachment.id,
        case_id=attachment.case_id,
        filename=attachment.filename,
        content_type=attachment.content_type,
        size=attachment.size,
        sha256=attachment.sha256,
        uploaded_by=attachment.uploaded_by,
        uploaded_at=attachment.uploaded_at,
    )


async def upload(
    session: AsyncSession,
    identity: Identity,
    case_id: str,
    body: AsyncIterator[bytes],
    *,
    filename: str,
    content_type: str | None,
    declared_length: int | None,
    max_bytes: int,
    allowed_types: Sequence[str],
    storage: Storage,
    blobs: StoredBlobs,
    idempotency_key: str | None,
) -> tuple[int, dict[str, Any]]:
    case = await load_case(session, identity, case_id)
    declared = _allowed_type(content_type, allowed_types)
    if declared_length is not None and declared_length > max_bytes:
        # Refused before a byte is read; the streaming check below covers chunked bodies.
        raise _too_large(max_bytes)

    attachment_id = new_uuid()
    key = f"{case.id}/{attachment_id}"
    blobs.track(key)
    stored = await storage.save(key, _checked(body, declared, max_bytes))

    record = None
    if idempotency_key is not None:
        # The body's digest is part of the request, so the key can only be claimed once it is known.
        record, replay = await idempotency.begin(
            session,
            IdempotencyRecord,
            client_id=identity.client_id,
            key=idempotency_key,
            payload={
                "attachment_of": case.id,
                "filename": filename,
                "content_type": declared,
                "size": stored.size,
                "sha256": stored.sha256,
            },
        )
        if replay is not None:
            await blobs.discard()  # the retry's copy: the first upload is the one kept
            return replay

    now = now_utc()
    attachment = Attachment(
        id=attachment_id,
        case_id=case.id,
        filename=filename,
        content_type=declared,
        size=stored.size,
        sha256=stored.sha256,
        storage_key=key,
        uploaded_by=identity.client_id,
        uploaded_at=now,
    )
    session.add(attachment)
    session.add(
        CaseEvent(
            case_id=case.id,
            action="attach",
            from_status=case.status,
            to_status=case.status,
            actor_id=identity.client_id,
            actor_name=identity.client_name,
            at=now,
            reason=None,
            data={
                "attachment_id": attachment_id,
                "filename": filename,
                "size": stored.size,
                "sha256": stored.sha256,
            },
        )
    )
    await session.flush()
    result = attachment_out(attachment).model_dump(mode="json")
    if record is not None:
        idempotency.complete(record, 201, result)
    return 201, result


async def list_attachments(
    session: AsyncSession, identity: Identity, case_id: str, page: PageParams
) -> Page[AttachmentOut]:
    case = await load_case(session, identity, case_id)
    # Evidence of cases merged into this one stays reachable from it, as their timeline does.
    case_ids = await case_repository.merged_case_ids(session, case.id)
    query = select(Attachment).where(Attachment.case_id.in_(case_ids), Attachment.deleted_at.is_(None))
    if not identity.has_scope("cases:manage"):
        # A filing client sees the evidence it supplied, not the inspectors' case file.
        query = query.where(Attachment.uploaded_by == identity.client_id)
    after = time_cursor(page.after)
    if after is not None:
        query = query.where(
            or_(
                Attachment.uploaded_at > after[0],
                and_(Attachment.uploaded_at == after[0], Attachment.id > after[1]),
            )
        )
    query = query.order_by(Attachment.uploaded_at, Attachment.id).limit(page.limit + 1)
    rows = (await session.scalars(query)).all()
    next_cursor = None
    if len(rows) > page.limit:
        last = rows[page.limit - 1]
        next_cursor = encode_cursor([last.uploaded_at.isoformat(), last.id])
    return Page[AttachmentOut](items=[attachment_out(r) for r in rows[: page.limit]], next_cursor=next_cursor)


async def get_attachment(
    session: AsyncSession, identity: Identity, case_id: str, attachment_id: str
) -> Attachment:
    case = await load_case(session, identity, case_id)
    case_ids = await case_repository.merged_case_ids(session, case.id)
    attachment = await session.get(Attachment, attachment_id)
    foreign = not identity.has_scope("cases:manage") and (
        attachment is None or attachment.uploaded_by != identity.client_id
    )
    if (
        attachment is None
        or foreign
        or attachment.case_id not in case_ids
        or attachment.deleted_at is not None
    ):
        # Another case's attachment is indistinguishable from a missing one.
        raise NotFound(f"附件不存在：{attachment_id}", code="attachment_not_found")
    return attachment


async def open_content(storage: Storage, attachment: Attachment) -> AsyncIterator[bytes]:
    try:
        return await storage.open(attachment.storage_key)
    except ObjectNotFound as exc:
        # The row says the file exists: a lost file is the server's fault, not the caller's.
        raise AppError(
            f"附件文件缺失：{attachment.id}，请联系管理员", code="attachment_content_missing"
        ) from exc


def content_disposition(filename: str) -> str:
    """``attachment`` with the name as RFC 5987 ``filename*`` and an ASCII ``filename`` fallback."""
    fallback = "".join(ch if " " <= ch <= "~" and ch not in '"\\' else "_" for ch in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
