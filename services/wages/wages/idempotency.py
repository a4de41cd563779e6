from shared.idempotency import IdempotencyRecordMixin
from wages.base import Base


class IdempotencyRecord(IdempotencyRecordMixin, Base):
    __tablename__ = "idempotency_records"
