"""Every ORM model of the service, imported here so Alembic sees the whole metadata."""

from credit.base import Base
from credit.check.models import CheckAudit, CheckQuotaUsage
from credit.disclosure.models import Disclosure, DisclosureBatch
from credit.grade.models import Grade
from credit.idempotency import IdempotencyRecord
from credit.listing.models import Listing, ListingChange, ListingDecision, ListingEvent
from credit.subject.models import ProcessedEvent, Subject, SubjectName, SubjectRole, Violation

metadata = Base.metadata

__all__ = [
    "Base",
    "CheckAudit",
    "CheckQuotaUsage",
    "Disclosure",
    "DisclosureBatch",
    "Grade",
    "IdempotencyRecord",
    "Listing",
    "ListingChange",
    "ListingDecision",
    "ListingEvent",
    "ProcessedEvent",
    "Subject",
    "SubjectName",
    "SubjectRole",
    "Violation",
    "metadata",
]
