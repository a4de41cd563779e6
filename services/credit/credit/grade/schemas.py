"""Request and response models of the A/B/C grades (人社部规〔2016〕1号)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

GradeLetter = Literal["A", "B", "C"]
# The 办法 is in force from 2017-01-01; an evaluation year before that has no legal basis.
FIRST_YEAR = 2017
Year = Annotated[int, Field(ge=FIRST_YEAR, le=2100, description="评价年度")]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class EvaluationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    year: Year
    include_clean: bool = Field(
        default=False, description="同时评价评价期内没有违法记录、也未曾评价过的全部用人单位（评为 A）"
    )


class EvaluationBasis(BaseModel):
    """What the result rests on; [M] settings are named so a reader knows what is unverified."""

    window_from: date
    window_to: date
    c_min_punished: int
    lookback_years: int
    unverified: list[str]


class EvaluationOut(BaseModel):
    year: int
    basis: EvaluationBasis
    evaluated: int
    created: int
    unchanged: int
    overrides_kept: int
    by_grade: dict[str, int]


class OverrideIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    grade: GradeLetter
    reason: Reason


class GradeOut(BaseModel):
    id: int
    year: int
    grade: str
    computed_grade: str
    overridden: bool
    override_reason: str | None
    reasons: list[dict[str, Any]]
    decided_by: str
    superseded: bool
    created_at: datetime


class GradedSubject(BaseModel):
    id: str
    uscc: str | None
    name: str
    district_code: str | None


class GradeListItem(GradeOut):
    subject: GradedSubject
