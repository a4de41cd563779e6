"""Rules of employers and projects: registration, the real-name roster, pay dates."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import pydantic
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import Identity
from shared.calendar import WorkingDayCalendar
from shared.errors import Conflict, FieldError, NotFound, ValidationFailed, pydantic_errors_to_field_errors
from shared.ids import new_uuid
from shared.masking import mask_id_number
from shared.pagination import Page, PageParams, encode_cursor
from shared.timeutil import now_utc
from wages.config import WagesSettings
from wages.employer import repository
from wages.employer.models import MonitoredEmployer, RosterWorker
from wages.employer.payday import pay_date
from wages.employer.period import PeriodError
from wages.employer.schemas import (
    DepositOut,
    EmployerIn,
    EmployerOut,
    EmployerSummary,
    PayDateOut,
    RosterEntryIn,
    RosterReplaced,
    RosterWorkerOut,
    WageAccount,
)

_PROJECT_FIELDS = ("project_name", "wage_account", "deposit", "contract_price", "monthly_labour_cost")
# Art. 26 (dedicated account) and art. 24/29 (monthly labour-cost transfer) need these to monitor
# a project; the deposit may be missing: that absence is itself an early-warning signal (art. 32).
_PROJECT_REQUIRED = {
    "project_name": "工程建设项目须填写项目名称",
    "wage_account": "工程建设项目须填写农民工工资专用账户（条例第二十六条）",
    "contract_price": "工程建设项目须填写合同价款",
    "monthly_labour_cost": "工程建设项目须填写每月人工费用（条例第二十四条）",
}


def employer_not_registered(uscc: str) -> NotFound:
    return NotFound(f"该单位未登记为工资支付监控对象：{uscc}", code="employer_not_registered")


async def load_employer(session: AsyncSession, uscc: str, *, for_update: bool = False) -> MonitoredEmployer:
    employer = await repository.get_by_uscc(session, uscc, for_update=for_update)
    if employer is None:
        raise employer_not_registered(uscc)
    return employer


def _percent(rate: Decimal) -> str:
    return format((rate * 100).normalize(), "f") + "%"


def validate_registration(payload: EmployerIn, settings: WagesSettings) -> list[FieldError]:
    errors: list[FieldError] = []
    if payload.kind == "project":
        for field, message in _PROJECT_REQUIRED.items():
            if getattr(payload, field) is None:
                errors.append(FieldError(field, "missing", message))
    else:
        for field in _PROJECT_FIELDS:
            if getattr(payload, field) is not None:
                errors.append(FieldError(field, "project_only", "仅工程建设项目（kind=project）填写该字段"))
    deposit = payload.deposit
    if deposit is not None and payload.kind == "project":
        if deposit.kind == "exempt":
            if deposit.amount or deposit.rate:
                errors.append(
                    FieldError(
                        "deposit.amount", "deposit_exempt_with_amount", "免缴工资保证金时不应填写金额和比例"
                    )
                )
        else:
            if not deposit.amount:
                errors.append(FieldError("deposit.amount", "missing", "须填写工资保证金（或保函）金额"))
            low, high = settings.deposit_rate_min, settings.deposit_rate_max
            if deposit.rate is None:
                errors.append(FieldError("deposit.rate", "missing", "须填写工资保证金比例"))
            elif not low <= deposit.rate <= high:
                errors.append(
                    FieldError(
                        "deposit.rate",
                        "deposit_rate_out_of_range",
                        f"工资保证金比例应在 {_percent(low)} 至 {_percent(high)} 之间"
                        "（人社部发〔2021〕65号）",
                    )
                )
    return errors


def employer_out(employer: MonitoredEmployer) -> EmployerOut:
    account = None
    if employer.wage_account_no is not None:
        account = WageAccount(bank=employer.wage_account_bank or "", account_no=employer.wage_account_no)
    deposit = None
    if employer.deposit_kind is not None:
        deposit = DepositOut(
            kind=employer.deposit_kind, amount=employer.deposit_amount, rate=employer.deposit_rate
        )
    return EmployerOut(
        id=employer.id,
        uscc=employer.uscc,
        name=employer.name,
        kind=employer.kind,
        district_code=employer.district_code,
        industry_code=employer.industry_code,
        pay_day=employer.pay_day,
        pay_cycle=employer.pay_cycle,
        project_name=employer.project_name,
        wage_account=account,
        deposit=deposit,
        contract_price=employer.contract_price,
        monthly_labour_cost=employer.monthly_labour_cost,
        registered_by=employer.registered_by,
        created_at=employer.created_at,
        updated_at=employer.updated_at,
    )


async def register_employer(
    session: AsyncSession, identity: Identity, payload: EmployerIn, *, settings: WagesSettings
) -> tuple[int, EmployerOut]:
    """Create the employer, or update it when its USCC is already registered (201 / 200)."""
    errors = validate_registration(payload, settings)
    if errors:
        raise ValidationFailed(errors)
    account = payload.wage_account
    if account is not None:
        holder = await repository.get_by_account(session, account.account_no)
        if holder is not None and holder.uscc != payload.uscc:
            # Bank confirmations find the project by this number, so it must name one project.
            raise Conflict(
                f"该农民工工资专用账户已登记在其他单位名下：{holder.uscc}",
                code="wage_account_in_use",
            )
    now = now_utc()
    # INSERT ... ON CONFLICT DO NOTHING, then lock the row: two first registrations of the same
    # USCC at once end as one row (one 201, one 200), never as a unique-constraint error.
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    result = await session.execute(
        insert(MonitoredEmployer)
        .values(
            id=new_uuid(),
            uscc=payload.uscc,
            name=payload.name,
            kind=payload.kind,
            district_code=payload.district_code,
            industry_code=payload.industry_code,
            pay_cycle=payload.pay_cycle,
            pay_day=payload.pay_day,
            registered_by=identity.client_id,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["uscc"])
    )
    created = getattr(result, "rowcount", 0) == 1
    employer = await load_employer(session, payload.uscc, for_update=True)
    employer.name = payload.name
    employer.kind = payload.kind
    employer.district_code = payload.district_code
    employer.industry_code = payload.industry_code
    employer.pay_cycle = payload.pay_cycle
    employer.pay_day = payload.pay_day
    employer.project_name = payload.project_name
    employer.wage_account_bank = account.bank if account else None
    employer.wage_account_no = account.account_no if account else None
    deposit = payload.deposit
    employer.deposit_kind = deposit.kind if deposit else None
    employer.deposit_amount = deposit.amount if deposit else None
    employer.deposit_rate = deposit.rate if deposit else None
    employer.contract_price = payload.contract_price
    employer.monthly_labour_cost = payload.monthly_labour_cost
    employer.registered_by = identity.client_id
    employer.updated_at = now
    await session.flush()
    return (201 if created else 200), employer_out(employer)


async def get_employer(session: AsyncSession, uscc: str) -> EmployerOut:
    return employer_out(await load_employer(session, uscc))


async def list_employers(
    session: AsyncSession, page: PageParams, *, district_code: str | None
) -> Page[EmployerSummary]:
    after = str(page.after[0]) if page.after else None
    rows = await repository.list_employers(
        session, limit=page.limit + 1, after_uscc=after, district_code=district_code
    )
    items = [EmployerSummary.model_validate(row) for row in rows[: page.limit]]
    next_cursor = encode_cursor([rows[page.limit - 1].uscc]) if len(rows) > page.limit else None
    return Page[EmployerSummary](items=items, next_cursor=next_cursor)


# -- roster -------------------------------------------------------------------------------------


def validate_roster(rows: Sequence[Any]) -> tuple[list[RosterEntryIn], list[FieldError]]:
    """Every row checked; every bad row listed (``[3].id_number``), duplicates included."""
    entries: list[RosterEntryIn] = []
    errors: list[FieldError] = []
    first_seen: dict[str, int] = {}
    for index, row in enumerate(rows):
        try:
            entry = RosterEntryIn.model_validate(row)
        except pydantic.ValidationError as exc:
            located = [{**err, "loc": (index, *err["loc"])} for err in exc.errors()]
            errors.extend(pydantic_errors_to_field_errors(located))
            continue
        first = first_seen.setdefault(entry.id_number, index)
        if first != index:
            errors.append(
                FieldError(f"[{index}].id_number", "duplicate_id_number", f"身份证号与第 {first} 项重复")
            )
            continue
        entries.append(entry)
    return entries, errors


async def replace_roster(
    session: AsyncSession, uscc: str, rows: Sequence[Any], *, today: date
) -> RosterReplaced:
    """Make the submitted list the roster from today: new workers added, listed ones updated,
    workers no longer listed ended today (or dropped if they had not started yet)."""
    employer = await load_employer(session, uscc, for_update=True)
    entries, errors = validate_roster(rows)
    if errors:
        raise ValidationFailed(errors)
    current: dict[str, list[RosterWorker]] = {}
    for worker in await repository.active_roster(session, employer.id, today):
        current.setdefault(worker.id_number, []).append(worker)
    added = updated = unchanged = 0
    for entry in entries:
        existing = current.pop(entry.id_number, [])
        if not existing:
            session.add(
                RosterWorker(
                    employer_id=employer.id,
                    id_number=entry.id_number,
                    name=entry.name,
                    active_from=entry.active_from,
                    active_to=entry.active_to,
                )
            )
            added += 1
            continue
        worker, *extra = existing
        wanted = (entry.name, entry.active_from, entry.active_to)
        if (worker.name, worker.active_from, worker.active_to) == wanted:
            unchanged += 1
        else:
            worker.name, worker.active_from, worker.active_to = wanted
            updated += 1
        # A worker listed twice among the active rows (older data): one row is kept.
        await repository.end_workers(session, [w.id for w in extra if w.active_from <= today], today)
        await repository.delete_workers(session, [w.id for w in extra if w.active_from > today])
    leaving = [w for rows_ in current.values() for w in rows_]
    to_end = [
        w.id for w in leaving if w.active_from <= today and (w.active_to is None or w.active_to > today)
    ]
    # Never started: nothing to keep.
    to_drop = [w.id for w in leaving if w.active_from > today]
    await session.flush()
    await repository.end_workers(session, to_end, today)
    await repository.delete_workers(session, to_drop)
    return RosterReplaced(
        uscc=employer.uscc,
        on=today,
        added=added,
        updated=updated,
        unchanged=unchanged,
        ended=len(to_end) + len(to_drop),
        active=await repository.count_active(session, employer.id, today),
    )


def roster_worker_out(worker: RosterWorker, today: date) -> RosterWorkerOut:
    return RosterWorkerOut(
        id=worker.id,
        id_number=mask_id_number(worker.id_number),
        name=worker.name,
        active_from=worker.active_from,
        active_to=worker.active_to,
        active=worker.active_from <= today and (worker.active_to is None or worker.active_to >= today),
    )


async def list_roster(
    session: AsyncSession, uscc: str, page: PageParams, *, active_only: bool, today: date
) -> Page[RosterWorkerOut]:
    employer = await load_employer(session, uscc)
    after = page.after[0] if page.after else None
    if after is not None and not isinstance(after, int):
        raise ValidationFailed([FieldError("query.cursor", "cursor_invalid", "分页游标无效")])
    rows = await repository.list_roster(
        session,
        employer.id,
        limit=page.limit + 1,
        after_id=after,
        active_on=today if active_only else None,
    )
    items = [roster_worker_out(r, today) for r in rows[: page.limit]]
    next_cursor = encode_cursor([rows[page.limit - 1].id]) if len(rows) > page.limit else None
    return Page[RosterWorkerOut](items=items, next_cursor=next_cursor)


# -- pay dates ----------------------------------------------------------------------------------


async def pay_date_of(
    session: AsyncSession,
    uscc: str,
    period: str,
    *,
    calendar: WorkingDayCalendar,
    settings: WagesSettings,
) -> PayDateOut:
    employer = await load_employer(session, uscc)
    try:
        due = pay_date(employer.pay_day, period, calendar, settings)
    except PeriodError as exc:
        raise ValidationFailed([FieldError("query.period", exc.code, exc.message)]) from None
    return PayDateOut(
        uscc=employer.uscc,
        pay_day=employer.pay_day,
        period=due.period,
        due_on=due.due_on,
        moved_from=due.moved_from,
        calendar_provisional=due.calendar_provisional,
    )
