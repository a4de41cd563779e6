"""The figures of domain.md §11, computed from what tests/test_report_support_year.py entered,
without asking the services.

(A support module of tests/test_report_annual.py; it holds no tests.)"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from shared.timeutil import china_today
from tests.test_report_support import (
    ASSIGNED,
    COMPLAINANT,
    COURIER,
    HOTLINE,
    KINDS,
    YEAR,
    Case,
    Inspection,
    World,
    in_year,
    money,
)


def _kind_figure(inspections: list[Inspection]) -> dict[str, Any]:
    courier = [i for i in inspections if i.employer.courier]
    return {
        "inspections": len(inspections),
        "employers": len({i.employer.key for i in inspections}),
        "workers_covered": sum(i.headcount for i in inspections),
        "courier": {
            "employers": len({i.employer.key for i in courier}),
            "workers_covered": sum(i.headcount for i in courier),
        },
    }


def _payments(world: World, kind: str) -> dict[str, Any]:
    paid = [p for p in world.payments if p.kind == kind and in_year(p.paid_on)]
    courier = [p for p in paid if p.case.employer.courier]
    return {
        "workers": len({p.worker for p in paid}),
        "payments": len(paid),
        "amount": money(p.amount for p in paid),
        "courier": {"workers": len({p.worker for p in courier}), "amount": money(p.amount for p in courier)},
    }


def _channels(cases: list[Case], channels: tuple[str, ...]) -> dict[str, Any]:
    mine = [c for c in cases if c.channel in channels]
    return {
        "cases": len(mine),
        "by_channel": {ch: sum(1 for c in mine if c.channel == ch) for ch in channels},
        "courier": {"cases": sum(1 for c in mine if c.employer.courier)},
    }


def expected_figures(world: World) -> dict[str, Any]:
    inspections = [i for i in world.inspections if in_year(i.on)]
    of_kind = {k: [i for i in inspections if i.kind == k] for k in KINDS}
    counted = [c for c in world.cases if in_year(c.received) and not c.merged]
    accepted = [c for c in counted if c.accepted]
    touched = [(i.employer, i.headcount) for i in inspections] + [
        (c.employer, c.workers or 0) for c in accepted
    ]

    campaign = of_kind["special_campaign"]

    def result(name: str) -> int:
        return sum(int(i.results.get(name, 0)) for i in campaign)

    def result_money(name: str) -> Decimal:
        return sum((Decimal(i.results.get(name, "0")) for i in campaign), Decimal("0.00"))

    case_penalties = [p for p in world.penalties if in_year(p.on)]
    inspection_penalties = [i for i in inspections if i.results.get("penalties") or i.results.get("fines")]
    penalised = [(p.case.employer, p.fine) for p in case_penalties] + [
        (i.employer, Decimal(i.results.get("fines", "0"))) for i in inspection_penalties
    ]
    hotline_cases = _channels(counted, HOTLINE)
    inquiries = sum(1 for day in world.inquiries_answered if in_year(day))

    decided = [d for d in world.decisions if in_year(d.decided)]
    published = [d for d in world.decisions if d.published and in_year(d.published)]
    disclosed = world.disclosed if world.disclosed_on and in_year(world.disclosed_on) else []
    # Registered and warned "now": inside the year only while the suite runs in it.
    now_in_year = china_today().year == YEAR
    monitored = world.monitored if now_in_year else []
    lines = [
        line for (_, period), rows in world.ledgers.items() if period.startswith(f"{YEAR}-") for line in rows
    ]
    short = [line for line in lines if line.paid < line.payable]
    courier_lines = [line for line in lines if line.employer.courier]
    alerts = world.alerts if now_in_year else []
    courier_alerts = [a for a in alerts if a["employer"]["industry_code"] == COURIER]

    return {
        "employers_inspected": {
            "employers": len({e.key for e, _ in touched}),
            "by_source": {
                **{k: len({i.employer.key for i in of_kind[k]}) for k in KINDS},
                "case": len({c.employer.key for c in accepted}),
            },
            "courier": {"employers": len({e.key for e, _ in touched if e.courier})},
        },
        "workers_covered": {
            "workers": sum(w for _, w in touched),
            "from_inspections": sum(i.headcount for i in inspections),
            "from_cases": sum(c.workers or 0 for c in accepted),
            "courier": {"workers": sum(w for e, w in touched if e.courier)},
        },
        "routine_patrols": _kind_figure(of_kind["routine_patrol"]),
        "assigned_transferred_petition": _channels(counted, ASSIGNED),
        "complaints_and_reports": {
            **_channels(counted, COMPLAINANT),
            "complaints": sum(1 for c in counted if c.channel in COMPLAINANT and c.kind == "complaint"),
            "reports": sum(1 for c in counted if c.channel in COMPLAINANT and c.kind == "report"),
        },
        "wages_recovered": _payments(world, "wages"),
        "compensation_recovered": _payments(world, "compensation"),
        "hotline_calls": {
            "calls": hotline_cases["cases"] + inquiries,
            "complaints_and_reports": hotline_cases["cases"],
            "inquiries_answered": inquiries,
            "by_channel": hotline_cases["by_channel"],
            "courier": {"complaints_and_reports": hotline_cases["courier"]["cases"]},
        },
        "deposits_refunded": _payments(world, "deposit_refund"),
        "social_insurance_backpaid": _payments(world, "social_insurance"),
        "penalties": {
            "employers": len({e.key for e, _ in penalised}),
            "penalties": len(case_penalties)
            + sum(int(i.results.get("penalties", 0)) for i in inspection_penalties),
            "fines": money(f for _, f in penalised),
            "from_cases": {
                "penalties": len(case_penalties),
                "employers": len({p.case.employer.key for p in case_penalties}),
                "fines": money(p.fine for p in case_penalties),
            },
            "from_inspections": {
                "penalties": sum(int(i.results.get("penalties", 0)) for i in inspection_penalties),
                "employers": len({i.employer.key for i in inspection_penalties}),
                "fines": money(Decimal(i.results.get("fines", "0")) for i in inspection_penalties),
            },
            "courier": {
                "employers": len({e.key for e, _ in penalised if e.courier}),
                "fines": money(f for e, f in penalised if e.courier),
            },
        },
        "special_campaigns": {
            **_kind_figure(campaign),
            "inspectors_deployed": sum(len(i.inspectors) for i in campaign),
            "orders_to_correct": result("orders_to_correct"),
            "penalties": result("penalties"),
            "fines": f"{result_money('fines'):.2f}",
            "contracts_signed": result("contracts_signed"),
            "wages_ordered": f"{result_money('wages_ordered'):.2f}",
            "wages_ordered_workers": result("wages_ordered_workers"),
            "compensation_ordered": f"{result_money('compensation_ordered'):.2f}",
            "wages_and_compensation_ordered": (
                f"{result_money('wages_ordered') + result_money('compensation_ordered'):.2f}"
            ),
            "social_insurance_registrations": result("social_insurance_registrations"),
            "social_insurance_ordered": f"{result_money('social_insurance_ordered'):.2f}",
            "social_insurance_ordered_workers": result("social_insurance_ordered_workers"),
            "campaigns": [
                {"campaign": name, **{k: v for k, v in _kind_figure(group).items() if k != "courier"}}
                for name in sorted({i.campaign or "" for i in campaign})
                for group in [[i for i in campaign if i.campaign == name]]
            ],
        },
        "annual_reviews": _kind_figure(of_kind["annual_review"]),
        "blacklist": {
            "decisions": len(decided),
            "published": len(published),
            "units": len({d.employer.key for d in decided}),
            "persons": sum(d.persons for d in decided),
            "courier": {
                "decisions": sum(1 for d in decided if d.employer.courier),
                "published": sum(1 for d in published if d.employer.courier),
            },
        },
        "major_violation_disclosures": {
            "disclosures": len(disclosed),
            "units": len({e.key for e in disclosed}),
            "batches": 1 if disclosed else 0,
            "courier": {"disclosures": sum(1 for e in disclosed if e.courier)},
        },
        "monitored_employers": {
            "employers": len(monitored),
            "projects": sum(1 for _, project in monitored if project),
            "registered_in_period": len(monitored),
            "courier": {"employers": sum(1 for e, _ in monitored if e.courier)},
        },
        "payroll": {
            "ledgers": sum(1 for (_, period) in world.ledgers if period.startswith(f"{YEAR}-")),
            "employers": len({line.employer.key for line in lines}),
            "workers": len({line.worker for line in lines}),
            "lines": len(lines),
            "payable": money(line.payable for line in lines),
            "paid": money(line.paid for line in lines),
            "shortfall": money(line.payable - line.paid for line in short),
            "workers_underpaid": len({line.worker for line in short}),
            "courier": {
                "employers": len({line.employer.key for line in courier_lines}),
                "workers": len({line.worker for line in courier_lines}),
                "paid": money(line.paid for line in courier_lines),
                "shortfall": money(
                    line.payable - line.paid for line in courier_lines if line.paid < line.payable
                ),
            },
        },
        "alerts": {
            "alerts": len(alerts),
            "employers": len({a["employer"]["uscc"] for a in alerts}),
            "by_level": {
                level: sum(1 for a in alerts if a["level"] == level) for level in ("yellow", "orange", "red")
            },
            "escalated_to_cases": sum(1 for a in alerts if a["case_id"]),
            "courier": {
                "alerts": len(courier_alerts),
                "employers": len({a["employer"]["uscc"] for a in courier_alerts}),
            },
        },
    }


def strip(figure: dict[str, Any]) -> dict[str, Any]:
    """A figure without its label and explanation; campaigns in name order (the database's
    collation may order Chinese names otherwise)."""
    out = {k: v for k, v in figure.items() if k not in ("label", "explain")}
    if "campaigns" in out:
        out["campaigns"] = sorted(out["campaigns"], key=lambda c: c["campaign"])
    return out
