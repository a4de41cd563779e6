"""The complaints part of the yearly report: the aggregates shaped as the figures of §11."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from complaints.inspection import service as inspections
from complaints.inspection.schemas import Figures
from complaints.report import repository
from complaints.report.explain import LABELS, explain
from complaints.report.repository import (
    ASSIGNED_CHANNELS,
    CASE_SOURCE,
    COMPLAINANT_CHANNELS,
    HOTLINE_CHANNELS,
    INSPECTION_SOURCES,
)
from complaints.report.schemas import (
    CampaignLine,
    ChannelCases,
    ComplaintsAndReports,
    ComplaintsCharts,
    ComplaintsFigures,
    ComplaintsReport,
    CourierCases,
    CourierEmployers,
    CourierMoney,
    CourierPenalties,
    CourierWorkers,
    EmployersInspected,
    FigureName,
    IndustryLine,
    InspectionKindFigure,
    KindCourier,
    MonthChannel,
    MonthPayments,
    PaymentFigure,
    Penalties,
    PenaltyPart,
    SpecialCampaigns,
    WorkersCovered,
)
from shared.reporting import COURIER_INDUSTRY_CODE, Scope, month_label, yuan


def _head(figure: FigureName, scope: Scope, with_explain: bool) -> dict[str, Any]:
    return {"label": LABELS[figure], "explain": explain(figure, scope) if with_explain else None}


def _channel_figure(
    channels: tuple[str, ...], rows: list[dict[str, Any]], head: dict[str, Any]
) -> dict[str, Any]:
    mine = [row for row in rows if row["channel"] in channels]
    by_channel = dict.fromkeys(channels, 0)
    for row in mine:
        by_channel[row["channel"]] += int(row["cases"])
    return {
        **head,
        "cases": sum(by_channel.values()),
        "by_channel": by_channel,
        "courier": CourierCases(cases=sum(int(row["courier_cases"]) for row in mine)),
    }


def _kind_figure(figures: Figures, head: dict[str, Any]) -> dict[str, Any]:
    return {
        **head,
        "inspections": figures.inspections,
        "employers": figures.employers,
        "workers_covered": figures.workers_covered,
        "courier": KindCourier(
            employers=figures.courier.employers, workers_covered=figures.courier.workers_covered
        ),
    }


def _payments(row: Mapping[str, Any] | None, head: dict[str, Any]) -> PaymentFigure:
    def value(name: str) -> Any:
        return 0 if row is None else row[name]

    return PaymentFigure(
        **head,
        workers=int(value("workers")),
        payments=int(value("payments")),
        amount=yuan(value("amount_fen")),
        courier=CourierMoney(workers=int(value("courier_workers")), amount=yuan(value("courier_amount_fen"))),
    )


def _penalties(row: Mapping[str, Any], head: dict[str, Any]) -> Penalties:
    def part(source: str) -> PenaltyPart:
        return PenaltyPart(
            penalties=int(row[f"{source}_penalties"]),
            employers=int(row[f"{source}_employers"]),
            fines=yuan(row[f"{source}_fines_fen"]),
        )

    return Penalties(
        **head,
        employers=int(row["employers"]),
        penalties=int(row["penalties"]),
        fines=yuan(row["fines_fen"]),
        from_cases=part(CASE_SOURCE),
        from_inspections=part("inspection"),
        courier=CourierPenalties(
            employers=int(row["courier_employers"]), fines=yuan(row["courier_fines_fen"])
        ),
    )


def _by_channel(groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Cases per channel and kind, couriers among them."""
    totals: dict[tuple[str, str], dict[str, Any]] = {}
    for row in groups:
        total = totals.setdefault(
            (row["channel"], row["kind"]),
            {"channel": row["channel"], "kind": row["kind"], "cases": 0, "courier_cases": 0},
        )
        total["cases"] += int(row["cases"])
        if row["industry_code"] == COURIER_INDUSTRY_CODE:
            total["courier_cases"] += int(row["cases"])
    return list(totals.values())


def _by_month(groups: list[dict[str, Any]]) -> list[MonthChannel]:
    """Cases per month received and channel, in month then channel order."""
    totals: dict[tuple[int, int, str], int] = {}
    for row in groups:
        if row["year"] is None or row["month"] is None:
            continue
        key = (int(row["year"]), int(row["month"]), row["channel"])
        totals[key] = totals.get(key, 0) + int(row["cases"])
    return [
        MonthChannel(month=month_label(year, month), channel=channel, cases=cases)
        for (year, month, channel), cases in sorted(totals.items())
    ]


async def _charts(session: AsyncSession, scope: Scope, groups: list[dict[str, Any]]) -> ComplaintsCharts:
    paid = await repository.payments_by_month(session, scope)
    industry = await repository.by_industry(session, scope)
    # Three GROUP BY results joined on the industry code (a few dozen groups at most).
    lines: dict[str | None, dict[str, Any]] = {}

    def line(code: str | None) -> dict[str, Any]:
        return lines.setdefault(
            code,
            {"industry_code": code, "cases": 0, "inspections": 0, "wages_workers": 0, "wages_fen": 0},
        )

    for row in groups:
        line(row["industry_code"])["cases"] += int(row["cases"])
    for row in industry["inspections"]:
        line(row["industry_code"])["inspections"] = int(row["n"])
    for row in industry["wages"]:
        entry = line(row["industry_code"])
        entry["wages_workers"], entry["wages_fen"] = int(row["workers"]), int(row["amount_fen"])
    ordered = sorted(lines.values(), key=lambda e: (-e["cases"], -e["wages_fen"], e["industry_code"] or "~"))
    return ComplaintsCharts(
        cases_by_month_channel=_by_month(groups),
        payments_by_month=[
            MonthPayments(
                month=month_label(r["year"], r["month"]),
                kind=r["kind"],
                workers=int(r["workers"]),
                payments=int(r["payments"]),
                amount=yuan(r["amount_fen"]),
            )
            for r in paid
        ],
        by_industry=[
            IndustryLine(
                industry_code=e["industry_code"],
                cases=e["cases"],
                inspections=e["inspections"],
                wages_workers=e["wages_workers"],
                wages_recovered=yuan(e["wages_fen"]),
            )
            for e in ordered
        ],
    )


async def annual_report(session: AsyncSession, scope: Scope, *, with_explain: bool) -> ComplaintsReport:
    def head(figure: FigureName) -> dict[str, Any]:
        return _head(figure, scope, with_explain)

    summary = await inspections.summarise(
        session, inspected_from=scope.date_from, inspected_to=scope.date_to, district_code=scope.district_code
    )
    touched = await repository.touched_figures(session, scope)
    groups = await repository.case_groups(session, scope)
    channels = _by_channel(groups)
    payments = {row["kind"]: row for row in await repository.payments_by_kind(session, scope)}
    penalties = await repository.penalty_figures(session, scope)

    campaign = summary.by_kind["special_campaign"]
    results = campaign.results
    complainants = [row for row in channels if row["channel"] in COMPLAINANT_CHANNELS]
    figures = ComplaintsFigures(
        employers_inspected=EmployersInspected(
            **head("employers_inspected"),
            employers=int(touched["employers"]),
            by_source={s: int(touched[f"employers_{s}"]) for s in (*INSPECTION_SOURCES, CASE_SOURCE)},
            courier=CourierEmployers(employers=int(touched["courier_employers"])),
        ),
        workers_covered=WorkersCovered(
            **head("workers_covered"),
            workers=int(touched["workers"]),
            from_inspections=int(touched["workers"]) - int(touched["workers_from_cases"]),
            from_cases=int(touched["workers_from_cases"]),
            courier=CourierWorkers(workers=int(touched["courier_workers"])),
        ),
        routine_patrols=InspectionKindFigure(
            **_kind_figure(summary.by_kind["routine_patrol"], head("routine_patrols"))
        ),
        assigned_transferred_petition=ChannelCases(
            **_channel_figure(
                ASSIGNED_CHANNELS,
                channels,
                head("assigned_transferred_petition"),
            )
        ),
        complaints_and_reports=ComplaintsAndReports(
            **_channel_figure(COMPLAINANT_CHANNELS, channels, head("complaints_and_reports")),
            complaints=sum(int(r["cases"]) for r in complainants if r["kind"] == "complaint"),
            reports=sum(int(r["cases"]) for r in complainants if r["kind"] == "report"),
        ),
        hotline_calls=ChannelCases(**_channel_figure(HOTLINE_CHANNELS, channels, head("hotline_calls"))),
        wages_recovered=_payments(payments.get("wages"), head("wages_recovered")),
        compensation_recovered=_payments(payments.get("compensation"), head("compensation_recovered")),
        deposits_refunded=_payments(payments.get("deposit_refund"), head("deposits_refunded")),
        social_insurance_backpaid=_payments(
            payments.get("social_insurance"), head("social_insurance_backpaid")
        ),
        penalties=_penalties(penalties, head("penalties")),
        special_campaigns=SpecialCampaigns(
            **_kind_figure(campaign, head("special_campaigns")),
            inspectors_deployed=campaign.inspectors_deployed,
            orders_to_correct=results.orders_to_correct,
            penalties=results.penalties,
            fines=results.fines,
            contracts_signed=results.contracts_signed,
            wages_ordered=results.wages_ordered,
            wages_ordered_workers=results.wages_ordered_workers,
            compensation_ordered=results.compensation_ordered,
            wages_and_compensation_ordered=results.wages_ordered + results.compensation_ordered,
            social_insurance_registrations=results.social_insurance_registrations,
            social_insurance_ordered=results.social_insurance_ordered,
            social_insurance_ordered_workers=results.social_insurance_ordered_workers,
            campaigns=[
                CampaignLine(
                    campaign=c.campaign,
                    inspections=c.inspections,
                    employers=c.employers,
                    workers_covered=c.workers_covered,
                )
                for c in summary.campaigns
            ],
        ),
        annual_reviews=InspectionKindFigure(
            **_kind_figure(summary.by_kind["annual_review"], head("annual_reviews"))
        ),
    )
    return ComplaintsReport(
        from_=scope.date_from,
        to=scope.date_to,
        district_code=scope.district_code,
        courier_industry_code=COURIER_INDUSTRY_CODE,
        figures=figures,
        charts=await _charts(session, scope, groups),
    )
