"""The report as the bureau writes it: the 一、基本情况 paragraph (numbers in 万 where a person
would write them), then every figure as a table."""

from __future__ import annotations

from typing import Any

from gateway.reports.assemble import rows
from gateway.reports.numbers import wan


def _area(document: dict[str, Any]) -> str:
    code = document["district_code"]
    return "全市" if code is None else f"行政区划{code}范围内"


def basic_situation(document: dict[str, Any]) -> str:
    """The paragraph of 昆人社文〔2019〕30号 一、基本情况, with this period's figures."""
    f = document["figures"]
    inspected, covered, patrols = f["employers_inspected"], f["workers_covered"], f["routine_patrols"]
    wages, deposits, insurance = f["wages_recovered"], f["deposits_refunded"], f["social_insurance_backpaid"]
    penalties = f["penalties"]
    period = document["title"].removesuffix("劳动保障监察工作基本情况")
    return (
        f"{period}，{_area(document)}通过开展日常巡查、专项检查、劳动执法年审、受理群众举报投诉、"
        f"专查各种督办件等方式，共对{wan(inspected['employers'])}户用人单位实施了劳动监察，"
        f"涉及劳动者{wan(covered['workers'])}人（次）。"
        f"其中，日常巡查{wan(patrols['employers'])}户用人单位，其中快递企业有"
        f"{wan(patrols['courier']['employers'])}户，涉及劳动者{wan(patrols['workers_covered'])}人（次）。"
        f"查办各类交办、转办、信访件{wan(f['assigned_transferred_petition']['cases'])}件，"
        f"处理举报投诉案件{wan(f['complaints_and_reports']['cases'])}件，"
        f"追发{wan(wages['workers'])}名劳动者工资{wan(wages['amount'], '元')}，"
        f"其中快递员{wan(wages['courier']['workers'])}名；"
        f"接听劳动保障维权政策咨询和举报投诉电话{wan(f['hotline_calls']['calls'])}个；"
        f"清退{wan(deposits['workers'])}名劳动者被收取的风险抵押金{wan(deposits['amount'], '元')}；"
        f"督促用人单位为{wan(insurance['workers'])}名劳动者补缴社会保险{wan(insurance['amount'], '元')}，"
        f"其中快递员{wan(insurance['courier']['workers'])}名；"
        f"共对{wan(penalties['employers'])}户严重违反劳动法律法规的用人单位进行行政处罚，"
        f"共处罚金{wan(penalties['fines'], '元')}。"
    )


def _campaigns(document: dict[str, Any]) -> str:
    c = document["figures"]["special_campaigns"]
    return (
        f"开展用人单位遵守劳动用工和社会保险法律法规情况专项检查，共出动检查人员{wan(c['inspectors_deployed'])}人次，"
        f"共检查{wan(c['employers'])}户用人单位，涉及劳动者{wan(c['workers_covered'])}人，"
        f"对{wan(c['orders_to_correct'])}件违法违规案件责令改正，对{wan(c['penalties'])}件情节严重的违法行为"
        f"处以行政处罚，处罚款{wan(c['fines'], '元')}，"
        f"责令用人单位为劳动者补签劳动合同{wan(c['contracts_signed'])}份，"
        f"责令支付工资及补偿金{wan(c['wages_and_compensation_ordered'], '元')}，"
        f"督促{wan(c['social_insurance_registrations'])}户用人单位进行社会保险登记，"
        f"督促缴纳社会保险费{wan(c['social_insurance_ordered'], '元')}。"
    )


def _reviews_and_lists(document: dict[str, Any]) -> str:
    f = document["figures"]
    reviews, blacklist = f["annual_reviews"], f["blacklist"]
    return (
        f"组织{wan(reviews['employers'])}户用人单位参加劳动保障执法年审，涉及劳动者{wan(reviews['workers_covered'])}人，"
        f"其中快递行业有{wan(reviews['courier']['employers'])}户。"
        f"共有{wan(blacklist['decisions'])}件案件纳入拖欠农民工工资失信联合惩戒对象名单（黑名单），"
        f"向社会公布{wan(blacklist['published'])}件；"
        f"公布重大劳动保障违法行为{wan(f['major_violation_disclosures']['disclosures'])}件。"
        f"纳入工资支付监控的用人单位和工程项目{wan(f['monitored_employers']['employers'])}户，"
        f"发出欠薪预警{wan(f['alerts']['alerts'])}条。"
    )


def render_markdown(document: dict[str, Any]) -> str:
    lines = [
        f"# {document['title']}",
        "",
        "## 一、基本情况",
        "",
        basic_situation(document),
        "",
        _campaigns(document),
        "",
        _reviews_and_lists(document),
        "",
        "## 附：统计数字",
        "",
        "| 项目 | 数值 | 其中快递业（6020） |",
        "| --- | ---: | ---: |",
    ]
    table = rows(document)
    for row in table:
        courier = "—" if row.courier is None else wan(row.courier, row.unit)
        lines.append(f"| {row.item} | {wan(row.value, row.unit)} | {courier} |")
    explained = [(row.item, row.counted_as) for row in table if row.counted_as]
    if explained:
        lines += ["", "## 附：统计口径", ""]
        seen: set[str] = set()
        for item, counted_as in explained:
            if counted_as not in seen:
                seen.add(counted_as or "")
                lines.append(f"- **{item}**：{counted_as}")
    period = document["period"]
    lines += ["", f"统计期：{period['from']} 至 {period['to']}；生成时间：{document['generated_at']}", ""]
    return "\n".join(lines)
