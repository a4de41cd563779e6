"""Terms of a listing: how long it lasts, what it restricts, when early removal opens.

A period in years or months reaches the corresponding day of the last month, or that month's
last day when it has no such day (民法典 art. 202: a decision of 29 Feb reaches 28 Feb).

The registry treats the corresponding day as the day the period is complete: a 3-year listing
decided on 2023-11-27 no longer applies on 2026-11-27, and 6 months after a correction on
2026-05-27 early removal is open on 2026-11-27. A stricter reading of art. 201 (the period runs
through the corresponding day) would move both one day later; the two are kept consistent.
"""

from __future__ import annotations

import calendar
from datetime import date
from typing import Final

from credit.config import CreditSettings
from credit.listing import workflow

# 保障农民工工资支付条例 art. 48 [V] and 令45 [V2]: the eight areas a blacklisted party is
# restricted in. Verified, so a constant; watch and red lists restrict nothing.
SANCTION_AREAS: Final = (
    "government_funding",  # 政府资金支持
    "government_procurement",  # 政府采购
    "bidding",  # 招投标
    "loan",  # 融资贷款
    "market_access",  # 市场准入
    "tax_incentive",  # 税收优惠
    "awards",  # 评优评先
    "travel",  # 交通出行
)


def add_months(day: date, months: int) -> date:
    """The corresponding day ``months`` later, or the last day of that month."""
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: date, years: int) -> date:
    return add_months(day, 12 * years)


def term_years(settings: CreditSettings, list_type: str) -> int:
    return {
        workflow.BLACKLIST: settings.blacklist_term_years,
        workflow.WATCH: settings.watch_term_years,
        workflow.RED: settings.red_term_years,
    }[list_type]


def expires_on(settings: CreditSettings, list_type: str, decided_on: date) -> date:
    """The first day the listing no longer applies: the corresponding day after the term."""
    return add_years(decided_on, term_years(settings, list_type))


def restrictions(list_type: str) -> list[str]:
    return list(SANCTION_AREAS) if list_type == workflow.BLACKLIST else []


def early_removal_from(corrected_on: date, months: int) -> date:
    """The first day on which ``months`` full months have passed since the correction."""
    return add_months(corrected_on, months)
