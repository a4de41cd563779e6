from complaints.base import Base
from shared.outbox import OutboxEventMixin


class OutboxEvent(OutboxEventMixin, Base):
    """Events for other systems, committed with the change that caused them."""

    __tablename__ = "outbox_events"
