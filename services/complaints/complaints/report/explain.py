"""What each figure is called and how it is counted, in the words an officer reads, and where
the records behind it are listed."""

from __future__ import annotations

from typing import Final

from complaints.report.schemas import Explain, FigureName
from shared.reporting import Scope

RECORDS_PATH: Final = "/api/v1/complaints/reports/records"

_CASE_RULE = "按收到时间计入统计期；已并案的案件只在并入的案件中计一次"
_INSPECTION_RULE = "检查日期在统计期内的检查：户数按单位去重，劳动者为各次用工人数之和（人次）"
_PAYMENT_RULE = (
    "到账日期在统计期内的逐人到账记录（案件“记录到账”操作登记），人数按身份证号去重，"
    "金额为逐笔之和（按分精确求和）；快递员为所属案件行业代码为6020者"
)

LABELS: Final[dict[FigureName, str]] = {
    "employers_inspected": "实施劳动监察的用人单位（户）",
    "workers_covered": "涉及劳动者（人次）",
    "routine_patrols": "日常巡查",
    "assigned_transferred_petition": "交办、转办、信访件",
    "complaints_and_reports": "举报投诉案件",
    "hotline_calls": "电话和12345举报投诉",
    "wages_recovered": "追发工资",
    "compensation_recovered": "支付经济补偿金、赔偿金",
    "deposits_refunded": "清退风险抵押金",
    "social_insurance_backpaid": "补缴社会保险",
    "penalties": "行政处罚",
    "special_campaigns": "专项检查",
    "annual_reviews": "劳动保障执法年审",
}

COUNTED_AS: Final[dict[FigureName, str]] = {
    "employers_inspected": (
        "检查日期在统计期内的日常巡查、专项检查、年审所检查的用人单位，加上统计期内收到并已立案的"
        "投诉举报及各类交办件所涉用人单位；按统一社会信用代码去重（无代码的按规范化后的单位名称）。"
        "快递企业为行业代码6020的单位"
    ),
    "workers_covered": (
        "各次检查登记的用工人数之和，加上统计期内收到并已立案案件登记的涉及劳动者人数之和；"
        "同一单位多次检查按次累计（人次），不去重"
    ),
    "routine_patrols": f"检查类型为日常巡查、{_INSPECTION_RULE}",
    "assigned_transferred_petition": (
        f"来源渠道为交办（assigned）、转办（transferred）、信访（petition）的案件；{_CASE_RULE}"
    ),
    "complaints_and_reports": (
        "由投诉人、举报人经窗口、电话、12345、110、移动端、网站、信件、线索平台提出的投诉和举报"
        f"（不含交办、转办、信访件，检查发现和预警转入的案件）；{_CASE_RULE}"
    ),
    "hotline_calls": f"经电话（phone）和12345热线（hotline_12345）提出的投诉举报案件；{_CASE_RULE}",
    "wages_recovered": f"类型为工资（wages）的{_PAYMENT_RULE}",
    "compensation_recovered": f"类型为经济补偿金、赔偿金（compensation）的{_PAYMENT_RULE}",
    "deposits_refunded": f"类型为退还风险抵押金（deposit_refund）的{_PAYMENT_RULE}",
    "social_insurance_backpaid": f"类型为补缴社会保险（social_insurance）的{_PAYMENT_RULE}",
    "penalties": (
        "案件作出行政处罚决定（“行政处罚”操作的办理日期在统计期内）的件数及其罚款，加上检查日期在"
        "统计期内、检查记录登记的行政处罚件数及罚款；户数按单位去重"
    ),
    "special_campaigns": (
        "检查类型为专项检查、检查日期在统计期内的检查：出动人员为各次检查人数之和，户数按单位去重，"
        "劳动者为各次用工人数之和，责令改正、处罚、补签合同、责令支付、社会保险各项为检查记录登记结果之和"
    ),
    "annual_reviews": f"检查类型为年审、{_INSPECTION_RULE}",
}


def explain(figure: FigureName, scope: Scope) -> Explain:
    records = f"{RECORDS_PATH}?{scope.query(figure=figure)}"
    return Explain(
        counted_as=COUNTED_AS[figure],
        records=records,
        courier_records=f"{RECORDS_PATH}?{scope.query(figure=figure, courier='true')}",
    )
