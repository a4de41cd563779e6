from datetime import datetime

from pydantic import BaseModel, ConfigDict


class CaseSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    case_no: str
    kind: str
    channel: str
    status: str
    received_at: datetime
    district_code: str | None
    industry_code: str | None
