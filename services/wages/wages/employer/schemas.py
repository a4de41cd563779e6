"""Request and response models of employers, projects, rosters and pay dates."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from shared.identifiers import USCC, DistrictCode, IdNumber, IndustryCode, normalize_identifier
from shared.money import Money

Kind = Literal["employer", "project"]
# Only monthly pay is modelled so far (劳动法 art. 50: at least monthly); weekly, daily and hourly
# cycles (条例 art. 12) need their own pay-date rule.
PayCycle = Literal["monthly"]
DepositKind = Literal["deposit", "guarantee", "exempt"]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
PersonName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Rate = Annotated[Decimal, Field(ge=0, le=1, max_digits=6, decimal_places=4)]


def _account_no(value: str) -> str:
    folded = normalize_identifier(value)
    if not folded.isascii() or not folded.isdigit() or not 6 <= len(folded) <= 40:
        raise PydanticCustomError("account_no_invalid", "银行账号应为6至40位数字")
    return folded


AccountNo = Annotated[str, AfterValidator(_account_no)]


class WageAccount(BaseModel):
    """The project's dedicated migrant-worker wage account (农民工工资专用账户, 条例 art. 26)."""

    model_config = ConfigDict(extra="forbid")

    bank: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    account_no: AccountNo


class Deposit(BaseModel):
    """Wage deposit, bank guarantee or exemption (条例 art. 32; 人社部发〔2021〕65号)."""

    model_config = ConfigDict(extra="forbid")

    kind: DepositKind
    amount: Money | None = None
    rate: Rate | None = Field(default=None, description="占合同价款的比例，如 0.0300")


class EmployerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    uscc: USCC
    name: Name
    kind: Kind = "employer"
    district_code: DistrictCode
    industry_code: IndustryCode
    pay_day: Annotated[int, Field(ge=1, le=31, description="约定的每月工资支付日")]
    pay_cycle: PayCycle = "monthly"
    # Construction projects only.
    project_name: Name | None = None
    wage_account: WageAccount | None = None
    deposit: Deposit | None = None
    contract_price: Money | None = None
    monthly_labour_cost: Money | None = Field(default=None, description="每月应拨付的人工费用")


class EmployerSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    uscc: str
    name: str
    kind: str
    district_code: str
    industry_code: str
    pay_day: int
    created_at: datetime


class DepositOut(BaseModel):
    kind: str
    amount: Money | None
    rate: Decimal | None


class EmployerOut(BaseModel):
    id: str
    uscc: str
    name: str
    kind: str
    district_code: str
    industry_code: str
    pay_day: int
    pay_cycle: str
    project_name: str | None
    wage_account: WageAccount | None
    deposit: DepositOut | None
    contract_price: Money | None
    monthly_labour_cost: Money | None
    registered_by: str
    created_at: datetime
    updated_at: datetime


class RosterEntryIn(BaseModel):
    """One worker of the real-name roster (实名制, 条例 arts. 6, 28)."""

    model_config = ConfigDict(extra="forbid")

    id_number: IdNumber
    name: PersonName
    active_from: date
    active_to: date | None = None

    @field_validator("active_to")
    @classmethod
    def _not_before_start(cls, value: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("active_from")
        if value is not None and isinstance(start, date) and value < start:
            raise PydanticCustomError("active_to_before_active_from", "离开日期不能早于进场日期")
        return value


class RosterReplaced(BaseModel):
    uscc: str
    on: date = Field(description="名册替换生效日（今天）；被移出的劳动者以此日为离开日期")
    added: int
    updated: int
    unchanged: int
    ended: int = Field(description="被移出名册（离开日期记为今天）的人数")
    active: int = Field(description="今天在岗人数（今天被移出者离开日期为今天，当天仍计入）")


class RosterWorkerOut(BaseModel):
    id: int
    id_number: str = Field(description="身份证号（已脱敏）")
    name: str
    active_from: date
    active_to: date | None
    active: bool


class PayDateOut(BaseModel):
    uscc: str
    pay_day: int
    period: str
    due_on: date = Field(description="应支付工资的最后日期（遇休息日、法定节假日提前）")
    moved_from: date | None = Field(description="约定支付日遇休息日或节假日时的原日期，否则为 null")
    calendar_provisional: bool = Field(description="所涉年份尚无官方节假日安排，按周一至周五推算")
