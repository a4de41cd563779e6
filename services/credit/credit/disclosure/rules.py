"""Which violations 令29 requires to be published, and the words published; free of I/O.

Categories (令29 art. 5 [V2]); "数额较大" and "情节严重" are not defined nationally, so the
amounts are settings [M]. A violation is published once, under the first category it meets.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Final

from credit.config import CreditSettings
from credit.subject.models import Violation
from shared.money import format_money

CATEGORY_LABELS: Final[dict[str, str]] = {
    "criminal_transfer": "拒不支付劳动报酬，涉嫌犯罪被移送司法机关",
    "child_labour": "违反禁止使用童工规定",
    "wage_arrears": "克扣、无故拖欠劳动者劳动报酬，数额较大",
    "social_insurance": "不依法参加社会保险或者不依法缴纳社会保险费，情节严重",
    "working_hours": "违反工作时间和休息休假规定，情节严重",
    "female_juvenile": "违反女职工和未成年工特殊劳动保护规定，情节严重",
    "serious_social_impact": "因劳动保障违法行为造成严重不良社会影响",
    "other_major": "其他重大劳动保障违法行为",
}
ISSUE_LABELS: Final[dict[str, str]] = {
    "wage_arrears": "拖欠劳动报酬",
    "wage_deduction": "克扣劳动报酬",
    "below_minimum_wage": "低于当地最低工资标准支付工资",
    "no_contract": "未依法订立书面劳动合同",
    "social_insurance": "未依法参加社会保险或缴纳社会保险费",
    "working_hours": "违反工作时间和休息休假规定",
    "illegal_deposit": "违法收取押金或扣押证件",
    "child_labor": "使用童工",
    "female_juvenile_protection": "违反女职工和未成年工特殊劳动保护规定",
    "dispatch": "违反劳务派遣规定",
    "other": "其他劳动保障违法行为",
}
STAGE_OUTCOMES: Final[dict[str, str]] = {
    "order_to_correct": "已责令限期改正",
    "handling_decision": "已作出行政处理决定",
    "administrative_penalty": "已作出行政处罚决定",
    "judicial_transfer": "已移送司法机关依法追究刑事责任",
}
_WAGES: Final = frozenset({"wage_arrears", "wage_deduction"})
_INCIDENTS: Final = frozenset({"serious_impact", "group_incident", "extreme_incident"})


def category(violation: Violation, settings: CreditSettings) -> str | None:
    """The 令29 category a decided violation falls in, or None when it need not be published."""
    issues = set(violation.issues)
    flags = set(violation.flags)
    amount = violation.amount if violation.amount is not None else Decimal("0")
    serious = "serious_impact" in flags or amount >= settings.disclosure_serious_amount
    if "criminal_liability" in flags or violation.stage == "judicial_transfer":
        return "criminal_transfer"
    if "child_labor" in issues or "child_labor" in flags:
        return "child_labour"
    if issues & _WAGES and amount >= settings.disclosure_wage_amount:
        return "wage_arrears"
    for issue, name in (
        ("social_insurance", "social_insurance"),
        ("working_hours", "working_hours"),
        ("female_juvenile_protection", "female_juvenile"),
    ):
        if issue in issues and serious:
            return name
    if flags & _INCIDENTS:
        return "serious_social_impact"
    if "forced_labor" in flags:
        return "other_major"
    return None


def facts(violation: Violation) -> str:
    """The main facts, from the recorded figures only: the officer's free-text description may
    name workers, which no filter can find, so it is never published."""
    day: date = violation.decided_on
    issues = "、".join(ISSUE_LABELS.get(i, i) for i in violation.issues) or ISSUE_LABELS["other"]
    text = f"{day.year}年{day.month}月{day.day}日查实：{issues}"
    if violation.workers:
        text += f"，涉及劳动者{violation.workers}人"
    if violation.amount is not None:
        text += f"，涉及金额{format_money(violation.amount)}元"
    return text + "。"


def outcome(violation: Violation) -> str:
    result = STAGE_OUTCOMES.get(violation.stage, "已依法处理")
    if "criminal_liability" in violation.flags and violation.stage != "judicial_transfer":
        result += "；涉嫌犯罪，已移送司法机关"
    return result + "。"
