"""Request and response of the joint-punishment check (contract.md "Credit registry")."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

# What the checking system is about to grant; the blacklist restricts the first eight
# (保障农民工工资支付条例 art. 48), the last three are accepted and answered unrestricted.
Purpose = Literal[
    "government_funding",
    "government_procurement",
    "bidding",
    "loan",
    "market_access",
    "tax_incentive",
    "awards",
    "travel",
    "licensing",
    "qualification",
    "guarantee",
]


class CheckRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Items are checked one by one after the count (a batch over the limit is a 413, and
    # costs nothing to refuse): each is {"uscc": ...} or {"id_number": ...}.
    subjects: Annotated[
        list[dict[str, Any]],
        Field(
            min_length=1,
            description='核查对象，每项为 {"uscc": "..."} 或 {"id_number": "..."}，单次最多 1000 个',
        ),
    ]
    purpose: Purpose
    as_of: date | None = Field(default=None, description="核查基准日（默认为今天，Asia/Shanghai）")


class CheckListing(BaseModel):
    list_type: str = Field(serialization_alias="list", description="名单类型")
    role: str
    decision_no: str | None
    listed_on: date
    expires_on: date | None
    restrictions: list[str]


class CheckAnswer(BaseModel):
    subject: dict[str, str]
    known: bool = Field(description="信用档案中是否有该对象")
    restricted: bool = Field(description="核查基准日是否因失信联合惩戒在该用途上受限")
    listings: list[CheckListing]


class CheckResult(BaseModel):
    audit_id: int
    purpose: str
    as_of: date
    subject_count: int
    restricted_count: int
    results: list[CheckAnswer]
