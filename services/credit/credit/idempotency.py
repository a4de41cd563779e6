from typing import Annotated

from fastapi import Depends

from credit.base import Base
from shared.idempotency import IdempotencyRecordMixin, Once, once_for


class IdempotencyRecord(IdempotencyRecordMixin, Base):
    __tablename__ = "idempotency_records"


OnceDep = Annotated[Once, Depends(once_for(IdempotencyRecord))]
"""The Idempotency-Key of a creating route of this service (``shared.idempotency.Once``)."""
