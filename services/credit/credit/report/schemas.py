"""The credit part of the yearly report (``/api/v1/credit/reports``)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

FigureName = Literal["blacklist", "major_violation_disclosures"]


def _absent(value: object) -> bool:
    return value is None


class CreditExplain(BaseModel):
    counted_as: str = Field(description="口径说明")
    records: str = Field(description="构成该数字的记录清单（分页）")
    courier_records: str = Field(description="其中快递业（6020）的记录清单")


class CreditFigure(BaseModel):
    label: str
    explain: CreditExplain | None = Field(default=None, exclude_if=_absent, description="explain=true 时给出")


class BlacklistCourier(BaseModel):
    decisions: int
    published: int


class Blacklist(CreditFigure):
    decisions: int = Field(description="作出列入决定的案件（件，一个决定含单位及其责任人员）")
    published: int = Field(description="统计期内向社会公开的列入决定（件）")
    units: int
    persons: int = Field(description="随单位一并列入的人员（人）")
    courier: BlacklistCourier


class DisclosureCourier(BaseModel):
    disclosures: int


class Disclosures(CreditFigure):
    disclosures: int
    units: int
    batches: int
    courier: DisclosureCourier


class CreditFigures(BaseModel):
    blacklist: Blacklist
    major_violation_disclosures: Disclosures


class CreditReport(BaseModel):
    model_config = ConfigDict(validate_by_name=True)

    service: Literal["credit"] = "credit"
    from_: date = Field(alias="from")
    to: date
    district_code: str | None
    courier_industry_code: str
    figures: CreditFigures


RecordItem = dict[str, Any]
