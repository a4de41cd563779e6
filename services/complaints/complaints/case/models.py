from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from complaints.base import Base
from shared.db import UTCDateTime, utcnow


class Case(Base):
    """A complaint (投诉) or report (举报) and the enforcement case that follows it."""

    __tablename__ = "cases"
    __table_args__ = (Index("ix_cases_received_at_id", "received_at", "id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_no: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(32), index=True)
    status: Mapped[str] = mapped_column(String(32), index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    district_code: Mapped[str | None] = mapped_column(String(6), index=True)
    industry_code: Mapped[str | None] = mapped_column(String(8), index=True)
    # The API client that filed it: complaints:read callers see only their own cases.
    filed_by_client: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
