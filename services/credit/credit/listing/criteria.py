"""令45 art. 5 listing criteria [V2], checked on the proposal's ``basis``; free of I/O.

List when wages are in arrears, HRSS ordered payment by a deadline, the deadline passed unpaid,
and either (1) the arrears reach the 拒不支付劳动报酬罪 amount (法释〔2013〕3号 art. 3: one worker
for 3 months or more and the single amount, or 10 workers or more and the group amount; Yunnan's
figures are settings [M]) or (2) they caused a 群体性事件 or 极端事件.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from credit.config import BlacklistThresholds
from credit.listing.schemas import BlacklistBasis
from shared.errors import FieldError
from shared.money import format_money

CODE = "criterion_not_met"


def _yuan(amount: Decimal) -> str:
    return format_money(amount)


def unmet(basis: BlacklistBasis, thresholds: BlacklistThresholds, today: date) -> list[FieldError]:
    """Every unmet condition, each naming its ``basis.<field>``; empty when the criteria hold."""
    errors: list[FieldError] = []
    deadline = basis.order_to_pay_deadline
    if deadline is None:
        errors.append(
            FieldError(
                "basis.order_to_pay_deadline", "missing", "须载明限期支付指令书（或处理决定书）规定的支付期限"
            )
        )
    elif deadline >= today:
        errors.append(
            FieldError(
                "basis.order_to_pay_deadline",
                "deadline_not_passed",
                f"支付期限 {deadline.isoformat()} 尚未届满",
            )
        )
    if basis.unpaid_at_deadline is not True:
        errors.append(FieldError("basis.unpaid_at_deadline", CODE, "须为支付期限届满时仍未支付"))

    amount = basis.amount
    months = basis.months_unpaid or 0
    workers = basis.workers or 0
    t = thresholds
    single = amount is not None and amount >= t.single_worker_amount and months >= t.single_worker_months
    group = amount is not None and workers >= t.group_workers and amount >= t.group_amount
    incident = basis.group_incident or basis.extreme_incident
    if single or group or incident:
        return errors

    # Neither branch holds: say what each one lacks, one entry per field.
    lacks: dict[str, list[str]] = {}
    if amount is None or amount < t.single_worker_amount:
        lacks.setdefault("amount", []).append(f"单人标准须达 {_yuan(t.single_worker_amount)} 元")
    if months < t.single_worker_months:
        lacks.setdefault("months_unpaid", []).append(f"单人标准须被拖欠满 {t.single_worker_months} 个月")
    if workers < t.group_workers:
        lacks.setdefault("workers", []).append(f"多人标准须达 {t.group_workers} 人")
    if amount is None or amount < t.group_amount:
        lacks.setdefault("amount", []).append(f"多人标准须达 {_yuan(t.group_amount)} 元")
    stated = "拖欠数额未载明" if amount is None else f"拖欠数额 {_yuan(amount)} 元"
    for field, parts in lacks.items():
        prefix = f"{stated}：" if field == "amount" else ""
        errors.append(FieldError(f"basis.{field}", CODE, prefix + "；".join(parts) + "（数额标准待核实）"))
    errors.append(
        FieldError("basis.group_incident", CODE, "未达数额标准时，须为拖欠引发群体性事件或极端事件")
    )
    return errors
