"""``/api/v1/reports``: the yearly report (contract.md, "Reports") and the records of the figure
the gateway counts itself (12345 inquiries answered)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from gateway.deps import GatewayIdentityDep, require_gateway_scopes
from gateway.reports import hotline
from gateway.reports.assemble import assemble
from gateway.reports.gather import gather_parts
from gateway.reports.html import render_html
from gateway.reports.markdown import render_markdown
from gateway.reports.xlsx import render_xlsx
from shared.db import SessionDep
from shared.pagination import Page, PageParamsDep
from shared.reporting import District, Explain, FromDate, ToDate, make_scope
from shared.timeutil import CHINA_TZ, now_utc

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Year = Annotated[int | None, Query(ge=2000, le=2100, description="统计年度（与 from/to 二选一），默认本年")]
Format = Literal["json", "markdown", "xlsx", "html"]


def _filename(document: dict[str, Any], extension: str) -> str:
    period = document["period"]
    name = str(period["year"]) if period["year"] else f"{period['from']}_{period['to']}"
    return f"annual-report-{name}.{extension}"


@router.get(
    "/annual",
    summary="年度报告：劳动保障监察工作基本情况（JSON、Markdown、XLSX、HTML）",
    description=(
        "按 domain.md §11 的口径汇总各服务的年度数字（各项含快递业 6020 分列）。"
        "format=markdown 为“一、基本情况”文字（较大数字以万为单位）及统计表；xlsx 为统计数字、"
        "各服务明细与按月统计图表；html 为含内联 SVG 统计图的独立网页。"
        "explain=true 时每项数字附口径和记录清单路径。"
    ),
    dependencies=[require_gateway_scopes("reports:read")],
    response_model=None,
)
async def annual_report(
    request: Request,
    session: SessionDep,
    identity: GatewayIdentityDep,
    year: Year = None,
    date_from: FromDate = None,
    date_to: ToDate = None,
    district_code: District = None,
    format: Annotated[Format, Query(description="json（默认）、markdown、xlsx、html")] = "json",
    explain: Explain = False,
) -> Response:
    scope = make_scope(date_from, date_to, district_code, identity.districts, year=year)
    parts = await gather_parts(request, scope, explain=explain)
    document = assemble(
        scope,
        parts,
        inquiries_answered=await hotline.inquiries_answered(session, scope),
        explain=explain,
        generated_at=now_utc().astimezone(CHINA_TZ),
    )
    if format == "markdown":
        return Response(render_markdown(document), media_type="text/markdown; charset=utf-8")
    if format == "html":
        return Response(render_html(document), media_type="text/html; charset=utf-8")
    if format == "xlsx":
        disposition = f'attachment; filename="{_filename(document, "xlsx")}"'
        return Response(
            render_xlsx(document), media_type=XLSX_TYPE, headers={"Content-Disposition": disposition}
        )
    return Response(orjson.dumps(document), media_type="application/json")


@router.get(
    "/records",
    summary="构成网关统计数字的记录清单（12345 已答复的咨询）",
    dependencies=[require_gateway_scopes("reports:read")],
)
async def report_records(
    session: SessionDep,
    identity: GatewayIdentityDep,
    page: PageParamsDep,
    figure: Annotated[Literal["hotline_inquiries"], Query(description="统计项目")],
    year: Year = None,
    date_from: FromDate = None,
    date_to: ToDate = None,
    district_code: District = None,
) -> Page[dict[str, Any]]:
    scope = make_scope(date_from, date_to, district_code, identity.districts, year=year)
    return await hotline.list_inquiries(session, scope, page)
