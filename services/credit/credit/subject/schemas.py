from datetime import datetime

from pydantic import BaseModel, ConfigDict


class SubjectFile(BaseModel):
    """The compliance file (守法诚信档案) of an employer."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    subject_type: str
    uscc: str | None
    name: str
    created_at: datetime
