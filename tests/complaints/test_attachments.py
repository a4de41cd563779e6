"""Evidence attachments over HTTP: upload, list, download, refusals, access rules, timeline, storage.

The complaints app is built in process (the session's service servers do not mount the
attachment router until complaints/api.py includes it), with its attachments in ``tmp_path``.
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from complaints.attachment.models import Attachment
from complaints.attachment.storage import (
    LocalDiskStorage,
    ObjectNotFound,
    Storage,
    StoredObject,
    check_key,
)
from complaints.main import create_app
from gateway.config import GatewaySettings
from gateway.main import create_app as create_gateway_app
from shared.db import Database
from shared.testing.plugin import ServerThread, app_client, identity_headers
from tests.complaints.helpers import act, complaint, file
from tests.conftest import complaints_settings

ATTACHMENTS = "/api/v1/complaints/{}/attachments"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZIP_HEAD = b"PK\x03\x04\x14\x00\x06\x00"
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def _png() -> bytes:
    """A real 1x1 PNG: signature, IHDR, IDAT, IEND."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


PNG = _png()


# Identity tokens live 60 seconds: issued per request, never kept in module constants.
def app_a() -> dict[str, str]:
    return identity_headers("complaints:write", "complaints:read", client_id="app-a", client_name="甲应用")


def app_b() -> dict[str, str]:
    return identity_headers("complaints:write", "complaints:read", client_id="app-b", client_name="乙应用")


def reader_a() -> dict[str, str]:
    return identity_headers("complaints:read", client_id="app-a", client_name="甲应用")


def manager() -> dict[str, str]:
    return identity_headers("cases:manage", client_id="inspector-1", client_name="监察员张三")


def complaints_app(database_url: str, root: Path, **settings: Any) -> FastAPI:
    return create_app(
        complaints_settings(database_url, attachments_dir=str(root), **settings), configure_logs=False
    )


@asynccontextmanager
async def attachments_app(database_url: str, root: Path, **settings: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(complaints_app(database_url, root, **settings)) as client:
        yield client


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "attachments"


@pytest.fixture
async def client(db_urls: dict[str, str], root: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with attachments_app(db_urls["complaints"], root) as c:
        yield c


async def new_case(client: httpx.AsyncClient, headers: dict[str, str] | None = None) -> str:
    case = await file(client, headers or app_a(), complaint())
    return str(case["id"])


async def upload(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    case_id: str,
    content: bytes | AsyncIterator[bytes],
    content_type: str | None,
    filename: str | None = "evidence.bin",
) -> httpx.Response:
    request_headers = dict(headers)
    if content_type is not None:
        request_headers["Content-Type"] = content_type
    params = {} if filename is None else {"filename": filename}
    return await client.post(
        ATTACHMENTS.format(case_id), params=params, content=content, headers=request_headers
    )


def stored_files(root: Path) -> list[Path]:
    """Every file under the store, temp files included."""
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


async def attachment_rows(database_url: str) -> int:
    database = Database(database_url)
    try:
        async with database.sessionmaker() as session:
            return int(await session.scalar(select(func.count()).select_from(Attachment)) or 0)
    finally:
        await database.dispose()


def problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    return body


async def test_through_the_gateway(
    db_urls: dict[str, str],
    root: Path,
    gateway_settings: GatewaySettings,
    mobile_app: dict[str, str],
    other_app: dict[str, str],
    inspector: dict[str, str],
) -> None:
    # A complaints server of its own: the session's servers do not mount the router yet.
    server = ServerThread(complaints_app(db_urls["complaints"], root)).start()
    try:
        settings = gateway_settings.model_copy(update={"complaints_url": server.url})
        async with app_client(create_gateway_app(settings, configure_logs=False)) as gateway:
            case_id = (await file(gateway, mobile_app, complaint()))["id"]
            created = await upload(gateway, mobile_app, case_id, PNG, "image/png", "欠薪证据.png")
            assert created.status_code == 201, created.text
            url = f"{ATTACHMENTS.format(case_id)}/{created.json()['id']}"
            for headers in (mobile_app, inspector):
                download = await gateway.get(url, headers=headers)
                assert download.status_code == 200
                assert download.content == PNG
                assert download.headers["content-type"] == "image/png"
                assert download.headers["etag"] == f'"{hashlib.sha256(PNG).hexdigest()}"'
                assert download.headers["x-content-type-options"] == "nosniff"
                assert download.headers["content-disposition"].endswith(quote("欠薪证据.png"))
            problem(await gateway.get(url, headers=other_app), 404, "case_not_found")
            refused = await upload(gateway, mobile_app, case_id, PDF, "image/png")
            problem(refused, 415, "attachment_type_mismatch")
    finally:
        server.stop()
    assert stored_files(root) == [root / case_id / created.json()["id"]]


@pytest.mark.parametrize(
    ("content", "content_type", "filename"),
    [(PNG, "image/png", "工资条照片.png"), (PDF, "application/pdf", "labour-contract.pdf")],
)
async def test_upload_list_download_round_trip(
    client: httpx.AsyncClient, root: Path, content: bytes, content_type: str, filename: str
) -> None:
    case_id = await new_case(client)
    created = await upload(client, app_a(), case_id, content, content_type, filename)
    assert created.status_code == 201, created.text
    body = created.json()
    digest = hashlib.sha256(content).hexdigest()
    assert body["case_id"] == case_id
    assert body["filename"] == filename
    assert body["content_type"] == content_type
    assert body["size"] == len(content)
    assert body["sha256"] == digest
    assert body["uploaded_by"] == "app-a"
    assert body["uploaded_at"].endswith(("+00:00", "Z"))
    assert stored_files(root) == [root / case_id / body["id"]]

    listed = await client.get(ATTACHMENTS.format(case_id), headers=app_a())
    assert listed.status_code == 200
    assert listed.json() == {"items": [body], "next_cursor": None}

    for headers in (app_a(), manager()):
        download = await client.get(f"{ATTACHMENTS.format(case_id)}/{body['id']}", headers=headers)
        assert download.status_code == 200
        assert download.content == content
        assert download.headers["content-type"] == content_type
        assert download.headers["content-length"] == str(len(content))
        assert download.headers["x-content-type-options"] == "nosniff"
        assert download.headers["etag"] == f'"{digest}"'
        assert download.headers["content-disposition"].endswith(f"filename*=UTF-8''{quote(filename)}")

    # A client holding the same version revalidates without downloading again.
    again = await client.get(
        f"{ATTACHMENTS.format(case_id)}/{body['id']}", headers={**app_a(), "If-None-Match": f'"{digest}"'}
    )
    assert again.status_code == 304 and again.content == b""


async def test_list_keeps_upload_order_and_pages(client: httpx.AsyncClient) -> None:
    case_id = await new_case(client)
    ids = []
    for n in range(3):
        created = await upload(client, manager(), case_id, PDF, "application/pdf", f"第{n}页.pdf")
        ids.append(created.json()["id"])
    first = (await client.get(ATTACHMENTS.format(case_id), params={"limit": 2}, headers=manager())).json()
    assert [a["id"] for a in first["items"]] == ids[:2]
    rest = (
        await client.get(
            ATTACHMENTS.format(case_id),
            params={"limit": 2, "cursor": first["next_cursor"]},
            headers=manager(),
        )
    ).json()
    assert [a["id"] for a in rest["items"]] == ids[2:]
    assert rest["next_cursor"] is None


async def test_upload_is_recorded_in_the_case_timeline(client: httpx.AsyncClient) -> None:
    case_id = await new_case(client)
    created = (await upload(client, manager(), case_id, PNG, "image/png", "现场照片.png")).json()
    timeline = (await client.get(f"/api/v1/complaints/{case_id}/timeline", headers=manager())).json()["items"]
    entry = next(e for e in timeline if e["action"] == "attach")
    assert entry["from_status"] == entry["to_status"] == "received"
    assert entry["actor"] == "监察员张三"
    assert entry["data"] == {
        "attachment_id": created["id"],
        "filename": "现场照片.png",
        "size": len(PNG),
        "sha256": created["sha256"],
    }


@pytest.mark.parametrize("content_type", ["application/x-msdownload", "text/html", "image/gif", None])
async def test_type_not_allowed_is_415(
    client: httpx.AsyncClient, db_urls: dict[str, str], root: Path, content_type: str | None
) -> None:
    case_id = await new_case(client)
    response = await upload(client, app_a(), case_id, b"MZ\x90\x00" * 8, content_type, "a.exe")
    body = problem(response, 415, "attachment_type_not_allowed")
    assert "application/pdf" in body["detail"] and "image/png" in body["detail"]
    assert "application/pdf" in body["allowed_types"]
    assert stored_files(root) == []
    assert await attachment_rows(db_urls["complaints"]) == 0


async def test_content_type_parameters_and_case_are_ignored(client: httpx.AsyncClient) -> None:
    case_id = await new_case(client)
    response = await upload(
        client, app_a(), case_id, b"\xe6\x8b\x96\xe6\xac\xa0", "Text/Plain; charset=utf-8"
    )
    assert response.status_code == 201, response.text
    assert response.json()["content_type"] == "text/plain"


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (PDF, "image/png"),
        (PNG, "image/jpeg"),
        (PNG, "image/webp"),
        (b"just some text, not a document", "application/pdf"),
        (b"%PD", "application/pdf"),  # shorter than the sniffed head
        (PDF, DOCX),
        (PNG, XLSX),
    ],
)
async def test_content_not_matching_its_type_is_415(
    client: httpx.AsyncClient, db_urls: dict[str, str], root: Path, content: bytes, content_type: str
) -> None:
    case_id = await new_case(client)
    response = await upload(client, app_a(), case_id, content, content_type)
    body = problem(response, 415, "attachment_type_mismatch")
    assert content_type in body["detail"]
    assert stored_files(root) == []
    assert await attachment_rows(db_urls["complaints"]) == 0


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(64), "image/jpeg"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 " + bytes(64), "image/webp"),
        (ZIP_HEAD + bytes(64), XLSX),
        (ZIP_HEAD + bytes(64), DOCX),
    ],
)
async def test_every_signature_is_accepted(
    client: httpx.AsyncClient, content: bytes, content_type: str
) -> None:
    case_id = await new_case(client)
    response = await upload(client, app_a(), case_id, content, content_type)
    assert response.status_code == 201, response.text


async def _chunks(data: bytes, size: int) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def test_over_the_cap_is_413_and_leaves_nothing(db_urls: dict[str, str], root: Path) -> None:
    async with attachments_app(db_urls["complaints"], root, attachment_max_bytes=1024) as client:
        case_id = await new_case(client)
        big = PDF + bytes(1025 - len(PDF))
        # Declared length over the cap: refused before the body is read.
        problem(await upload(client, app_a(), case_id, big, "application/pdf"), 413, "attachment_too_large")
        # Chunked, no declared length: refused while streaming, the partial file removed.
        streamed = await upload(client, app_a(), case_id, _chunks(big, 100), "application/pdf")
        body = problem(streamed, 413, "attachment_too_large")
        assert body["max_bytes"] == 1024
        assert stored_files(root) == []
        assert await attachment_rows(db_urls["complaints"]) == 0
        timeline = (await client.get(f"/api/v1/complaints/{case_id}/timeline", headers=app_a())).json()[
            "items"
        ]
        assert "attach" not in {e["action"] for e in timeline}

        exactly = await upload(client, app_a(), case_id, _chunks(big[:1024], 100), "application/pdf")
        assert exactly.status_code == 201, exactly.text
        assert exactly.json()["size"] == 1024
        assert exactly.json()["sha256"] == hashlib.sha256(big[:1024]).hexdigest()


async def test_empty_body_is_422(client: httpx.AsyncClient, root: Path) -> None:
    case_id = await new_case(client)
    body = problem(await upload(client, app_a(), case_id, b"", "application/pdf"), 422, "validation_failed")
    assert [e["loc"] for e in body["errors"]] == ["body"]
    assert stored_files(root) == []


@pytest.mark.parametrize(
    ("filename", "code"),
    [
        (None, "missing"),
        ("", "string_too_short"),
        ("   ", "string_too_short"),
        ("x" * 197 + ".pdf", "string_too_long"),
        ("../../etc/passwd", "filename_invalid"),
        ("dir/contract.pdf", "filename_invalid"),
        ("C:\\Users\\contract.pdf", "filename_invalid"),
        ("..", "filename_invalid"),
        ("line\nbreak.pdf", "filename_invalid"),
        ("photo\u202egnp.exe", "filename_invalid"),
    ],
)
async def test_bad_filename_is_422(
    client: httpx.AsyncClient, root: Path, filename: str | None, code: str
) -> None:
    case_id = await new_case(client)
    response = await upload(client, app_a(), case_id, PDF, "application/pdf", filename)
    body = problem(response, 422, "validation_failed")
    assert [(e["loc"], e["code"]) for e in body["errors"]] == [("query.filename", code)]
    assert stored_files(root) == []


async def test_filename_at_the_limit_is_kept_whole(client: httpx.AsyncClient) -> None:
    case_id = await new_case(client)
    name = "工" * 196 + ".pdf"
    response = await upload(client, app_a(), case_id, PDF, "application/pdf", f"  {name} ")
    assert response.status_code == 201, response.text
    assert response.json()["filename"] == name


async def test_another_client_cannot_reach_the_case_or_its_files(
    client: httpx.AsyncClient, db_urls: dict[str, str]
) -> None:
    case_id = await new_case(client, app_a())
    created = (await upload(client, app_a(), case_id, PDF, "application/pdf", "合同.pdf")).json()
    url = f"{ATTACHMENTS.format(case_id)}/{created['id']}"

    problem(await upload(client, app_b(), case_id, PDF, "application/pdf"), 404, "case_not_found")
    problem(await client.get(ATTACHMENTS.format(case_id), headers=app_b()), 404, "case_not_found")
    problem(await client.get(url, headers=app_b()), 404, "case_not_found")
    assert await attachment_rows(db_urls["complaints"]) == 1

    # Reading is allowed to the filing client's read-only key; uploading needs a writing scope.
    assert (await client.get(url, headers=reader_a())).content == PDF
    problem(await upload(client, reader_a(), case_id, PDF, "application/pdf"), 403, "insufficient_scope")
    # Without the gateway's token nothing is reachable.
    problem(await client.get(url), 401, "gateway_token_required")


async def test_attachment_of_another_case_is_404(client: httpx.AsyncClient) -> None:
    first = await new_case(client)
    second = await new_case(client)
    created = (await upload(client, app_a(), first, PDF, "application/pdf")).json()
    problem(
        await client.get(f"{ATTACHMENTS.format(second)}/{created['id']}", headers=app_a()),
        404,
        "attachment_not_found",
    )
    problem(
        await client.get(
            f"{ATTACHMENTS.format(first)}/00000000-0000-0000-0000-000000000000", headers=app_a()
        ),
        404,
        "attachment_not_found",
    )
    assert (await client.get(ATTACHMENTS.format(second), headers=app_a())).json()["items"] == []


async def test_merged_case_evidence_is_reachable_from_the_case_it_joined(client: httpx.AsyncClient) -> None:
    kept = await new_case(client, manager())
    joined = await new_case(client, manager())
    created = (await upload(client, manager(), joined, PNG, "image/png", "joined.png")).json()
    merged = await act(client, manager(), joined, "merge", into_case_id=kept, reason="同一单位")
    assert merged.status_code == 200, merged.text
    listed = (await client.get(ATTACHMENTS.format(kept), headers=manager())).json()
    assert [a["id"] for a in listed["items"]] == [created["id"]]
    download = await client.get(f"{ATTACHMENTS.format(kept)}/{created['id']}", headers=manager())
    assert download.content == PNG


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        (
            "pay slip 2026-10.pdf",
            "attachment; filename=\"pay slip 2026-10.pdf\"; filename*=UTF-8''pay%20slip%202026-10.pdf",
        ),
        (
            "工资条（2026年10月）.pdf",
            'attachment; filename="____2026_10__.pdf"; '
            "filename*=UTF-8''%E5%B7%A5%E8%B5%84%E6%9D%A1%EF%BC%882026%E5%B9%B410%E6%9C%88%EF%BC%89.pdf",
        ),
        (
            'say "hi"; x=1.pdf',
            "attachment; filename=\"say _hi_; x=1.pdf\"; filename*=UTF-8''say%20%22hi%22%3B%20x%3D1.pdf",
        ),
    ],
)
async def test_content_disposition_carries_the_original_name(
    client: httpx.AsyncClient, filename: str, expected: str
) -> None:
    case_id = await new_case(client)
    created = (await upload(client, app_a(), case_id, PDF, "application/pdf", filename)).json()
    download = await client.get(f"{ATTACHMENTS.format(case_id)}/{created['id']}", headers=app_a())
    assert download.headers["content-disposition"] == expected
    # What a client decodes from filename* is the name as uploaded.
    assert download.headers["content-disposition"].endswith(quote(filename, safe=""))


async def test_idempotent_retry_keeps_one_attachment(
    client: httpx.AsyncClient, db_urls: dict[str, str], root: Path
) -> None:
    case_id = await new_case(client)

    def keyed() -> dict[str, str]:
        return {**app_a(), "Idempotency-Key": "k-1"}

    first = await upload(client, keyed(), case_id, PDF, "application/pdf", "a.pdf")
    retry = await upload(client, keyed(), case_id, PDF, "application/pdf", "a.pdf")
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert await attachment_rows(db_urls["complaints"]) == 1
    assert stored_files(root) == [root / case_id / first.json()["id"]]

    other = await upload(client, keyed(), case_id, PNG, "image/png", "a.png")
    body = problem(other, 422, "validation_failed")
    assert body["errors"][0]["code"] == "idempotency_key_reused"
    assert await attachment_rows(db_urls["complaints"]) == 1
    assert len(stored_files(root)) == 1


async def test_lost_file_is_a_server_error(client: httpx.AsyncClient, root: Path) -> None:
    case_id = await new_case(client)
    created = (await upload(client, app_a(), case_id, PDF, "application/pdf")).json()
    (root / case_id / created["id"]).unlink()
    response = await client.get(f"{ATTACHMENTS.format(case_id)}/{created['id']}", headers=app_a())
    problem(response, 500, "attachment_content_missing")


# The store on its own.


@pytest.mark.parametrize(
    "key", ["", "../escape", "a/../../b", "/etc/passwd", ".hidden", "a//b", "a/./b", "a\\b", "a/b\x00", "é"]
)
def test_keys_cannot_leave_the_root(tmp_path: Path, key: str) -> None:
    with pytest.raises(ValueError, match="invalid storage key"):
        check_key(key)
    with pytest.raises(ValueError, match="invalid storage key"):
        LocalDiskStorage(tmp_path).path(key)


async def _collect(chunks: AsyncIterator[bytes]) -> bytes:
    return b"".join([c async for c in chunks])


async def test_local_disk_storage_round_trip(tmp_path: Path) -> None:
    # Typed as the Protocol: mypy proves LocalDiskStorage implements it.
    storage: Storage = LocalDiskStorage(tmp_path / "store", chunk_size=10)
    data = bytes(range(256)) * 3
    stored = await storage.save("case-1/file-1", _chunks(data, 7))
    assert stored == StoredObject(size=len(data), sha256=hashlib.sha256(data).hexdigest())
    assert await _collect(await storage.open("case-1/file-1")) == data
    # Saving again replaces the object whole.
    await storage.save("case-1/file-1", _chunks(b"second", 3))
    assert await _collect(await storage.open("case-1/file-1")) == b"second"
    await storage.delete("case-1/file-1")
    await storage.delete("case-1/file-1")  # already gone: not an error
    with pytest.raises(ObjectNotFound):
        await storage.open("case-1/file-1")
    assert stored_files(tmp_path / "store") == []


async def test_failed_save_leaves_no_file(tmp_path: Path) -> None:
    storage = LocalDiskStorage(tmp_path, chunk_size=4)

    async def failing() -> AsyncIterator[bytes]:
        yield b"0123456789"
        raise RuntimeError("client went away")

    await storage.save("case-1/kept", _chunks(b"old", 2))
    with pytest.raises(RuntimeError, match="client went away"):
        await storage.save("case-1/kept", failing())
    # The previous object is untouched and no temp file is left.
    assert stored_files(tmp_path) == [tmp_path / "case-1" / "kept"]
    assert await _collect(await storage.open("case-1/kept")) == b"old"


async def test_filer_sees_its_own_evidence_not_the_inspectors_file(client: httpx.AsyncClient) -> None:
    case_id = await new_case(client)
    own = await upload(client, app_a(), case_id, PDF, "application/pdf", "工资条.pdf")
    theirs = await upload(client, manager(), case_id, PNG, "image/png", "现场照片.png")
    assert own.status_code == theirs.status_code == 201
    listed = (await client.get(ATTACHMENTS.format(case_id), headers=reader_a())).json()["items"]
    assert [a["id"] for a in listed] == [own.json()["id"]]
    hidden = await client.get(f"{ATTACHMENTS.format(case_id)}/{theirs.json()['id']}", headers=reader_a())
    assert hidden.status_code == 404
    everything = (await client.get(ATTACHMENTS.format(case_id), headers=manager())).json()["items"]
    assert {a["id"] for a in everything} == {own.json()["id"], theirs.json()["id"]}
