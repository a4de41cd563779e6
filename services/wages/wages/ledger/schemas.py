"""Request and response models of ledgers, bank confirmations and labour-cost transfers."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.identifiers import USCC, IdNumber
from shared.money import Money
from wages.employer.period import PERIOD_PATTERN
from wages.employer.schemas import AccountNo

Period = Annotated[str, StringConstraints(pattern=PERIOD_PATTERN)]
BankRef = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class LedgerEnvelope(BaseModel):
    """Everything of a ledger but its lines (checked by hand, see ``ledger/validation.py``)."""

    model_config = ConfigDict(extra="forbid")

    uscc: USCC
    period: str


class LedgerOut(BaseModel):
    id: str
    uscc: str
    period: str
    version: int
    current: bool
    line_count: int
    total_payable: Money
    total_paid: Money
    source_format: str
    submitted_by: str
    submitted_at: datetime


class LedgerLineOut(BaseModel):
    id: int
    line_no: int
    id_number: str = Field(description="身份证号（已脱敏）")
    name: str
    payable: Money
    paid: Money
    paid_on: date | None
    hours: Decimal | None


class PaymentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    bank_ref: BankRef = Field(description="银行流水号（重复提交按已收到处理）")
    id_number: IdNumber
    amount: Money
    paid_on: date
    period: Period


class PaymentsIn(BaseModel):
    """A bank's confirmations of payments from a dedicated wage account (代发工资)."""

    model_config = ConfigDict(extra="forbid")

    account_no: AccountNo
    payments: Annotated[list[PaymentIn], Field(min_length=1, max_length=100_000)]


class UnmatchedPayment(BaseModel):
    bank_ref: str
    period: str
    id_number: str = Field(description="身份证号（已脱敏）")
    reason: str = Field(description="no_ledger：该所属期尚无台账；not_in_ledger：台账中无此劳动者")
    message: str


class PaymentsReceived(BaseModel):
    uscc: str
    received: int = Field(description="本次新记录的笔数")
    matched: int = Field(description="其中与当前台账行匹配的笔数")
    unmatched: list[UnmatchedPayment]
    duplicates: list[str] = Field(description="此前已收到（或本批重复）的银行流水号，未重复记录")


class TransferIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    period: Period
    amount: Money
    transferred_on: date
    bank_ref: BankRef


class TransferOut(BaseModel):
    id: int
    uscc: str
    period: str
    amount: Money
    transferred_on: date
    bank_ref: str
    received_at: datetime
    duplicate: bool = Field(description="true：该银行流水号此前已收到，未重复记录")
