"""The yearly report's test data model: what the end-to-end test enters through the gateway,
kept so that every expected figure can be computed here, independently of the services.

(A support module of tests/test_report_annual.py; it holds no tests.)"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx

from shared.identifiers import make_id_number, make_uscc

YEAR = 2026
COURIER = "6020"
ASSIGNED = ("assigned", "transferred", "petition")
COMPLAINANT = (
    "window",
    "phone",
    "hotline_12345",
    "police_110",
    "mobile_app",
    "web",
    "letter",
    "clue_platform",
)
HOTLINE = ("phone", "hotline_12345")
KINDS = ("routine_patrol", "special_campaign", "annual_review")
TOTAL_WORKERS_COVERED = 1_006_400  # 100.64万人（次）, as in the bureau's 2018 figures


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def in_year(day: date) -> bool:
    return day.year == YEAR


def money(total: Iterable[Decimal]) -> str:
    return f"{sum(total, Decimal('0.00')):.2f}"


@dataclass(frozen=True)
class Employer:
    name: str
    uscc: str | None
    district: str
    industry: str | None

    @property
    def key(self) -> str:
        return self.uscc or f"name:{self.name}"

    @property
    def courier(self) -> bool:
        return self.industry == COURIER

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "address": "昆明市某路1号", "district_code": self.district}
        if self.uscc:
            out["uscc"] = self.uscc
        if self.industry:
            out["industry_code"] = self.industry
        return out


EXPRESS_A = Employer("昆明飞速快递有限公司", make_uscc("91530102MA6Y0001A"), "530102", COURIER)
EXPRESS_B = Employer("昆明迅达快递服务有限公司", make_uscc("91530111MA6Y0002A"), "530111", COURIER)
BUILDER = Employer("云南某某建设工程有限公司", make_uscc("91530112MA6Y0003A"), "530112", "4710")
SHOP = Employer("昆明某某商贸有限公司", make_uscc("91530103MA6Y0004A"), "530103", "5211")
FACTORY = Employer("昆明某某服装厂", make_uscc("91530114MA6Y0005A"), "530114", "1810")
RESTAURANT = Employer("五华区老街饭馆", None, "530102", "6210")
WORKERS = {n: make_id_number(f"5301021988{1 + n % 12:02d}{10 + n:02d}12{n % 10}") for n in range(1, 12)}


@dataclass
class Inspection:
    kind: str
    employer: Employer
    on: date
    headcount: int
    inspectors: list[str]
    campaign: str | None = None
    results: dict[str, Any] = field(default_factory=dict)


@dataclass
class Case:
    id: str
    channel: str
    kind: str
    employer: Employer
    received: date
    workers: int | None
    accepted: bool = False
    merged: bool = False


@dataclass
class Payment:
    case: Case
    worker: int
    kind: str
    amount: Decimal
    paid_on: date


@dataclass
class Penalty:
    case: Case
    fine: Decimal
    on: date


@dataclass
class Decision:
    employer: Employer
    decided: date
    published: date | None
    persons: int


@dataclass
class Line:
    employer: Employer
    period: str
    worker: int
    payable: Decimal
    paid: Decimal


@dataclass
class World:
    """Everything this test entered, kept to compute the expected figures independently."""

    client: httpx.AsyncClient
    inspector: dict[str, str]
    inspections: list[Inspection] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)
    penalties: list[Penalty] = field(default_factory=list)
    inquiries_answered: list[date] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    disclosed: list[Employer] = field(default_factory=list)
    disclosed_on: date | None = None
    monitored: list[tuple[Employer, bool]] = field(default_factory=list)
    ledgers: dict[tuple[str, str], list[Line]] = field(default_factory=dict)
    alerts: list[dict[str, Any]] = field(default_factory=list)

    async def post(self, path: str, body: dict[str, Any], headers: dict[str, str], status: int = 201) -> Any:
        response = await self.client.post(path, json=body, headers=headers)
        assert response.status_code == status, response.text
        return response.json()

    async def inspect(self, inspection: Inspection) -> None:
        body: dict[str, Any] = {
            "kind": inspection.kind,
            "employer": inspection.employer.body(),
            "inspected_on": inspection.on.isoformat(),
            "inspectors": inspection.inspectors,
            "headcount": inspection.headcount,
            "results": inspection.results,
        }
        if inspection.campaign:
            body["campaign"] = inspection.campaign
        await self.post("/api/v1/inspections", body, self.inspector)
        self.inspections.append(inspection)

    async def file(
        self, channel: str, kind: str, employer: Employer, received: date, workers: int | None, n: int
    ) -> Case:
        body: dict[str, Any] = {
            "kind": kind,
            "channel": channel,
            "received_at": f"{received.isoformat()}T10:00:00+08:00",
            "employer": employer.body(),
            "issues": ["wage_arrears"],
            "occurred_on": (received - timedelta(days=20)).isoformat(),
            "description": "拖欠工资",
        }
        if workers is not None:
            body["workers_affected"] = workers
        if kind == "complaint":
            body["complainant"] = {"name": "李四", "id_number": WORKERS[n], "phone": "13800005678"}
        else:
            body["anonymous"] = True
        created = await self.post("/api/v1/complaints", body, self.inspector)
        case = Case(created["id"], channel, kind, employer, received, workers)
        self.cases.append(case)
        return case

    async def act(self, case: Case, action: str, on: date, **fields: Any) -> None:
        await self.post(
            f"/api/v1/complaints/{case.id}/actions",
            {"action": action, "on": on.isoformat(), **fields},
            self.inspector,
            status=200,
        )
        if action == "accept":
            case.accepted = True
        if action == "merge":
            case.merged = True

    async def pay(self, case: Case, worker: int, kind: str, amount: str, paid_on: date) -> None:
        await self.act(
            case,
            "record_payment",
            paid_on,
            worker={"name": f"工人{worker}", "id_number": WORKERS[worker]},
            kind=kind,
            amount=amount,
            paid_on=paid_on.isoformat(),
        )
        self.payments.append(Payment(case, worker, kind, Decimal(amount), paid_on))

    async def penalize(self, case: Case, fine: str, on: date) -> None:
        facts = {"issues": ["wage_arrears"], "workers": 2}
        await self.act(
            case,
            "penalize",
            on,
            decision_no=f"昆人社罚〔{YEAR}〕{len(self.penalties) + 1}号",
            fine=fine,
            served_on=on.isoformat(),
            facts=facts,
        )
        self.penalties.append(Penalty(case, Decimal(fine), on))
