"""Every ORM model of the service, imported here so Alembic sees the whole metadata."""

from wages.alert.models import Alert, AlertEvent, CaseRequest, ProcessedEvent
from wages.base import Base
from wages.employer.models import MonitoredEmployer, RosterWorker
from wages.idempotency import IdempotencyRecord
from wages.ledger.models import BankPayment, LabourCostTransfer, PayrollLedger, PayrollLine

metadata = Base.metadata

__all__ = [
    "Alert",
    "AlertEvent",
    "BankPayment",
    "Base",
    "CaseRequest",
    "IdempotencyRecord",
    "LabourCostTransfer",
    "MonitoredEmployer",
    "PayrollLedger",
    "PayrollLine",
    "ProcessedEvent",
    "RosterWorker",
    "metadata",
]
