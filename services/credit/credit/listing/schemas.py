"""Request and response models of the listing procedure, the feed and the public blacklist."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from credit.subject.schemas import Role
from shared.identifiers import USCC, IdNumber
from shared.money import Money

ListType = Literal["blacklist", "watch", "red"]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
PersonName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Address = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)]

# --- proposing -----------------------------------------------------------------------------


class UnitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    uscc: USCC
    name: Name
    address: Address | None = None


class PersonIn(BaseModel):
    """法定代表人/主要负责人/直接负责的主管人员/其他直接责任人员 listed with the unit (令45 art. 5)."""

    model_config = ConfigDict(extra="forbid")

    id_number: IdNumber
    name: PersonName
    role: Role


class ListingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    list_type: ListType
    unit: UnitIn
    persons: Annotated[list[PersonIn], Field(max_length=50)] = []
    basis: dict[str, Any] = Field(
        default_factory=dict,
        description="列入依据。失信联合惩戒名单须含令45第五条各项：order_to_pay_deadline、"
        "unpaid_at_deadline，以及 amount/months_unpaid/workers 或 group_incident/extreme_incident",
    )


class BlacklistBasis(BaseModel):
    """The facts 令45 art. 5 asks for; other keys (case_no, order_no, facts) are kept as sent."""

    model_config = ConfigDict(extra="allow")

    order_to_pay_deadline: date | None = Field(default=None, description="限期支付指令书载明的期限")
    unpaid_at_deadline: bool | None = Field(default=None, description="期限届满时仍未支付")
    amount: Money | None = Field(default=None, description="拖欠（克扣）工资数额（元）")
    months_unpaid: Annotated[int, Field(ge=0, le=1200)] | None = Field(
        default=None, description="单个劳动者被拖欠的月数"
    )
    workers: Annotated[int, Field(ge=0, le=1_000_000)] | None = Field(
        default=None, description="被拖欠劳动者人数"
    )
    group_incident: bool = Field(default=False, description="引发群体性事件")
    extreme_incident: bool = Field(default=False, description="引发极端事件")


# --- reading -------------------------------------------------------------------------------


class ListedSubject(BaseModel):
    id: str
    subject_type: str
    uscc: str | None
    id_number: str | None
    name: str


class DecisionRef(BaseModel):
    id: str
    decision_no: str | None
    decided_on: date | None
    decided_by: str | None


class ListingMember(BaseModel):
    """Another listing of the same decision (the unit and its persons move together)."""

    listing_id: str
    role: str
    role_label: str
    subject: ListedSubject


class DocumentOut(BaseModel):
    title: str
    ref: str


class ListingEventEntry(BaseModel):
    id: int
    action: str
    from_status: str | None
    to_status: str
    actor_id: str
    actor_name: str
    at: datetime
    reason: str | None
    documents: list[DocumentOut]
    data: dict[str, Any]


class ListingSummaryOut(BaseModel):
    id: str
    list_type: str
    list_label: str
    role: str
    role_label: str
    status: str
    status_label: str
    subject: ListedSubject
    decision: DecisionRef
    statement_due: date | None
    listed_on: date | None
    published_on: date | None
    expires_on: date | None
    ended_on: date | None
    restrictions: list[str]
    created_at: datetime
    updated_at: datetime


class ListingDetail(ListingSummaryOut):
    basis: dict[str, Any]
    corrected_on: date | None
    allowed_actions: list[str]
    criteria_note: str | None = Field(description="重点关注名单/红名单的认定标准说明（未经核实的地方规则）")
    unverified_rules: list[str] = Field(
        description="本结果所依据、尚未经原文核实 [M] 的规则（对应配置项名称）",
    )
    members: list[ListingMember]
    events: list[ListingEventEntry]


# --- the feed ------------------------------------------------------------------------------


class FeedItem(BaseModel):
    seq: int
    listing_id: str
    change: str
    snapshot: dict[str, Any]
    at: datetime


class FeedPage(BaseModel):
    items: list[FeedItem]
    next_since: int


# --- public --------------------------------------------------------------------------------


class PublicUnit(BaseModel):
    name: str
    uscc: str | None


class PublicPerson(BaseModel):
    name: str = Field(description="姓名（仅保留姓，其余以 * 代替）")
    role: str
    role_label: str


class PublicBlacklistEntry(BaseModel):
    decision_no: str | None
    unit: PublicUnit
    persons: list[PublicPerson]
    listed_on: date
    published_on: date | None
    expires_on: date | None
    restrictions: list[str]
