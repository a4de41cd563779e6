"""Request and response models of the compliance file (守法诚信档案), the event intake and the
officer-recorded violations."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from credit.grade.schemas import GradeOut
from shared.identifiers import USCC, DistrictCode, IdNumber, IndustryCode
from shared.money import Money

Role = Literal["legal_representative", "principal", "directly_responsible", "other_responsible"]
ROLE_LABELS: dict[str, str] = {
    "legal_representative": "法定代表人",
    "principal": "主要负责人",
    "directly_responsible": "直接负责的主管人员",
    "other_responsible": "其他直接责任人员",
}
# 查处 stages an officer may record; the complaints service sends the first and the last.
Stage = Literal[
    "order_to_correct",  # 责令改正 / 限期整改指令书
    "handling_decision",  # 行政处理决定书
    "administrative_penalty",  # 行政处罚决定书
    "judicial_transfer",  # 移送司法机关
    "other",
]
# The complaints service's issue vocabulary (contract.md).
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
Flag = Literal[
    "group_incident",
    "extreme_incident",
    "serious_impact",
    "child_labor",
    "forced_labor",
    "refused_order",
    "obstructed_inspection",
    "criminal_liability",
]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
PersonName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Address = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)]
CaseNo = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=10000)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


# --- event intake --------------------------------------------------------------------------


class EventIn(BaseModel):
    """The gateway's event envelope (the complaints outbox's ``GatewayEventSender`` shape)."""

    model_config = ConfigDict(extra="ignore")

    id: Annotated[str, StringConstraints(min_length=1, max_length=36)]
    type: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    source: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    aggregate_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    occurred_at: AwareDatetime
    data: dict[str, Any]


class EventAck(BaseModel):
    id: str
    status: Literal["accepted", "duplicate"]


class EventEmployer(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    uscc: USCC | None = None
    district_code: DistrictCode | None = None
    industry_code: IndustryCode | None = None


class EventFacts(BaseModel):
    model_config = ConfigDict(extra="ignore")

    # Kept as sent: the complaints service owns its vocabulary and may grow it.
    issues: list[Annotated[str, StringConstraints(max_length=64)]] = []
    workers: Annotated[int, Field(ge=0)] | None = 0
    amount: Money | None = None


class ViolationEstablished(BaseModel):
    """``data`` of ``case.violation_established`` (complaints ``case_ref`` plus the facts)."""

    model_config = ConfigDict(extra="ignore")

    case_id: Annotated[str, StringConstraints(max_length=36)] | None = None
    case_no: Annotated[str, StringConstraints(max_length=32)] | None = None
    stage: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    employer: EventEmployer
    facts: EventFacts = EventFacts()
    decision_no: Annotated[str, StringConstraints(max_length=64)] | None = None
    fine: Money | None = None


class RepeatedComplaints(BaseModel):
    model_config = ConfigDict(extra="ignore")

    case_id: str | None = None
    employer: EventEmployer
    count: Annotated[int, Field(ge=0)]


# --- registration --------------------------------------------------------------------------


class PersonRoleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id_number: IdNumber
    name: PersonName
    role: Role
    valid_from: date | None = Field(default=None, description="任职起始日，缺省为今天")
    valid_to: date | None = Field(default=None, description="填写即表示该人员自此日起不再担任该职务")

    @model_validator(mode="after")
    def _dates_in_order(self) -> PersonRoleIn:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError("任职终止日不能早于起始日")
        return self


class SubjectUpsert(BaseModel):
    model_config = ConfigDict(extra="forbid")

    uscc: USCC
    name: Name
    address: Address | None = None
    district_code: DistrictCode | None = None
    industry_code: IndustryCode | None = None
    name_valid_from: date | None = Field(default=None, description="名称变更生效日，缺省为今天")
    persons: Annotated[list[PersonRoleIn], Field(max_length=100)] = []


# --- violations ----------------------------------------------------------------------------


class ViolationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    uscc: USCC
    decided_on: date = Field(description="查处决定作出之日")
    stage: Stage
    punished: bool = Field(description="是否已作出处理或处罚决定（查处）")
    issues: Annotated[list[Issue], Field(min_length=1, max_length=11)]
    workers: Annotated[int, Field(ge=0, le=1000000)] = 0
    amount: Money | None = None
    flags: Annotated[list[Flag], Field(max_length=8)] = []
    case_no: CaseNo | None = None
    description: LongText = ""


class ViolationCorrection(ViolationIn):
    reason: Reason


# --- the file ------------------------------------------------------------------------------


class SubjectOut(BaseModel):
    id: str
    subject_type: str
    uscc: str | None
    name: str
    address: str | None
    district_code: str | None
    industry_code: str | None
    created_at: datetime
    updated_at: datetime


class NameOut(BaseModel):
    name: str
    valid_from: date | None
    source: str
    recorded_at: datetime


class PersonRef(BaseModel):
    name: str
    id_number: str | None


class RoleOut(BaseModel):
    role: str
    role_label: str
    person: PersonRef
    valid_from: date | None
    valid_to: date | None
    current: bool


class EmployerRef(BaseModel):
    uscc: str | None
    name: str


class PersonRoleOut(BaseModel):
    role: str
    role_label: str
    employer: EmployerRef
    valid_from: date | None
    valid_to: date | None
    current: bool


class ViolationOut(BaseModel):
    id: str
    subject_id: str
    source: str
    case_id: str | None
    case_no: str | None
    decided_on: date
    stage: str
    punished: bool
    issues: list[str]
    workers: int
    amount: Money | None
    flags: list[str]
    description: str
    supersedes_id: str | None
    superseded: bool
    superseded_by: str | None = None
    recorded_by: str
    recorded_at: datetime


class ListingEventOut(BaseModel):
    action: str
    from_status: str | None
    to_status: str
    actor_name: str
    at: datetime
    reason: str | None


class ListingOut(BaseModel):
    id: str
    list_type: str
    role: str
    status: str
    decision_no: str | None
    listed_on: date | None
    published_on: date | None
    expires_on: date | None
    ended_on: date | None
    restrictions: list[str]
    events: list[ListingEventOut]


class SubjectFile(BaseModel):
    """The compliance file (守法诚信档案) of an employer."""

    subject: SubjectOut
    grade: GradeOut | None = Field(description="最近评价年度的现行等级")
    grades: list[GradeOut] = Field(description="各评价年度的现行等级，新的在前")
    names: list[NameOut]
    persons: list[RoleOut]
    personal_data_masked: bool
    listings: list[ListingOut]
    violations: list[ViolationOut]


class PersonFile(BaseModel):
    """A person's file: who they are, their roles at employers, their listings."""

    subject: SubjectOut
    id_number: str
    names: list[NameOut]
    roles: list[PersonRoleOut]
    listings: list[ListingOut]
    violations: list[ViolationOut]
