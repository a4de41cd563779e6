"""The wage-monitoring part of the yearly report (``/api/v1/wages/reports``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, WithJsonSchema

from shared.money import format_money

FigureName = Literal["monitored_employers", "payroll", "alerts"]
# A computed total: serialised like Money, not bounded by one NUMERIC(14, 2) amount.
MoneyTotal = Annotated[
    Decimal,
    PlainSerializer(format_money, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "description": "金额合计（元），两位小数", "examples": ["4200.00"]}),
]


def _absent(value: object) -> bool:
    return value is None


class WagesExplain(BaseModel):
    counted_as: str = Field(description="口径说明")
    records: str = Field(description="构成该数字的记录清单（分页）")
    courier_records: str = Field(description="其中快递业（6020）的记录清单")


class WagesFigure(BaseModel):
    label: str
    explain: WagesExplain | None = Field(default=None, exclude_if=_absent, description="explain=true 时给出")


class CourierEmployerCount(BaseModel):
    employers: int


class MonitoredEmployers(WagesFigure):
    employers: int = Field(description="期末在监控的用人单位及工程项目")
    projects: int = Field(description="其中工程建设项目")
    registered_in_period: int = Field(description="其中统计期内新纳入监控的")
    courier: CourierEmployerCount


class PayrollCourier(BaseModel):
    employers: int
    workers: int
    paid: MoneyTotal
    shortfall: MoneyTotal


class Payroll(WagesFigure):
    ledgers: int
    employers: int
    workers: int = Field(description="劳动者人数（按身份证号去重）")
    lines: int = Field(description="台账行数（人次）")
    payable: MoneyTotal
    paid: MoneyTotal
    shortfall: MoneyTotal = Field(description="实发少于应发的差额之和")
    workers_underpaid: int
    courier: PayrollCourier


class AlertsCourier(BaseModel):
    alerts: int
    employers: int


class Alerts(WagesFigure):
    alerts: int
    employers: int
    by_level: dict[str, int]
    escalated_to_cases: int
    courier: AlertsCourier


class WagesFigures(BaseModel):
    monitored_employers: MonitoredEmployers
    payroll: Payroll
    alerts: Alerts


class WagesReport(BaseModel):
    model_config = ConfigDict(validate_by_name=True)

    service: Literal["wages"] = "wages"
    from_: date = Field(alias="from")
    to: date
    district_code: str | None
    courier_industry_code: str
    figures: WagesFigures


RecordItem = dict[str, Any]
