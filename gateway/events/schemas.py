from datetime import datetime
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, StringConstraints


class EventIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Annotated[str, StringConstraints(min_length=1, max_length=36)]
    type: Annotated[str, StringConstraints(pattern=r"^[a-z_]+\.[a-z_.]+$", max_length=64)]
    source: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    aggregate_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    occurred_at: AwareDatetime
    data: dict[str, Any]


class EventAck(BaseModel):
    id: str
    status: str


class EventOut(BaseModel):
    id: str
    source: str
    type: str
    aggregate_id: str
    occurred_at: datetime
    received_at: datetime
    data: dict[str, Any]
