"""The report as a workbook: one sheet of figures, one sheet per service's detail, and the
cases and wages recovered by month with a bar chart."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from io import BytesIO
from typing import Any, Final

# openpyxl ships no type information; its objects are used through a few calls only.
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font

from gateway.reports.assemble import FIGURE_SOURCES, rows
from gateway.reports.charts import months_table
from gateway.reports.labels import field

MONEY_FORMAT: Final = "#,##0.00"
COUNT_FORMAT: Final = "#,##0"
DETAIL_SHEETS: Final[dict[str, str]] = {
    "complaints": "投诉举报与案件",
    "gateway": "12345热线",
    "wages": "工资支付监控",
    "credit": "劳动保障信用",
}


def _cell_value(value: int | Decimal | None) -> int | float | str | None:
    # A spreadsheet holds numbers; money is written to the fen with a two-place format.
    if value is None:
        return None
    return float(value) if isinstance(value, Decimal) else value


def _flatten(value: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    if isinstance(value, dict):
        for key, inner in value.items():
            if key not in ("label", "explain"):
                yield from _flatten(inner, (*path, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _flatten(inner, (*path, str(index + 1)))
    else:
        yield path, value


def _is_money(path: tuple[str, ...], value: Any) -> bool:
    return isinstance(value, str) and value.replace(".", "", 1).isdigit() and "." in value and bool(path)


def _figures_sheet(sheet: Any, document: dict[str, Any]) -> None:
    sheet.title = "统计数字"
    sheet.append([document["title"]])
    sheet["A1"].font = Font(bold=True, size=14)
    period = document["period"]
    sheet.append(
        [
            f"统计期：{period['from']} 至 {period['to']}",
            "",
            "",
            f"区划：{document['district_code'] or '全市'}",
        ]
    )
    table = rows(document)
    explained = any(row.counted_as for row in table)
    header = ["项目", "单位", "数值", "其中快递业（6020）"] + (["统计口径"] if explained else [])
    sheet.append(header)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for row in table:
        values: list[Any] = [row.item, row.unit, _cell_value(row.value), _cell_value(row.courier)]
        if explained:
            values.append(row.counted_as)
        sheet.append(values)
        number_format = MONEY_FORMAT if row.unit == "元" else COUNT_FORMAT
        for cell in sheet[sheet.max_row][2:4]:
            cell.number_format = number_format
        if explained:
            sheet.cell(row=sheet.max_row, column=5).alignment = Alignment(wrap_text=True)
    for column, width in zip("ABCDE", (34, 8, 18, 20, 80), strict=True):
        sheet.column_dimensions[column].width = width


def _detail_sheets(workbook: Any, document: dict[str, Any]) -> None:
    for source, title in DETAIL_SHEETS.items():
        sheet = workbook.create_sheet(title)
        sheet.append(["统计项目", "指标", "数值"])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for name, figure_source in FIGURE_SOURCES:
            if figure_source != source:
                continue
            figure = document["figures"][name]
            for path, value in _flatten(figure):
                cell_value: Any = float(value) if _is_money(path, value) else value
                sheet.append([figure["label"], " · ".join(field(p) for p in path), cell_value])
                if _is_money(path, value):
                    sheet.cell(row=sheet.max_row, column=3).number_format = MONEY_FORMAT
        sheet.column_dimensions["A"].width = 34
        sheet.column_dimensions["B"].width = 46
        sheet.column_dimensions["C"].width = 18


def _monthly_sheet(workbook: Any, document: dict[str, Any]) -> None:
    sheet = workbook.create_sheet("按月统计")
    sheet.append(["月份", "受理案件（件）", "追发工资（元）", "追发工资劳动者（人）"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    months = months_table(document)
    for month in months:
        sheet.append([month.month, month.cases, float(month.wages), month.wage_workers])
        sheet.cell(row=sheet.max_row, column=3).number_format = MONEY_FORMAT
    for column, width in zip("ABCD", (10, 16, 18, 20), strict=True):
        sheet.column_dimensions[column].width = width
    last = max(sheet.max_row, 2)
    categories = Reference(sheet, min_col=1, min_row=2, max_row=last)
    cases = BarChart()
    cases.type = "col"
    cases.title = "各月受理案件"
    cases.y_axis.title = "件"
    cases.add_data(Reference(sheet, min_col=2, min_row=1, max_row=last), titles_from_data=True)
    cases.set_categories(categories)
    sheet.add_chart(cases, "F2")
    wages = BarChart()
    wages.type = "col"
    wages.title = "各月追发工资"
    wages.y_axis.title = "元"
    wages.add_data(Reference(sheet, min_col=3, min_row=1, max_row=last), titles_from_data=True)
    wages.set_categories(categories)
    sheet.add_chart(wages, "F20")


def render_xlsx(document: dict[str, Any]) -> bytes:
    workbook = Workbook()
    _figures_sheet(workbook.active, document)
    _detail_sheets(workbook, document)
    _monthly_sheet(workbook, document)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
