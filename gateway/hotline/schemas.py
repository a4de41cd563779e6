"""Request and response models of the hotline links (contract.md, "Hotline links")."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Final, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, StringConstraints

from shared.identifiers import DistrictCode

Category = Literal["complaint", "report", "consultation", "help", "suggestion"]
Urgency = Literal["normal", "urgent", "critical"]
StatusEvent = Literal["signed", "accepted", "rejected", "progress", "replied", "closed"]
CASE_CATEGORIES: Final = frozenset({"complaint", "report"})

ExternalId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")]
Content = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=8000)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Address = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class Caller(BaseModel):
    """The caller as the platform recorded them; checked field by field when mapped to a case."""

    model_config = ConfigDict(extra="ignore")

    name: Short | None = None
    phone: Short | None = None
    id_number: Short | None = None
    confidential: bool = False


class Respondent(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: Name | None = None
    uscc: Short | None = None
    address: Address | None = None


class _Matter(BaseModel):
    # Fields the sender adds beyond the contract are kept in the stored payload, not refused.
    model_config = ConfigDict(extra="ignore")

    received_at: AwareDatetime
    caller: Caller | None = None
    content: Content
    respondent: Respondent | None = None
    region_code: DistrictCode | None = None


class TicketIn(_Matter):
    ticket_no: ExternalId
    category: Category
    urgency: Urgency = "normal"
    due_at: AwareDatetime | None = None


class TransferIn(_Matter):
    """A wage matter 110 passes on (非警务求助)."""

    transfer_id: ExternalId
    incident_no: Short | None = None


class TicketOut(BaseModel):
    ticket_no: str
    category: str
    urgency: str
    status: str
    received_at: datetime
    signed_at: datetime
    case_id: str | None
    case_no: str | None
    # queued: waiting for the complaints service; filed: a case exists; inquiry: answered here.
    filing: Literal["queued", "filed", "inquiry"]
    inquiry_id: str | None
    reply_due_at: datetime
    due_source: Literal["platform", "policy"]
    due_basis: str
    due_provisional: bool
    answered_at: datetime | None
    overdue: bool
    due_soon: bool
    returned_at: datetime | None
    return_reason: str | None


class Queued(BaseModel):
    status: Literal["queued"] = "queued"
    ticket_no: str | None = None
    transfer_id: str | None = None
    detail: str = "投诉举报服务暂不可用，已保存，恢复后自动转交登记"


class ReturnIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason


class ReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message: Reason


class CallerOut(BaseModel):
    name: str | None
    phone: str | None
    confidential: bool


class InquiryOut(BaseModel):
    id: str
    ticket_no: str
    category: str
    urgency: str
    content: str
    caller: CallerOut | None
    region_code: str | None
    received_at: datetime
    reply_due_at: datetime
    overdue: bool
    due_soon: bool
    reply: str | None
    replied_at: datetime | None
    replied_by: str | None


class AttemptOut(BaseModel):
    attempt: int
    at: datetime
    status_code: int | None
    error: str | None


class DeliveryOut(BaseModel):
    id: int
    ticket_no: str
    seq: int
    event: str
    at: datetime
    case_no: str | None
    message: str
    # delivered; waiting (an earlier status of the ticket is not acknowledged yet); pending; failing
    status: Literal["delivered", "waiting", "pending", "failing"]
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    alert: bool
    alerted_at: datetime | None
    tries: list[AttemptOut]


class AlertOut(BaseModel):
    kind: Literal["callback", "filing"]
    id: int
    ticket_no: str
    event: str | None
    attempts: int
    last_error: str | None
    alerted_at: datetime
    detail: str


class TransferOut(BaseModel):
    transfer_id: str
    case_id: str | None
    case_no: str | None
    filing: Literal["queued", "filed"]
    received_at: datetime


class ReferralOut(BaseModel):
    referral_id: str
    case_id: str
    case_no: str
    created_at: datetime
    status: Literal["acknowledged", "pending", "failing"]
    incident_no: str | None
    acknowledged_at: datetime | None
    noted_at: datetime | None
    note_error: str | None
    attempts: int
    last_error: str | None
    alert: bool
    tries: list[AttemptOut]
