"""Request and response models of 令29 disclosure (重大劳动保障违法行为社会公布)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

Period = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9]{4}[Qq][1-4]$"), AfterValidator(str.upper)
]


class BatchCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    period: Period = Field(description="公布季度，如 2026Q3（令29：市、县级每季度公布一次）")


class DisclosureOut(BaseModel):
    id: str
    violation_id: str
    category: str
    category_label: str
    unit_name: str
    uscc: str | None
    address: str | None
    legal_representative: str | None
    facts: str
    outcome: str


class BatchOut(BaseModel):
    id: str
    period: str
    status: str
    published_on: date | None
    created_by: str
    created_at: datetime
    unverified_rules: list[str] = Field(description="入选标准所依据、尚未经原文核实 [M] 的配置项")
    items: list[DisclosureOut]


class PublicDisclosure(BaseModel):
    """Exactly what 令29 publishes: who (name, code, address, legal representative), the main
    facts and the outcome; never secrets or anyone's privacy."""

    period: str
    published_on: date | None
    category: str
    category_label: str
    unit_name: str
    uscc: str | None
    address: str | None
    legal_representative: str | None
    facts: str
    outcome: str
