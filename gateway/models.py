"""Every ORM model of the gateway, imported here so Alembic sees the whole metadata."""

from gateway.base import Base
from gateway.clients.models import ApiClient
from gateway.events.models import EventDelivery, InboundEvent
from gateway.hotline.models import (
    CaseFiling,
    DeliveryAttempt,
    HotlineCallback,
    HotlineTicket,
    PoliceReferral,
    PoliceTransfer,
)
from gateway.open311.models import Open311IdempotencyRecord, Open311Request

metadata = Base.metadata

__all__ = [
    "ApiClient",
    "Base",
    "CaseFiling",
    "DeliveryAttempt",
    "EventDelivery",
    "HotlineCallback",
    "HotlineTicket",
    "InboundEvent",
    "Open311IdempotencyRecord",
    "Open311Request",
    "PoliceReferral",
    "PoliceTransfer",
    "metadata",
]
