"""The complaints service's part of the yearly report (``/api/v1/complaints/reports``)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from complaints.inspection.schemas import MoneyTotal

FigureName = Literal[
    "employers_inspected",
    "workers_covered",
    "routine_patrols",
    "assigned_transferred_petition",
    "complaints_and_reports",
    "hotline_calls",
    "wages_recovered",
    "compensation_recovered",
    "deposits_refunded",
    "social_insurance_backpaid",
    "penalties",
    "special_campaigns",
    "annual_reviews",
]


def _absent(value: object) -> bool:
    return value is None


class Explain(BaseModel):
    counted_as: str = Field(description="口径说明")
    records: str = Field(description="构成该数字的记录清单（分页）")
    courier_records: str = Field(description="其中快递业（6020）的记录清单")


class Figure(BaseModel):
    label: str
    explain: Explain | None = Field(default=None, exclude_if=_absent, description="explain=true 时给出")


class CourierEmployers(BaseModel):
    employers: int


class EmployersInspected(Figure):
    employers: int = Field(description="用人单位户数（去重）")
    by_source: dict[str, int] = Field(description="按来源分列的户数（各来源之间可能重叠）")
    courier: CourierEmployers


class CourierWorkers(BaseModel):
    workers: int


class WorkersCovered(Figure):
    workers: int = Field(description="涉及劳动者人次")
    from_inspections: int
    from_cases: int
    courier: CourierWorkers


class KindCourier(BaseModel):
    employers: int
    workers_covered: int


class InspectionKindFigure(Figure):
    inspections: int
    employers: int
    workers_covered: int
    courier: KindCourier


class CampaignLine(BaseModel):
    campaign: str
    inspections: int
    employers: int
    workers_covered: int


class SpecialCampaigns(InspectionKindFigure):
    inspectors_deployed: int
    orders_to_correct: int
    penalties: int
    fines: MoneyTotal
    contracts_signed: int
    wages_ordered: MoneyTotal
    wages_ordered_workers: int
    compensation_ordered: MoneyTotal
    wages_and_compensation_ordered: MoneyTotal
    social_insurance_registrations: int
    social_insurance_ordered: MoneyTotal
    social_insurance_ordered_workers: int
    campaigns: list[CampaignLine]


class CourierCases(BaseModel):
    cases: int


class ChannelCases(Figure):
    cases: int
    by_channel: dict[str, int]
    courier: CourierCases


class ComplaintsAndReports(ChannelCases):
    complaints: int = Field(description="投诉（kind=complaint）")
    reports: int = Field(description="举报（kind=report）")


class CourierMoney(BaseModel):
    workers: int
    amount: MoneyTotal


class PaymentFigure(Figure):
    workers: int = Field(description="劳动者人数（按身份证号去重）")
    payments: int = Field(description="到账笔数（人次）")
    amount: MoneyTotal
    courier: CourierMoney


class PenaltyPart(BaseModel):
    penalties: int
    employers: int
    fines: MoneyTotal


class CourierPenalties(BaseModel):
    employers: int
    fines: MoneyTotal


class Penalties(Figure):
    employers: int
    penalties: int
    fines: MoneyTotal
    from_cases: PenaltyPart
    from_inspections: PenaltyPart
    courier: CourierPenalties


class ComplaintsFigures(BaseModel):
    employers_inspected: EmployersInspected
    workers_covered: WorkersCovered
    routine_patrols: InspectionKindFigure
    assigned_transferred_petition: ChannelCases
    complaints_and_reports: ComplaintsAndReports
    hotline_calls: ChannelCases
    wages_recovered: PaymentFigure
    compensation_recovered: PaymentFigure
    deposits_refunded: PaymentFigure
    social_insurance_backpaid: PaymentFigure
    penalties: Penalties
    special_campaigns: SpecialCampaigns
    annual_reviews: InspectionKindFigure


class MonthChannel(BaseModel):
    month: str
    channel: str
    cases: int


class MonthPayments(BaseModel):
    month: str
    kind: str
    workers: int
    payments: int
    amount: MoneyTotal


class IndustryLine(BaseModel):
    industry_code: str | None
    cases: int
    inspections: int
    wages_workers: int
    wages_recovered: MoneyTotal


class ComplaintsCharts(BaseModel):
    cases_by_month_channel: list[MonthChannel]
    payments_by_month: list[MonthPayments]
    by_industry: list[IndustryLine]


class ComplaintsReport(BaseModel):
    model_config = ConfigDict(validate_by_name=True)

    service: Literal["complaints"] = "complaints"
    from_: date = Field(alias="from")
    to: date
    district_code: str | None
    courier_industry_code: str
    figures: ComplaintsFigures
    charts: ComplaintsCharts


RecordItem = dict[str, Any]
