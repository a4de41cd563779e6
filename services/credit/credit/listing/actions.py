"""Bodies of ``POST /api/v1/credit/listings/{id}/actions``, one model per action.

The envelope names the action; its own model then validates the rest, so an error names the
field (``decision_no``, ``documents[0].title``) rather than a union branch. Every date defaults
to today (Asia/Shanghai) and may not lie in the future.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Ref = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
DecisionNo = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
ActionName = Literal[
    "notify",
    "record_statement",
    "review",
    "decide",
    "publish",
    "request_early_removal",
    "remove_early",
    "reject_early_removal",
    "expire",
    "revoke",
    "withdraw",
]


class ActionEnvelope(BaseModel):
    model_config = ConfigDict(extra="allow")

    action: ActionName


class Document(BaseModel):
    """A document of the procedure (告知书, 陈述申辩材料, 列入决定书, ...): its title and where it is kept."""

    model_config = ConfigDict(extra="forbid")

    title: Title
    ref: Ref


class _Action(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: str
    reason: Reason | None = None
    documents: Annotated[list[Document], Field(max_length=50)] = []


class Notify(_Action):
    """告知: the written notice of the facts, reasons, basis and sanctions was served."""

    served_on: date | None = Field(default=None, description="告知书送达日期，默认为当日")


class RecordStatement(_Action):
    """陈述申辩 received, or waived in writing by the party."""

    received_on: date | None = Field(default=None, description="收到陈述申辩（或放弃声明）的日期")
    waived: bool = False
    summary: Reason | None = Field(default=None, description="陈述申辩要点；放弃时可省略")


class Review(_Action):
    """复核 of the statement: keep the proposal (maintain) or not (drop, then withdraw)."""

    conclusion: Literal["maintain", "drop"]
    reason: Reason


class Decide(_Action):
    """列入决定."""

    decision_no: DecisionNo
    decided_on: date | None = Field(default=None, description="决定日期，默认为当日")


class Publish(_Action):
    published_on: date | None = None


class RequestEarlyRemoval(_Action):
    """提前移出申请: arrears paid, the correction date, and the 守信承诺."""

    applied_on: date | None = None
    arrears_paid: bool
    corrected_on: date
    pledge: bool


class RemoveEarly(_Action):
    removed_on: date | None = None


class RejectEarlyRemoval(_Action):
    reason: Reason


class Expire(_Action):
    pass


class Revoke(_Action):
    reason: Reason
    revoked_on: date | None = Field(default=None, description="撤销决定日期：自该日起不再适用惩戒")


class Withdraw(_Action):
    reason: Reason


ACTION_MODELS: dict[str, type[_Action]] = {
    "notify": Notify,
    "record_statement": RecordStatement,
    "review": Review,
    "decide": Decide,
    "publish": Publish,
    "request_early_removal": RequestEarlyRemoval,
    "remove_early": RemoveEarly,
    "reject_early_removal": RejectEarlyRemoval,
    "expire": Expire,
    "revoke": Revoke,
    "withdraw": Withdraw,
}
