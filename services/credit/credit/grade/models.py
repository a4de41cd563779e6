from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from credit.base import Base
from shared.db import UTCDateTime, utcnow


class Grade(Base):
    """An A/B/C grade for an evaluation year (人社部规〔2016〕1号). Every computation or override
    is a new row; the current one is the latest with ``superseded`` false."""

    __tablename__ = "grades"
    __table_args__ = (Index("ix_grades_subject_id_year", "subject_id", "year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subject_id: Mapped[str] = mapped_column(ForeignKey("subjects.id"))
    year: Mapped[int] = mapped_column(Integer)
    grade: Mapped[str] = mapped_column(String(1))
    computed_grade: Mapped[str] = mapped_column(String(1))
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    overridden: Mapped[bool] = mapped_column(Boolean, default=False)
    override_reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str] = mapped_column(String(64))
    superseded: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
