"""Every ORM model of the service, imported here so Alembic sees the whole metadata."""

from complaints.attachment.models import Attachment
from complaints.base import Base
from complaints.case.models import Case, CaseCounter, CaseEvent, CasePayment, PersonalDataAccess
from complaints.idempotency import IdempotencyRecord
from complaints.inspection.models import Inspection, InspectionFinding
from complaints.outbox.models import OutboxEvent

metadata = Base.metadata

__all__ = [
    "Attachment",
    "Base",
    "Case",
    "CaseCounter",
    "CaseEvent",
    "CasePayment",
    "IdempotencyRecord",
    "Inspection",
    "InspectionFinding",
    "OutboxEvent",
    "PersonalDataAccess",
    "metadata",
]
