"""Wire format of the penalty guide: the request, the guide and the violation catalogue.

Output models read the dataclasses of :mod:`complaints.penalty.rules` (``from_attributes``);
computed money is :data:`shared.money.Money`, a two-place decimal string in JSON. Per-unit
figures are plain decimals (yuan, or a ratio, depending on ``basis``), also strings in JSON.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from complaints.penalty.rules import Basis, ConsequenceKind, Fact, Law, Liable, Trigger, Violation
from shared.money import Money

# Bounds keep every computed amount below the NUMERIC(14, 2) ceiling of Money
# (largest case: 1e10 × 0.05% × 36500 days ≈ 1.8e11).
MAX_FACT_AMOUNT: Final = Decimal("10000000000.00")
MAX_MONTHLY_WAGE: Final = Decimal("100000000.00")

Count = Annotated[int, Field(ge=1, le=1_000_000)]
Months = Annotated[int, Field(ge=0, le=1200)]


def _bounded(value: Decimal | None, ceiling: Decimal) -> Decimal | None:
    if value is not None and value > ceiling:
        raise ValueError(f"金额超出允许范围（上限 {ceiling}）")
    return value


class PenaltyFacts(BaseModel):
    """The facts of the case as far as they are known; omit what is not known."""

    model_config = ConfigDict(extra="forbid")

    workers: Count | None = Field(None, description="涉及（受侵害）的劳动者人数")
    amount: Money | None = Field(
        None,
        description="涉案金额：应付工资报酬/差额/经济补偿/加班费、瞒报工资数额、骗取金额、应缴或欠缴社会保险费数额",
    )
    days: Annotated[int, Field(ge=0, le=36500)] | None = Field(
        None, description="天数（滞纳金：自欠缴之日起）"
    )
    months_unpaid: Months | None = Field(None, description="拖欠劳动报酬的月数")
    max_worker_amount: Money | None = Field(None, description="单个劳动者被拖欠的最高金额")
    months_without_contract: Months | None = Field(None, description="自用工之日起未订立书面劳动合同的整月数")
    months_since_open_ended_due: Months | None = Field(
        None, description="自应当订立无固定期限劳动合同之日起的整月数"
    )
    excess_probation_months: Months | None = Field(None, description="已履行的超过法定试用期的月数")
    monthly_wage: Money | None = Field(None, description="劳动者月工资")
    responsible_persons: Annotated[int, Field(ge=1, le=1000)] | None = Field(
        None, description="直接负责的主管人员和其他直接责任人员人数"
    )
    order_served: bool | None = Field(None, description="已依法送达限期整改指令书或行政处理决定书")
    deadline_passed: bool | None = Field(None, description="限期已届满")
    unpaid: bool | None = Field(None, description="期满仍未支付")
    corrected: bool | None = Field(None, description="已在限期内改正")
    serious: bool | None = Field(None, description="情节严重")
    evasion_means: bool | None = Field(None, description="以转移财产、逃匿等方法逃避支付")
    able_to_pay: bool | None = Field(None, description="有能力支付而不支付")

    @field_validator("amount", "max_worker_amount")
    @classmethod
    def _amount_ceiling(cls, value: Decimal | None) -> Decimal | None:
        return _bounded(value, MAX_FACT_AMOUNT)

    @field_validator("monthly_wage")
    @classmethod
    def _wage_ceiling(cls, value: Decimal | None) -> Decimal | None:
        return _bounded(value, MAX_MONTHLY_WAGE)


class PenaltyGuideRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    violation: Violation = Field(
        description="违法行为代码，见 GET /api/v1/complaints/penalty-guide/violations"
    )
    facts: PenaltyFacts = Field(default_factory=PenaltyFacts)


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class CitationOut(_Out):
    text: str = Field(description="中文引用，如「劳动保障监察条例 第二十六条第（一）项」")
    law: Law
    law_title: str
    article: str
    paragraph: int | None
    items: list[int]


class FactUseOut(_Out):
    fact: Fact
    label: str


class AmountOut(_Out):
    basis: Basis
    per_unit_min: Decimal
    per_unit_max: Decimal
    min: Money | None
    max: Money | None
    missing_facts: list[Fact]
    formula: str


class ConsequenceOut(_Out):
    kind: ConsequenceKind
    summary: str
    citation: CitationOut
    trigger: Trigger
    discretionary: bool
    liable: Liable
    applies: bool | None
    amount: AmountOut | None
    superseded_by: CitationOut | None
    superseded_note: str | None


class ConditionOut(_Out):
    code: str
    label: str
    holds: bool | None
    missing_facts: list[Fact]


class ThresholdsOut(_Out):
    single_worker_months: int
    single_worker_amount: Money
    group_workers: int
    group_amount: Money


class CrimeCheckOut(_Out):
    status: Literal["met", "not_met", "undetermined"]
    suspect_crime: bool | None
    suggest_action: Literal["transfer_police"] | None
    conditions: list[ConditionOut]
    missing_facts: list[Fact]
    thresholds: ThresholdsOut
    citations: list[CitationOut]
    note: str


class PenaltyGuide(_Out):
    violation: Violation
    title: str
    summary: str
    citation: CitationOut
    related: list[CitationOut]
    facts: list[FactUseOut]
    consequences: list[ConsequenceOut]
    superseded: list[ConsequenceOut]
    missing_facts: list[Fact]
    notes: list[str]
    crime_check: CrimeCheckOut | None
    disclaimer: str


class ViolationOut(_Out):
    violation: Violation
    title: str
    summary: str
    citation: CitationOut
    related: list[CitationOut]
    kinds: list[ConsequenceKind]
    facts: list[FactUseOut]
    crime_check: bool


class ViolationCatalogue(BaseModel):
    items: list[ViolationOut]
