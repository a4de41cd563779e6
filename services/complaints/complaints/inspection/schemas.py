"""Request and response models of the inspection API (``/api/v1/inspections``)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, StringConstraints, WithJsonSchema

from complaints.case.schemas import Issue
from shared.identifiers import USCC, DistrictCode, IndustryCode
from shared.money import Money, format_money

InspectionKind = Literal["routine_patrol", "special_campaign", "annual_review"]
ZERO = Decimal("0.00")
INSPECTION_KINDS: tuple[InspectionKind, ...] = ("routine_patrol", "special_campaign", "annual_review")

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Inspector = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Address = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=10000)]
Count = Annotated[int, Field(ge=0, le=10_000_000)]
# A computed total: serialised like Money, but not bounded by one NUMERIC(14, 2) amount.
MoneyTotal = Annotated[
    Decimal,
    PlainSerializer(format_money, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "description": "金额合计（元），两位小数", "examples": ["4200.00"]}),
]


class Employer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    uscc: USCC | None = None
    address: Address | None = None
    district_code: DistrictCode | None = None
    industry_code: IndustryCode | None = Field(default=None, description="GB/T 4754-2017；快递服务为 6020")


class FindingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    issue: Issue
    description: LongText = ""
    workers_affected: Count | None = None
    amount: Money | None = None


class Results(BaseModel):
    """What the inspection ordered or imposed; all zero when nothing was."""

    model_config = ConfigDict(extra="forbid")

    orders_to_correct: Count = Field(default=0, description="责令改正（份）")
    contracts_signed: Count = Field(default=0, description="责令补签劳动合同（份）")
    wages_ordered: Money = Field(default=ZERO, description="责令支付工资")
    wages_ordered_workers: Count = 0
    compensation_ordered: Money = Field(default=ZERO, description="责令支付经济补偿/赔偿金")
    social_insurance_registrations: Count = Field(default=0, description="责令办理社会保险登记（户）")
    social_insurance_ordered: Money = Field(default=ZERO, description="责令补缴社会保险费")
    social_insurance_ordered_workers: Count = 0
    penalties: Count = Field(default=0, description="行政处罚（件）")
    fines: Money = Field(default=ZERO, description="罚款")


class InspectionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: InspectionKind
    campaign: Name | None = Field(default=None, description="专项检查名称，专项检查必填")
    employer: Employer
    inspected_on: date
    inspectors: Annotated[list[Inspector], Field(min_length=1, max_length=100)]
    headcount: Count = Field(description="用工人数（覆盖劳动者人次）")
    findings: Annotated[list[FindingIn], Field(max_length=100)] = []
    results: Results = Field(default_factory=Results)


class EmployerOut(BaseModel):
    name: str
    uscc: str | None
    address: str | None
    district_code: str | None
    industry_code: str | None


class FindingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    issue: str
    description: str
    workers_affected: int | None
    amount: Money | None
    case_id: str | None


class InspectionOut(BaseModel):
    id: str
    kind: InspectionKind
    campaign: str | None
    employer: EmployerOut
    inspected_on: date
    inspectors: list[str]
    headcount: int
    findings: list[FindingOut]
    results: Results
    recorded_by: str
    created_at: datetime


class CourierFigures(BaseModel):
    """The courier industry (快递服务, GB/T 4754-2017 ``6020``) among the inspections counted."""

    inspections: int
    employers: int
    workers_covered: int


class ResultFigures(BaseModel):
    orders_to_correct: int
    contracts_signed: int
    wages_ordered: MoneyTotal
    wages_ordered_workers: int
    compensation_ordered: MoneyTotal
    social_insurance_registrations: int
    social_insurance_ordered: MoneyTotal
    social_insurance_ordered_workers: int
    penalties: int
    fines: MoneyTotal


class Figures(BaseModel):
    inspections: int = Field(description="检查次数")
    employers: int = Field(description="检查用人单位户数（去重）")
    workers_covered: int = Field(description="覆盖劳动者人次（各次检查用工人数之和）")
    courier: CourierFigures
    inspectors_deployed: int = Field(description="出动检查人员人次（各次检查人数之和）")
    results: ResultFigures


class CampaignFigures(Figures):
    campaign: str


class InspectionSummary(BaseModel):
    model_config = ConfigDict(validate_by_name=True)

    from_: date | None = Field(alias="from")
    to: date | None
    district_code: str | None
    courier_industry_code: str
    total: Figures
    by_kind: dict[InspectionKind, Figures]
    campaigns: list[CampaignFigures] = Field(description="专项检查按专项行动分列")
