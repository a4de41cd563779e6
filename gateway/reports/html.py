"""The report as one self-contained page: the 一、基本情况 text, the figures, and the charts as
inline SVG (no script, no stylesheet or font fetched from anywhere)."""

from __future__ import annotations

from html import escape
from typing import Any, Final

from gateway.reports.assemble import rows
from gateway.reports.charts import cases_by_month_svg, industry_svg, months_table, wages_by_month_svg
from gateway.reports.markdown import basic_situation
from gateway.reports.numbers import wan

STYLE: Final = """
body { font-family: "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif; margin: 24px auto;
       max-width: 1000px; color: #222; background: #fff; }
h1 { font-size: 24px; } h2 { font-size: 18px; border-bottom: 2px solid #c00; padding-bottom: 4px; }
p { line-height: 1.9; text-indent: 2em; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { border: 1px solid #bbb; padding: 4px 8px; } th { background: #f2f2f2; }
td.n { text-align: right; white-space: nowrap; } td.note { font-size: 12px; color: #555; }
figure { margin: 16px 0; } .meta { color: #666; font-size: 12px; }
"""


def render_html(document: dict[str, Any]) -> str:
    table = rows(document)
    explained = any(row.counted_as for row in table)
    head = "<tr><th>项目</th><th>数值</th><th>其中快递业（6020）</th>"
    head += "<th>统计口径</th></tr>" if explained else "</tr>"
    body_rows = []
    for row in table:
        courier = "—" if row.courier is None else wan(row.courier, row.unit)
        cells = (
            f"<td>{escape(row.item)}</td><td class='n'>{escape(wan(row.value, row.unit))}</td>"
            f"<td class='n'>{escape(courier)}</td>"
        )
        if explained:
            cells += f"<td class='note'>{escape(row.counted_as or '')}</td>"
        body_rows.append(f"<tr>{cells}</tr>")
    months = months_table(document)
    period = document["period"]
    return (
        "<!DOCTYPE html>\n"
        '<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{escape(document['title'])}</title><style>{STYLE}</style></head><body>"
        f"<h1>{escape(document['title'])}</h1>"
        f"<p class='meta'>统计期：{escape(period['from'])} 至 {escape(period['to'])}；"
        f"区划：{escape(document['district_code'] or '全市')}；"
        f"生成时间：{escape(document['generated_at'])}</p>"
        "<h2>一、基本情况</h2>"
        f"<p>{escape(basic_situation(document))}</p>"
        "<h2>统计图</h2>"
        f"<figure>{cases_by_month_svg(months)}</figure>"
        f"<figure>{wages_by_month_svg(months)}</figure>"
        f"<figure>{industry_svg(document['charts']['by_industry'])}</figure>"
        "<h2>统计数字</h2>"
        f"<table><thead>{head}</thead><tbody>{''.join(body_rows)}</tbody></table>"
        "</body></html>\n"
    )
