from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from complaints.attachment import service
from complaints.attachment.schemas import AttachmentOut, Filename
from complaints.attachment.storage import LocalDiskStorage, Storage
from complaints.config import ComplaintsSettings
from shared.auth import IdentityDep, require_scopes
from shared.db import SessionDep
from shared.idempotency import IdempotencyKeyHeader
from shared.pagination import Page, PageParamsDep
from shared.settings import VAR_DIR

router = APIRouter(prefix="/api/v1/complaints", tags=["attachments"])
_READERS = ("complaints:read", "complaints:write", "cases:manage")


def get_settings(request: Request) -> ComplaintsSettings:
    settings: ComplaintsSettings = request.app.state.settings
    return settings


async def get_storage(request: Request) -> Storage:
    # Built on first use and kept on the app; a lifespan may install another Storage beforehand.
    storage: Storage | None = getattr(request.app.state, "attachment_storage", None)
    if storage is None:
        settings = get_settings(request)
        root = Path(settings.attachments_dir) if settings.attachments_dir else VAR_DIR / "attachments"
        storage = request.app.state.attachment_storage = LocalDiskStorage(root)
    return storage


StorageDep = Annotated[Storage, Depends(get_storage)]
SettingsDep = Annotated[ComplaintsSettings, Depends(get_settings)]


async def stored_blobs(storage: StorageDep) -> AsyncIterator[service.StoredBlobs]:
    blobs = service.StoredBlobs(storage)
    try:
        yield blobs
    except BaseException:
        await blobs.discard()
        raise


# Function scope, and declared before the session in the route: it is entered first, so it exits
# after the session's commit and sees a failed commit too.
StoredBlobsDep = Annotated[service.StoredBlobs, Depends(stored_blobs, scope="function")]

_RAW_BODY = {
    "requestBody": {
        "required": True,
        "description": "文件原始内容（不是 multipart）；Content-Type 须为允许的类型之一且与内容相符。",
        "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
    }
}


@router.post(
    "/{case_id}/attachments",
    summary="上传证据附件（工资条、劳动合同、照片等）",
    status_code=201,
    response_model=AttachmentOut,
    dependencies=[require_scopes("complaints:write", "cases:manage")],
    openapi_extra=_RAW_BODY,
)
async def upload_attachment(
    case_id: str,
    request: Request,
    filename: Annotated[Filename, Query(description="原始文件名（1–200 个字符，不含路径分隔符）")],
    blobs: StoredBlobsDep,
    session: SessionDep,
    identity: IdentityDep,
    settings: SettingsDep,
    storage: StorageDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    length = request.headers.get("content-length", "")
    status, body = await service.upload(
        session,
        identity,
        case_id,
        request.stream(),
        filename=filename,
        content_type=request.headers.get("content-type"),
        declared_length=int(length) if length.isdigit() else None,
        max_bytes=settings.attachment_max_bytes,
        allowed_types=settings.attachment_types,
        storage=storage,
        blobs=blobs,
        idempotency_key=idempotency_key,
    )
    return JSONResponse(body, status_code=status)


@router.get("/{case_id}/attachments", summary="案件证据附件列表", dependencies=[require_scopes(*_READERS)])
async def list_attachments(
    case_id: str, session: SessionDep, identity: IdentityDep, page: PageParamsDep
) -> Page[AttachmentOut]:
    return await service.list_attachments(session, identity, case_id, page)


@router.get(
    "/{case_id}/attachments/{attachment_id}",
    summary="下载证据附件",
    dependencies=[require_scopes(*_READERS)],
    response_class=StreamingResponse,
    responses={200: {"content": {"application/octet-stream": {}}, "description": "文件内容"}},
)
async def download_attachment(
    case_id: str,
    attachment_id: str,
    session: SessionDep,
    identity: IdentityDep,
    storage: StorageDep,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    attachment = await service.get_attachment(session, identity, case_id, attachment_id)
    etag = f'"{attachment.sha256}"'
    headers = {
        "ETag": etag,
        "X-Content-Type-Options": "nosniff",
        # Evidence carries personal data: no shared caches; a client revalidates with the ETag.
        "Cache-Control": "private, no-cache",
    }
    if if_none_match is not None and etag in {t.strip() for t in if_none_match.split(",")}:
        return Response(status_code=304, headers=headers)
    content = await service.open_content(storage, attachment)
    headers["Content-Disposition"] = service.content_disposition(attachment.filename)
    headers["Content-Length"] = str(attachment.size)
    return StreamingResponse(content, media_type=attachment.content_type, headers=headers)
