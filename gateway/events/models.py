from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gateway.base import Base
from shared.db import UTCDateTime, utcnow
from shared.outbox import DeliveryMixin


class InboundEvent(Base):
    """Events the services publish (outbox relays), kept durably and deduplicated by id.

    Subscribers (credit, wages, the 12345 and 110 links) are fed from here.
    """

    __tablename__ = "inbound_events"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    source: Mapped[str] = mapped_column(String(32))
    event_type: Mapped[str] = mapped_column(String(64), index=True)
    aggregate_id: Mapped[str] = mapped_column(String(64), index=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class EventDelivery(DeliveryMixin, Base):
    """One event on its way to one subscribing service; retried until it answers 2xx."""

    __tablename__ = "event_deliveries"
    __table_args__ = (
        UniqueConstraint("event_id", "subscriber"),
        Index("ix_event_deliveries_pending", "delivered_at", "available_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("inbound_events.id"))
    subscriber: Mapped[str] = mapped_column(String(32))
