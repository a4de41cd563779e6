"""Chinese names of the report's keys, for the spreadsheet and the page."""

from __future__ import annotations

from typing import Final

CHANNELS: Final[dict[str, str]] = {
    "window": "窗口",
    "phone": "电话",
    "hotline_12345": "12345热线",
    "police_110": "110转来",
    "mobile_app": "移动端",
    "web": "网站",
    "letter": "信件",
    "assigned": "交办",
    "transferred": "转办",
    "petition": "信访",
    "inspection": "检查发现",
    "monitoring": "监控预警",
    "clue_platform": "线索平台",
}
PAYMENT_KINDS: Final[dict[str, str]] = {
    "wages": "工资",
    "compensation": "经济补偿金、赔偿金",
    "deposit_refund": "退还风险抵押金",
    "social_insurance": "补缴社会保险",
}
INDUSTRIES: Final[dict[str, str]] = {"6020": "快递服务"}
FIELDS: Final[dict[str, str]] = {
    "employers": "用人单位（户）",
    "workers": "劳动者（人）",
    "workers_covered": "涉及劳动者（人次）",
    "inspections": "检查（次）",
    "cases": "案件（件）",
    "complaints": "投诉（件）",
    "reports": "举报（件）",
    "payments": "到账（笔）",
    "amount": "金额（元）",
    "calls": "电话（个）",
    "complaints_and_reports": "投诉举报（件）",
    "inquiries_answered": "答复咨询（件）",
    "penalties": "行政处罚（件）",
    "fines": "罚款（元）",
    "from_cases": "来自案件",
    "from_inspections": "来自检查",
    "courier": "其中快递业",
    "by_channel": "按渠道",
    "by_source": "按来源",
    "by_level": "按等级",
    "routine_patrol": "日常巡查",
    "special_campaign": "专项检查",
    "annual_review": "年审",
    "case": "立案案件",
    "inspectors_deployed": "出动检查人员（人次）",
    "orders_to_correct": "责令改正（件）",
    "contracts_signed": "补签劳动合同（份）",
    "wages_ordered": "责令支付工资（元）",
    "wages_ordered_workers": "责令支付工资涉及劳动者（人）",
    "compensation_ordered": "责令支付补偿金（元）",
    "wages_and_compensation_ordered": "责令支付工资及补偿金（元）",
    "social_insurance_registrations": "社会保险登记（户）",
    "social_insurance_ordered": "补缴社会保险费（元）",
    "social_insurance_ordered_workers": "补缴社会保险费涉及劳动者（人）",
    "campaigns": "专项行动",
    "campaign": "名称",
    "decisions": "列入决定（件）",
    "published": "向社会公布（件）",
    "units": "单位（户）",
    "persons": "人员（人）",
    "disclosures": "公布（件）",
    "batches": "公布批次",
    "projects": "工程项目（个）",
    "registered_in_period": "本期新纳入（户）",
    "ledgers": "台账（份）",
    "lines": "台账行（人次）",
    "payable": "应发（元）",
    "paid": "实发（元）",
    "shortfall": "少发（元）",
    "workers_underpaid": "少发涉及劳动者（人）",
    "alerts": "预警（条）",
    "escalated_to_cases": "转为案件（件）",
    "yellow": "黄色",
    "orange": "橙色",
    "red": "红色",
    **CHANNELS,
}


def field(key: str) -> str:
    return FIELDS.get(key, key)


def industry(code: str | None) -> str:
    if code is None:
        return "未登记行业"
    name = INDUSTRIES.get(code)
    return f"{code} {name}" if name else code
