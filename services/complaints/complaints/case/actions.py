"""Bodies of ``POST /api/v1/complaints/{id}/actions``, one model per action.

The envelope names the action; its own model then validates the rest, so an error names the
field (``reason``, ``worker.id_number``) rather than a union branch.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from complaints.case.schemas import Issue, PaymentKind
from shared.identifiers import IdNumber
from shared.money import Money

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
ActionName = Literal[
    "accept",
    "reject",
    "request_supplement",
    "supplement_received",
    "redirect",
    "assign",
    "start_investigation",
    "extend",
    "order_rectification",
    "record_payment",
    "notify_penalty",
    "penalize",
    "record_fine_payment",
    "revoke",
    "transfer_police",
    "transfer_department",
    "merge",
    "close",
    "notify_result",
    "add_note",
]


class ActionEnvelope(BaseModel):
    model_config = ConfigDict(extra="allow")

    action: ActionName


class _Action(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: str
    reason: Reason | None = None
    on: date | None = Field(default=None, description="办理日期，默认为当日")


class Accept(_Action):
    pass


class Reject(_Action):
    reason: Reason
    ground: Literal["limitation_expired", "not_inspection_matter", "no_violation", "other"] = "other"


class RequestSupplement(_Action):
    reason: Reason
    items: Annotated[list[Reason], Field(min_length=1)]


class SupplementReceived(_Action):
    pass


class Redirect(_Action):
    reason: Reason
    target: Literal["arbitration", "court", "other_department", "other_jurisdiction"]
    target_name: Name | None = None


class Assign(_Action):
    assignee: Name


class StartInvestigation(_Action):
    # 条例 art. 16: at least two inspectors.
    inspectors: Annotated[list[Name], Field(min_length=2)]


class Extend(_Action):
    reason: Reason
    approved_by: Name


class ViolationFacts(BaseModel):
    model_config = ConfigDict(extra="forbid")

    issues: Annotated[list[Issue], Field(min_length=1)]
    workers: Annotated[int, Field(ge=0)] = 0
    amount: Money | None = None


class OrderRectification(_Action):
    rectify_by: date
    items: Annotated[list[Reason], Field(min_length=1)]
    facts: ViolationFacts


class Worker(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    id_number: IdNumber


class RecordPayment(_Action):
    worker: Worker
    kind: PaymentKind
    amount: Money
    # The day the worker was paid; the action's day when not given.
    paid_on: date | None = None


class NotifyPenalty(_Action):
    proposed_fine: Money
    facts: ViolationFacts


class Penalize(_Action):
    decision_no: Name
    fine: Money
    served_on: date
    facts: ViolationFacts


class RecordFinePayment(_Action):
    # The day the fine (and any surcharge) reached the designated bank; the action's day when
    # not given.
    paid_on: date | None = None
    receipt_no: Name | None = Field(default=None, description="缴款凭证号")


class Revoke(_Action):
    reason: Reason


class TransferPolice(_Action):
    reason: Reason
    receiving_unit: Name | None = None


class TransferDepartment(_Action):
    reason: Reason
    department: Name


class Merge(_Action):
    into_case_id: Annotated[str, StringConstraints(min_length=1, max_length=36)]


class Close(_Action):
    disposition: (
        Literal[
            "administrative_penalty",
            "order_to_correct",
            "case_revoked",
            "transfer_other_dept",
            "transfer_judicial",
            "corrected_on_the_spot",
            "no_violation",
        ]
        | None
    ) = None


class NotifyResult(_Action):
    method: Literal["letter", "sms", "phone", "in_person", "app"] = Field(description="告知方式")


class AddNote(_Action):
    reason: Reason


ACTION_MODELS: dict[str, type[_Action]] = {
    "accept": Accept,
    "reject": Reject,
    "request_supplement": RequestSupplement,
    "supplement_received": SupplementReceived,
    "redirect": Redirect,
    "assign": Assign,
    "start_investigation": StartInvestigation,
    "extend": Extend,
    "order_rectification": OrderRectification,
    "record_payment": RecordPayment,
    "notify_penalty": NotifyPenalty,
    "penalize": Penalize,
    "record_fine_payment": RecordFinePayment,
    "revoke": Revoke,
    "transfer_police": TransferPolice,
    "transfer_department": TransferDepartment,
    "merge": Merge,
    "close": Close,
    "notify_result": NotifyResult,
    "add_note": AddNote,
}
