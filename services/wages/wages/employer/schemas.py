from datetime import datetime

from pydantic import BaseModel, ConfigDict


class EmployerSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    uscc: str
    name: str
    kind: str
    district_code: str
    industry_code: str
    pay_day: int
    created_at: datetime
