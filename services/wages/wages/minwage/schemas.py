from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from shared.money import Money


class MinimumWageOut(BaseModel):
    district_code: str
    on: date = Field(description="所查询的日期")
    region_class: int = Field(serialization_alias="class", description="地区类别（一类=1）")
    monthly: Money = Field(description="月最低工资（元）")
    hourly: Money = Field(description="小时最低工资（元）")
    effective_from: date
    status: str = Field(description="标准数据的可靠程度：V/V2 已核实，3P 仅第三方来源，M 凭记忆")
    source: str
    district_status: str | None = Field(description="地区类别对照的可靠程度；未列入对照表时为 null")
    district_known: bool = Field(description="false：该行政区划未列入对照表，按默认类别计算")
    verified: bool = Field(description="标准与地区类别均已核实")
    note: str
