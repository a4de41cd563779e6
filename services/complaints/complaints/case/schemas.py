"""Request and response models of the case API (contract.md, "Complaints and cases")."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from shared.identifiers import USCC, DistrictCode, IdNumber, IndustryCode, Phone
from shared.money import Money

Kind = Literal["complaint", "report"]
Channel = Literal[
    "window",
    "phone",
    "hotline_12345",
    "police_110",
    "mobile_app",
    "web",
    "letter",
    "assigned",
    "transferred",
    "petition",
    "inspection",
    "monitoring",
    "clue_platform",
]
Issue = Literal[
    "wage_arrears",
    "wage_deduction",
    "below_minimum_wage",
    "no_contract",
    "social_insurance",
    "working_hours",
    "illegal_deposit",
    "child_labor",
    "female_juvenile_protection",
    "dispatch",
    "other",
]
EmergencyIndicator = Literal["self_harm_threat", "group_gathering", "violence", "blocking_roads"]
PaymentKind = Literal["wages", "compensation", "deposit_refund", "social_insurance"]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=10000)]


class Person(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Text | None = None
    id_number: IdNumber | None = None
    phone: Phone | None = None


class Employer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Text | None = None
    uscc: USCC | None = None
    address: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] | None = None
    district_code: DistrictCode | None = None
    industry_code: IndustryCode | None = None


class Emergency(BaseModel):
    model_config = ConfigDict(extra="forbid")

    indicators: Annotated[list[EmergencyIndicator], Field(min_length=1)]
    people: Annotated[int, Field(ge=0, le=100000)] | None = None
    location: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] | None = None


class ExternalRef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    system: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{2,32}$")]
    id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class CaseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Kind
    channel: Channel
    received_at: AwareDatetime | None = None
    complainant: Person | None = None
    anonymous: bool = False
    employer: Employer
    issues: Annotated[list[Issue], Field(min_length=1, max_length=11)]
    workers_affected: Annotated[int, Field(ge=1, le=1000000)] | None = None
    amount_claimed: Money | None = None
    occurred_on: date | None = None
    violation_ended_on: date | None = Field(default=None, description="持续性违法行为的终了日")
    description: LongText = ""
    emergency: Emergency | None = None
    external_ref: ExternalRef | None = None


class Deadlines(BaseModel):
    accept_by: date | None
    investigate_by: date | None
    extended: bool
    calendar_provisional: bool
    overdue: list[str]
    rectify_by: date | None = None
    hearing_request_by: date | None = None
    fine_due_by: date | None = None
    fine_paid_on: date | None = None
    # 加处罚款 (行政处罚法 art. 72): accrued to today while the fine is unpaid, or as of the day
    # it was paid; null without a fine.
    late_fine_surcharge: Money | None = None
    # After 结案: the day the complainant is to be told the result by, and the day they were.
    result_notice_by: date | None = None
    result_notified_on: date | None = None


class PersonOut(BaseModel):
    name: str | None
    id_number: str | None
    phone: str | None


class CaseOut(BaseModel):
    id: str
    case_no: str
    kind: str
    channel: str
    status: str
    status_label: str
    received_at: datetime
    external_ref: ExternalRef | None
    anonymous: bool
    complainant: PersonOut | None
    employer: dict[str, str | None]
    employer_case_count: int
    issues: list[str]
    workers_affected: int | None
    amount_claimed: Money | None
    occurred_on: date | None
    violation_ended_on: date | None
    description: str
    acceptance_checks: dict[str, Any]
    emergency: dict[str, Any] | None
    assignee: str | None
    deadlines: Deadlines
    disposition: str | None
    merged_into_id: str | None
    allowed_actions: list[str]
    created_at: datetime
    updated_at: datetime


class DuplicateRef(BaseModel):
    id: str
    case_no: str
    status: str
    received_at: datetime


class CaseCreated(CaseOut):
    possible_duplicates: list[DuplicateRef]


class CaseSummary(BaseModel):
    id: str
    case_no: str
    kind: str
    channel: str
    status: str
    received_at: datetime
    employer_name: str | None
    district_code: str | None
    industry_code: str | None
    emergency: bool
    next_deadline: date | None
    overdue: bool


class TimelineEntry(BaseModel):
    case_id: str
    action: str
    from_status: str | None
    to_status: str
    actor: str
    at: datetime
    reason: str | None
    data: dict[str, Any]


class PaymentOut(BaseModel):
    id: int
    case_id: str
    worker_name: str
    worker_id_number: str
    kind: str
    amount: Money
    paid_on: date
    recorded_at: datetime


class PaymentTotals(BaseModel):
    kind: str
    amount: Money
    workers: int
    payments: int


class Payments(BaseModel):
    items: list[PaymentOut]
    totals: list[PaymentTotals]
    total_amount: Money
    total_workers: int
