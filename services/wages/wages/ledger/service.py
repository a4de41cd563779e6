"""Rules of ledgers (工资支付台账), bank payment confirmations and labour-cost transfers.

A ledger is checked whole before anything is written (条例 art. 15 fields; every bad line is
listed), then stored as a new version of its employer and period: earlier versions stay, marked
``current = false`` (kept at least three years, art. 15). Parsing and checking are CPU work on
up to a million lines, so they run in a worker thread and the event loop keeps serving others;
on PostgreSQL the lines checked so far are COPYed meanwhile, in the same transaction.

A resubmitted ledger becomes one more version; a retry that must not (a feed that lost the
answer) carries ``Idempotency-Key``, honoured in the router around these functions.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import orjson
import pydantic
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import Identity
from shared.errors import (
    Conflict,
    FieldError,
    NotFound,
    UnsupportedMediaType,
    ValidationFailed,
    pydantic_errors_to_field_errors,
)
from shared.ids import new_uuid
from shared.masking import mask_id_number
from shared.pagination import Page, PageParams, encode_cursor, time_cursor
from shared.timeutil import now_utc
from wages.config import WagesSettings
from wages.employer import repository as employer_repository
from wages.employer.models import MonitoredEmployer
from wages.employer.period import PeriodError, check_period, first_day
from wages.employer.service import load_employer
from wages.ledger import repository
from wages.ledger.hooks import AfterLedgerHook
from wages.ledger.models import LabourCostTransfer, PayrollLedger, PayrollLine
from wages.ledger.schemas import (
    LedgerEnvelope,
    LedgerLineOut,
    LedgerOut,
    PaymentsIn,
    PaymentsReceived,
    TransferIn,
    TransferOut,
    UnmatchedPayment,
)
from wages.ledger.validation import (
    CheckedLines,
    LedgerRejected,
    LineChecker,
    check_csv_lines,
    check_json_lines,
)

LEDGER_TYPES = ("application/json", "text/csv")


def _source_format(content_type: str | None) -> str:
    media, _, params = (content_type or "").partition(";")
    media = media.strip().lower()
    if media not in LEDGER_TYPES:
        what = f"不支持的内容类型：{media}" if media else "缺少 Content-Type"
        raise UnsupportedMediaType(
            f"{what}；工资支付台账请以 application/json 或 text/csv（UTF-8）提交",
            extra={"allowed_types": list(LEDGER_TYPES)},
        )
    for param in params.split(";"):
        name, _, value = param.partition("=")
        charset = value.strip().strip('"').lower()
        if name.strip().lower() == "charset" and charset not in ("utf-8", "utf8"):
            raise UnsupportedMediaType(
                f"不支持的字符集：{charset}；请使用 UTF-8", extra={"allowed_types": list(LEDGER_TYPES)}
            )
    return "json" if media == "application/json" else "csv"


def _decode_json(body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        raise ValidationFailed([FieldError("body", "json_invalid", "请求体不是有效的 JSON")]) from None


def _decode_csv(body: bytes) -> str:
    try:
        # utf-8-sig: an optional byte-order mark (as spreadsheet programs write it) is dropped.
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationFailed(
            [FieldError("body", "encoding_invalid", f"CSV 须为 UTF-8 编码（第 {exc.start} 字节处无法解码）")]
        ) from None


def _check_envelope(
    raw: dict[str, Any], prefix: str, today: date
) -> tuple[LedgerEnvelope | None, list[FieldError]]:
    try:
        envelope = LedgerEnvelope.model_validate(raw)
    except pydantic.ValidationError as exc:
        errors = pydantic_errors_to_field_errors(exc.errors())
        return None, [FieldError(prefix + e["loc"], e["code"], e["message"]) for e in errors]
    try:
        check_period(envelope.period, today)
    except PeriodError as exc:
        return None, [FieldError(prefix + "period", exc.code, exc.message)]
    return envelope, []


def ledger_out(ledger: PayrollLedger, uscc: str) -> LedgerOut:
    return LedgerOut(
        id=ledger.id,
        uscc=uscc,
        period=ledger.period,
        version=ledger.version,
        current=ledger.current,
        line_count=ledger.line_count,
        total_payable=ledger.total_payable,
        total_paid=ledger.total_paid,
        source_format=ledger.source_format,
        submitted_by=ledger.submitted_by,
        submitted_at=ledger.submitted_at,
    )


async def submit_ledger(
    session: AsyncSession,
    identity: Identity,
    body: bytes,
    *,
    content_type: str | None,
    query_uscc: str | None,
    query_period: str | None,
    settings: WagesSettings,
    hooks: Sequence[AfterLedgerHook],
    today: date,
) -> LedgerOut:
    source_format = _source_format(content_type)
    lines: Any = None
    text = ""
    if source_format == "json":
        data = await asyncio.to_thread(_decode_json, body)
        if not isinstance(data, dict):
            raise ValidationFailed([FieldError("body", "dict_type", "台账必须是 JSON 对象")])
        lines = data.pop("lines", None)
        envelope, errors = _check_envelope(data, "", today)
        if not isinstance(lines, list):
            message = "缺少台账行 lines" if lines is None else "lines 必须是数组"
            errors.append(FieldError("lines", "missing" if lines is None else "list_type", message))
        elif len(lines) > settings.ledger_max_lines:
            errors.append(
                FieldError(
                    "lines", "too_long", f"台账行数 {len(lines)} 超过单次提交上限 {settings.ledger_max_lines}"
                )
            )
        del data
    else:
        text = _decode_csv(body)
        raw = {k: v for k, v in (("uscc", query_uscc), ("period", query_period)) if v is not None}
        envelope, errors = _check_envelope(raw, "query.", today)
    if errors or envelope is None:
        raise ValidationFailed(errors)

    employer = await load_employer(session, envelope.uscc)
    year, month = int(envelope.period[:4]), int(envelope.period[5:])
    ledger_id = new_uuid()
    period_start = first_day(year, month)
    loc_format = "lines[{}]" if source_format == "json" else "line {}"
    max_lines = settings.ledger_max_lines

    def check_lines(checker: LineChecker) -> CheckedLines:
        if source_format == "json":
            return check_json_lines(lines, checker)
        return check_csv_lines(text, checker, max_lines=max_lines)

    def release() -> None:
        # The decoded lines are the bulk of the memory, and a million objects take a while to
        # drop: done in a worker thread once checked.
        nonlocal lines, text
        if isinstance(lines, list):
            lines.clear()
        lines, text = None, ""

    def check_and_release(checker: LineChecker) -> CheckedLines:
        try:
            return check_lines(checker)
        finally:
            release()

    async def new_version() -> PayrollLedger:
        # One submission at a time per employer, so versions never collide (a row lock on
        # PostgreSQL; SQLite has a single writer anyway).
        await employer_repository.get_by_uscc(session, employer.uscc, for_update=True)
        version = await repository.latest_version(session, employer.id, envelope.period) + 1
        await repository.retire_versions(session, employer.id, envelope.period)
        ledger = PayrollLedger(
            id=ledger_id,
            employer_id=employer.id,
            period=envelope.period,
            version=version,
            current=True,
            line_count=0,
            total_payable=Decimal("0.00"),
            total_paid=Decimal("0.00"),
            source_format=source_format,
            submitted_by=identity.client_id,
            submitted_at=now_utc(),
        )
        session.add(ledger)
        await session.flush()
        return ledger

    if repository.is_postgres(session):
        checker = LineChecker(
            ledger_id,
            period_start=period_start,
            today=today,
            loc_format=loc_format,
            copy_text=True,
            chunk_lines=settings.ledger_copy_chunk_lines,
        )
        checked, ledger = await _check_and_copy(session, checker, check_lines, release, new_version)
    else:
        checker = LineChecker(ledger_id, period_start=period_start, today=today, loc_format=loc_format)
        checked = await asyncio.to_thread(check_and_release, checker)
        if checked.errors:
            raise LedgerRejected(checked.errors, line_count=checked.line_count, bad_lines=checked.bad_lines)
        ledger = await new_version()
        await repository.write_lines(session, checked.records, sqlite_chunk=settings.ledger_sqlite_chunk)
        checked.records = []
    ledger.line_count = checked.line_count
    ledger.total_payable = checked.total_payable
    ledger.total_paid = checked.total_paid
    await session.flush()
    await repository.rematch_payments(
        session, employer_id=employer.id, period=envelope.period, ledger_id=ledger.id
    )
    for hook in hooks:
        await hook(session, ledger)
    await session.flush()
    return ledger_out(ledger, employer.uscc)


class _CheckFailed(Exception):
    """Ends the COPY of a ledger found bad while it was being written."""


async def _check_and_copy(
    session: AsyncSession,
    checker: LineChecker,
    check_lines: Callable[[LineChecker], CheckedLines],
    release: Callable[[], None],
    new_version: Callable[[], Awaitable[PayrollLedger]],
) -> tuple[CheckedLines, PayrollLedger]:
    """PostgreSQL: check the lines in a worker thread and COPY them as they are checked.

    The checker hands over COPY text every few thousand lines, and the COPY (the database's
    work, on another core) runs while the next lines are checked, instead of after the last.
    All of it is in the request's transaction: when a line turns out bad, the COPY is aborted
    and the whole submission rolled back, so nothing is stored, as before. The decoded lines
    are dropped (``release``) in another worker thread while the COPY ends and the rules run.
    """
    loop = asyncio.get_running_loop()
    # COPY text as it is checked; None: no more (``finished`` says whether the ledger is good).
    chunks: asyncio.Queue[bytes | None] = asyncio.Queue()
    finished: list[bool] = []

    def emit(records: list[Any]) -> None:
        data = "".join(records).encode()
        loop.call_soon_threadsafe(chunks.put_nowait, data)

    async def source() -> AsyncIterator[bytes]:
        while (chunk := await chunks.get()) is not None:
            yield chunk
        if not finished:
            raise _CheckFailed

    checker.emit = emit
    # The check starts at once; the new version is written meanwhile, then the COPY follows it.
    checking = asyncio.create_task(asyncio.to_thread(check_lines, checker))
    checking.add_done_callback(_retrieve)
    checking.add_done_callback(lambda _: _in_background(asyncio.to_thread(release)))
    copy: asyncio.Task[None] | None = None
    try:
        ledger = await new_version()
        copy = asyncio.create_task(repository.copy_lines_text(session, source()))
        copy.add_done_callback(_retrieve)
        # Shielded: a thread cannot be cancelled, and the COPY below must end either way.
        checked = await asyncio.shield(checking)
    except BaseException:
        # Whatever happened, the COPY ends (aborted) before the session is rolled back.
        chunks.put_nowait(None)
        if copy is not None:
            await asyncio.wait([copy])
        raise
    if not checked.errors:
        finished.append(True)
    chunks.put_nowait(None)
    if checked.errors:
        # The COPY ends by _CheckFailed; the request's transaction is rolled back.
        await asyncio.wait([copy])
        raise LedgerRejected(checked.errors, line_count=checked.line_count, bad_lines=checked.bad_lines)
    await copy
    return checked, ledger


def _retrieve(task: asyncio.Task[Any]) -> None:
    """Mark a helper task's outcome as seen; the caller reports what matters."""
    if not task.cancelled():
        task.exception()


_BACKGROUND: set[asyncio.Task[Any]] = set()


def _in_background(work: Coroutine[Any, Any, Any]) -> None:
    """Run ``work`` without waiting for it (the loop keeps only weak references to tasks)."""
    task = asyncio.create_task(work)
    _BACKGROUND.add(task)
    task.add_done_callback(_BACKGROUND.discard)
    task.add_done_callback(_retrieve)


async def list_ledgers(
    session: AsyncSession,
    page: PageParams,
    *,
    uscc: str | None,
    period: str | None,
    current_only: bool,
) -> Page[LedgerOut]:
    rows = await repository.list_ledgers(
        session,
        uscc=uscc,
        period=period,
        current_only=current_only,
        limit=page.limit + 1,
        after=time_cursor(page.after),
    )
    items = [ledger_out(ledger, employer_uscc) for ledger, employer_uscc in rows[: page.limit]]
    next_cursor = None
    if len(rows) > page.limit:
        last = rows[page.limit - 1][0]
        next_cursor = encode_cursor([last.submitted_at.isoformat(), last.id])
    return Page[LedgerOut](items=items, next_cursor=next_cursor)


def line_out(line: PayrollLine) -> LedgerLineOut:
    return LedgerLineOut(
        id=line.id,
        line_no=line.line_no,
        id_number=mask_id_number(line.id_number),
        name=line.name,
        payable=line.payable,
        paid=line.paid,
        paid_on=line.paid_on,
        hours=line.hours,
    )


async def ledger_lines(session: AsyncSession, ledger_id: str, page: PageParams) -> Page[LedgerLineOut]:
    found = await repository.get_ledger(session, ledger_id)
    if found is None:
        raise NotFound(f"台账不存在：{ledger_id}", code="ledger_not_found")
    after = page.after[0] if page.after else None
    if after is not None and (isinstance(after, bool) or not isinstance(after, int)):
        raise ValidationFailed([FieldError("query.cursor", "cursor_invalid", "分页游标无效")])
    rows = await repository.list_lines(session, ledger_id, limit=page.limit + 1, after_line_no=after)
    items = [line_out(row) for row in rows[: page.limit]]
    next_cursor = encode_cursor([rows[page.limit - 1].line_no]) if len(rows) > page.limit else None
    return Page[LedgerLineOut](items=items, next_cursor=next_cursor)


# -- bank confirmations -------------------------------------------------------------------------


async def receive_payments(
    session: AsyncSession, identity: Identity, payload: PaymentsIn, *, today: date
) -> tuple[int, PaymentsReceived]:
    """Record a bank's payment confirmations, each matched to the worker's line in the current
    ledger of its period. A bank_ref already received is reported as a duplicate, not an error."""
    errors: list[FieldError] = []
    for index, payment in enumerate(payload.payments):
        try:
            check_period(payment.period, today)
        except PeriodError as exc:
            errors.append(FieldError(f"payments[{index}].period", exc.code, exc.message))
        if payment.paid_on > today:
            errors.append(FieldError(f"payments[{index}].paid_on", "in_future", "支付日期不能晚于今天"))
        if payment.amount <= 0:
            errors.append(FieldError(f"payments[{index}].amount", "amount_not_positive", "金额必须大于0"))
    if errors:
        raise ValidationFailed(errors)
    employer = await employer_repository.get_by_account(session, payload.account_no)
    if employer is None:
        raise NotFound(
            f"该账号未登记为农民工工资专用账户：{payload.account_no}", code="wage_account_not_registered"
        )

    seen: set[str] = set()
    unique = []
    duplicates: list[str] = []
    for payment in payload.payments:
        if payment.bank_ref in seen:
            duplicates.append(payment.bank_ref)
        else:
            seen.add(payment.bank_ref)
            unique.append(payment)

    ledgers = await repository.current_ledgers(session, employer.id, {p.period for p in unique})
    wanted: dict[str, list[str]] = {}
    for payment in unique:
        if payment.period in ledgers:
            wanted.setdefault(ledgers[payment.period], []).append(payment.id_number)
    lines: dict[tuple[str, str], int] = {}
    for ledger_id, id_numbers in wanted.items():
        found = await repository.line_ids(session, ledger_id, sorted(set(id_numbers)))
        lines.update({(ledger_id, id_number): line_id for id_number, line_id in found.items()})

    now = now_utc()
    rows = []
    for payment in unique:
        current = ledgers.get(payment.period)
        rows.append(
            {
                "employer_id": employer.id,
                "bank_ref": payment.bank_ref,
                "period": payment.period,
                "id_number": payment.id_number,
                "amount": payment.amount,
                "paid_on": payment.paid_on,
                "matched_line_id": lines.get((current, payment.id_number)) if current else None,
                "received_by": identity.client_id,
                "received_at": now,
            }
        )
    inserted = await repository.insert_payments(session, rows)

    matched = 0
    unmatched: list[UnmatchedPayment] = []
    for payment, row in zip(unique, rows, strict=True):
        if payment.bank_ref not in inserted:
            duplicates.append(payment.bank_ref)
        elif row["matched_line_id"] is not None:
            matched += 1
        else:
            no_ledger = payment.period not in ledgers
            unmatched.append(
                UnmatchedPayment(
                    bank_ref=payment.bank_ref,
                    period=payment.period,
                    id_number=mask_id_number(payment.id_number),
                    reason="no_ledger" if no_ledger else "not_in_ledger",
                    message=f"{payment.period} 尚未提交工资支付台账"
                    if no_ledger
                    else f"{payment.period} 的当前台账中没有该劳动者",
                )
            )
    result = PaymentsReceived(
        uscc=employer.uscc,
        received=len(inserted),
        matched=matched,
        unmatched=unmatched,
        duplicates=duplicates,
    )
    return (201 if inserted else 200), result


# -- labour-cost transfers ----------------------------------------------------------------------


def transfer_out(transfer: LabourCostTransfer, uscc: str, *, duplicate: bool) -> TransferOut:
    return TransferOut(
        id=transfer.id,
        uscc=uscc,
        period=transfer.period,
        amount=transfer.amount,
        transferred_on=transfer.transferred_on,
        bank_ref=transfer.bank_ref,
        received_at=transfer.received_at,
        duplicate=duplicate,
    )


def _same_transfer(existing: LabourCostTransfer, employer: MonitoredEmployer, payload: TransferIn) -> bool:
    return (
        existing.employer_id == employer.id
        and existing.period == payload.period
        and existing.amount == payload.amount
        and existing.transferred_on == payload.transferred_on
    )


async def record_transfer(
    session: AsyncSession, uscc: str, payload: TransferIn, *, today: date
) -> tuple[int, TransferOut]:
    """The developer's transfer of labour costs into the project's wage account (条例 arts. 24, 29)."""
    employer = await load_employer(session, uscc)
    if employer.kind != "project":
        raise Conflict("仅工程建设项目登记人工费用拨付", code="not_a_project")
    errors: list[FieldError] = []
    try:
        check_period(payload.period, today)
    except PeriodError as exc:
        errors.append(FieldError("period", exc.code, exc.message))
    if payload.transferred_on > today:
        errors.append(FieldError("transferred_on", "in_future", "拨付日期不能晚于今天"))
    if payload.amount <= 0:
        errors.append(FieldError("amount", "amount_not_positive", "金额必须大于0"))
    if errors:
        raise ValidationFailed(errors)
    new_id = await repository.insert_transfer(
        session,
        {
            "employer_id": employer.id,
            "period": payload.period,
            "amount": payload.amount,
            "transferred_on": payload.transferred_on,
            "bank_ref": payload.bank_ref,
            "received_at": now_utc(),
        },
    )
    if new_id is not None:
        transfer = await session.get(LabourCostTransfer, new_id)
        assert transfer is not None
        return 201, transfer_out(transfer, employer.uscc, duplicate=False)
    existing = await repository.transfer_by_ref(session, payload.bank_ref)
    assert existing is not None
    if not _same_transfer(existing, employer, payload):
        raise Conflict(
            f"银行流水号 {payload.bank_ref} 已用于另一笔拨付记录，内容不一致", code="bank_ref_conflict"
        )
    return 200, transfer_out(existing, employer.uscc, duplicate=True)
