"""Request and response models of the early-warning API (contract.md, "Wage-payment monitoring")."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from shared.identifiers import USCC
from wages.employer.period import PERIOD_PATTERN

Level = Literal["yellow", "orange", "red"]
Status = Literal["open", "acknowledged", "resolved", "escalated"]
RuleName = Literal[
    "no_ledger",
    "unpaid_or_short",
    "below_minimum_wage",
    "consecutive_arrears",
    "roster_missing",
    "labour_cost_missing",
    "no_deposit",
    "complaints",
]
ActionName = Literal["acknowledge", "resolve", "escalate"]
Period = Annotated[str, StringConstraints(pattern=PERIOD_PATTERN)]


class EvaluationRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    period: Period = Field(description="工资所属期 YYYY-MM（不晚于本月）")
    as_of: date | None = Field(
        default=None, description="按该日判断各项期限（默认今天，不得晚于今天）；台账等数据总是当前数据"
    )
    uscc: USCC | None = Field(default=None, description="只评估该单位")
    rules: Annotated[list[RuleName], Field(min_length=1)] | None = Field(
        default=None, description="只评估这些规则（默认全部已启用规则）"
    )


class EvaluatedAlert(BaseModel):
    id: str
    rule: str
    employer_id: str
    period: str | None
    level: Level
    # created | raised | updated (evidence changed) | unchanged
    outcome: str


class EvaluationOut(BaseModel):
    period: str
    as_of: date
    rules: list[str]
    findings: dict[str, int]
    created: int
    raised: int
    updated: int
    unchanged: int
    case_requests: int
    alerts: list[EvaluatedAlert]


class EmployerRef(BaseModel):
    id: str
    uscc: str
    name: str
    kind: str
    district_code: str
    industry_code: str


class AlertOut(BaseModel):
    id: str
    rule: str
    rule_title: str
    period: str | None
    level: Level
    level_label: str
    status: Status
    status_label: str
    employer: EmployerRef
    evidence: dict[str, Any]
    case_id: str | None
    case_no: str | None
    allowed_actions: list[str]
    opened_at: datetime
    updated_at: datetime


class AlertEventOut(BaseModel):
    id: int
    action: str
    from_status: str | None
    to_status: str
    actor_id: str
    actor: str
    at: datetime
    reason: str | None
    data: dict[str, Any]


class CaseRequestOut(BaseModel):
    """Where the request to open a case stands (delivered through the gateway, retried)."""

    created_at: datetime
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    delivered_at: datetime | None


class AlertDetail(AlertOut):
    events: list[AlertEventOut]
    case_request: CaseRequestOut | None


Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class AlertAction(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: ActionName
    reason: Reason = Field(description="操作理由")
    evidence: dict[str, Any] | None = Field(
        default=None, description="佐证材料（消除预警时必填），如银行代发凭证号、补发记录、核查说明"
    )


class EventEnvelope(BaseModel):
    """The gateway's event envelope, as it delivers events to subscribing services."""

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
