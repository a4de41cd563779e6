from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from credit.base import Base
from shared.db import UTCDateTime, utcnow


class ListingDecision(Base):
    """One decision (列入决定) linking the unit and its listed persons."""

    __tablename__ = "listing_decisions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    list_type: Mapped[str] = mapped_column(String(16))
    decision_no: Mapped[str | None] = mapped_column(String(64), unique=True)
    decided_on: Mapped[date | None] = mapped_column(Date)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Listing(Base):
    """A subject on a list (blacklist, watch list, red list) and where its procedure stands."""

    __tablename__ = "listings"
    __table_args__ = (
        # The check reads active listings of many subjects at once through this index.
        Index("ix_listings_subject_id_list_type", "subject_id", "list_type"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    list_type: Mapped[str] = mapped_column(String(16))  # blacklist | watch | red
    subject_id: Mapped[str] = mapped_column(ForeignKey("subjects.id"))
    decision_id: Mapped[str] = mapped_column(ForeignKey("listing_decisions.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))  # unit | legal_representative | principal | ...
    status: Mapped[str] = mapped_column(String(32), index=True)
    basis: Mapped[dict[str, Any]] = mapped_column(JSON)
    statement_due: Mapped[date | None] = mapped_column(Date)
    listed_on: Mapped[date | None] = mapped_column(Date)
    published_on: Mapped[date | None] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date, index=True)
    # The first day it no longer restricts anyone (exclusive end for as_of answers); null while
    # it still does or never did.
    ended_on: Mapped[date | None] = mapped_column(Date)
    corrected_on: Mapped[date | None] = mapped_column(Date)
    restrictions: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class ListingEvent(Base):
    """Every transition of a listing: who, when, why, with which documents."""

    __tablename__ = "listing_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    listing_id: Mapped[str] = mapped_column(ForeignKey("listings.id"), index=True)
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(32))
    to_status: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[str] = mapped_column(String(64))
    actor_name: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reason: Mapped[str | None] = mapped_column(Text)
    documents: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class ListingChange(Base):
    """The feed for credit-sharing platforms: one row per change, in commit order (``seq``)."""

    __tablename__ = "listing_changes"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    listing_id: Mapped[str] = mapped_column(ForeignKey("listings.id"), index=True)
    change: Mapped[str] = mapped_column(String(32))
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
