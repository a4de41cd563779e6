"""Every ORM model of the gateway, imported here so Alembic sees the whole metadata."""

from gateway.base import Base
from gateway.clients.models import ApiClient
from gateway.events.models import EventDelivery, InboundEvent

metadata = Base.metadata

__all__ = ["ApiClient", "Base", "EventDelivery", "InboundEvent", "metadata"]
