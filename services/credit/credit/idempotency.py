from credit.base import Base
from shared.idempotency import IdempotencyRecordMixin


class IdempotencyRecord(IdempotencyRecordMixin, Base):
    __tablename__ = "idempotency_records"
