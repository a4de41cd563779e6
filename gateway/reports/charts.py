"""The charts of the report drawn as inline SVG (no script, no external file), and the monthly
table behind them."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from html import escape
from typing import Any, Final

from gateway.reports.labels import CHANNELS, industry
from gateway.reports.numbers import wan

PALETTE: Final = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
    "#393b79",
    "#637939",
    "#8c6d31",
)
WIDTH: Final = 960
FONT: Final = 'font-family="sans-serif" font-size="12"'


@dataclass(frozen=True, slots=True)
class Month:
    month: str
    cases: int
    by_channel: dict[str, int]
    wages: Decimal
    wage_workers: int


def _months(first: date, last: date) -> list[str]:
    months: list[str] = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def months_table(document: dict[str, Any]) -> list[Month]:
    """Every month of the period, with the cases received and the wages recovered in it."""
    period = document["period"]
    charts = document["charts"]
    labels = _months(date.fromisoformat(period["from"]), date.fromisoformat(period["to"]))
    channels: dict[str, dict[str, int]] = {m: {} for m in labels}
    for line in charts["cases_by_month_channel"]:
        channels.setdefault(line["month"], {})[line["channel"]] = int(line["cases"])
    wages: dict[str, tuple[Decimal, int]] = {}
    for line in charts["payments_by_month"]:
        if line["kind"] == "wages":
            wages[line["month"]] = (Decimal(line["amount"]), int(line["workers"]))
    return [
        Month(
            month=m,
            cases=sum(channels[m].values()),
            by_channel=channels[m],
            wages=wages.get(m, (Decimal("0.00"), 0))[0],
            wage_workers=wages.get(m, (Decimal("0.00"), 0))[1],
        )
        for m in sorted(channels)
    ]


def _svg(height: int, title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{WIDTH}" '
        f'height="{height}" viewBox="0 0 {WIDTH} {height}" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>"
        f'<text x="{WIDTH // 2}" y="22" text-anchor="middle" {FONT} font-size="16" font-weight="bold">'
        f"{escape(title)}</text>" + "".join(body) + "</svg>"
    )


def nice_top(largest: float, *, whole: bool) -> float:
    """The axis top: four gridline steps of 1, 2, 2.5 or 5 times a power of ten, whole numbers
    for counts, reaching at least ``largest``."""
    raw = max(largest, 1.0) / 4
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    if whole:
        step = float(max(1, math.ceil(step)))
    return step * 4


def _axis(left: int, top: int, plot_height: int, plot_width: int, peak: float, unit: str) -> list[str]:
    parts = [
        f'<line x1="{left}" y1="{top + plot_height}" x2="{left + plot_width}" y2="{top + plot_height}" '
        'stroke="#333"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_height}" stroke="#333"/>',
    ]
    for step in range(1, 5):
        value = Decimal(str(peak * step / 4))
        y = top + plot_height - plot_height * step / 4
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_width}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" {FONT}>'
            f"{escape(wan(value, unit))}</text>"
        )
    return parts


def cases_by_month_svg(months: list[Month]) -> str:
    """Stacked columns: cases received each month, one colour per channel."""
    channels = [c for c in CHANNELS if any(m.by_channel.get(c) for m in months)]
    left, top, plot_height = 70, 40, 300
    plot_width = WIDTH - left - 30
    peak = nice_top(max([m.cases for m in months] + [1]), whole=True)
    slot = plot_width / max(len(months), 1)
    bar = max(slot * 0.6, 2)
    body = _axis(left, top, plot_height, plot_width, peak, "件")
    for index, month in enumerate(months):
        x = left + slot * index + (slot - bar) / 2
        base = float(top + plot_height)
        for channel_index, channel in enumerate(channels):
            count = month.by_channel.get(channel, 0)
            if not count:
                continue
            height = plot_height * count / peak
            base -= height
            body.append(
                f'<rect class="bar" x="{x:.1f}" y="{base:.1f}" width="{bar:.1f}" height="{height:.1f}" '
                f'fill="{PALETTE[channel_index % len(PALETTE)]}">'
                f"<title>{escape(month.month)} {escape(CHANNELS[channel])}：{count}件</title></rect>"
            )
        body.append(
            f'<text x="{x + bar / 2:.1f}" y="{top + plot_height + 16}" text-anchor="middle" {FONT}>'
            f"{escape(month.month[5:])}月</text>"
        )
    legend_y = top + plot_height + 40
    for channel_index, channel in enumerate(channels):
        x = left + (channel_index % 8) * 105
        y = legend_y + (channel_index // 8) * 18
        colour = PALETTE[channel_index % len(PALETTE)]
        body.append(
            f'<rect x="{x}" y="{y - 10}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{x + 16}" y="{y}" {FONT}>{escape(CHANNELS[channel])}</text>'
        )
    return _svg(legend_y + 18 * ((len(channels) + 7) // 8) + 10, "各月受理案件（按来源渠道）", body)


def wages_by_month_svg(months: list[Month]) -> str:
    left, top, plot_height = 90, 40, 260
    plot_width = WIDTH - left - 30
    peak = nice_top(max([float(m.wages) for m in months] + [1.0]), whole=False)
    slot = plot_width / max(len(months), 1)
    bar = max(slot * 0.6, 2)
    body = _axis(left, top, plot_height, plot_width, peak, "元")
    for index, month in enumerate(months):
        x = left + slot * index + (slot - bar) / 2
        height = plot_height * float(month.wages) / peak
        y = top + plot_height - height
        tip = f"{month.month}：{wan(month.wages, '元')}，{month.wage_workers}人"
        body.append(
            f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{height:.1f}" '
            f'fill="#2ca02c"><title>{escape(tip)}</title></rect>'
            f'<text x="{x + bar / 2:.1f}" y="{top + plot_height + 16}" text-anchor="middle" {FONT}>'
            f"{escape(month.month[5:])}月</text>"
        )
        if month.wages:
            body.append(
                f'<text x="{x + bar / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle" {FONT}>'
                f"{escape(wan(month.wages))}</text>"
            )
    return _svg(top + plot_height + 30, "各月追发工资（元）", body)


def industry_svg(lines: list[dict[str, Any]], limit: int = 10) -> str:
    """Horizontal bars: cases per industry, with the wages recovered in each."""
    shown = lines[:limit]
    left, top, row = 200, 40, 28
    plot_width = WIDTH - left - 220
    peak = float(max([int(line["cases"]) for line in shown] + [1]))
    body: list[str] = []
    for index, line in enumerate(shown):
        y = top + index * row
        width = plot_width * int(line["cases"]) / peak
        colour = "#d62728" if line["industry_code"] == "6020" else "#1f77b4"
        label = industry(line["industry_code"])
        note = (
            f"{line['cases']}件，检查{line['inspections']}次，"
            f"追发工资{wan(Decimal(line['wages_recovered']), '元')}"
        )
        body.append(
            f'<text x="{left - 8}" y="{y + 15}" text-anchor="end" {FONT}>{escape(label)}</text>'
            f'<rect class="bar" x="{left}" y="{y + 4}" width="{width:.1f}" height="{row - 10}" '
            f'fill="{colour}"><title>{escape(label)}：{line["cases"]}件</title></rect>'
            f'<text x="{left + width + 6:.1f}" y="{y + 15}" {FONT}>{escape(note)}</text>'
        )
    if not shown:
        body.append(f'<text x="{WIDTH // 2}" y="{top + 20}" text-anchor="middle" {FONT}>本期无数据</text>')
    return _svg(top + max(len(shown), 1) * row + 20, "按行业：案件、检查与追发工资（快递业以红色标示）", body)
