"""From what a hotline sends to the body of ``POST /api/v1/complaints``.

A 投诉 (complaint) needs the aggrieved worker's name, a valid 身份证号 and a phone number
(条例 art. 9); a ticket without them is filed as a 举报 (report), whose reporter the complaints
service never reveals outside ``cases:manage``. Issues and emergency indicators are read from the
free text only where the words are clear; everything else stays in the description.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Final

from gateway.hotline.schemas import Caller, Respondent
from shared.identifiers import IdentifierError, validate_id_number, validate_phone, validate_uscc

# Words in the caller's account -> the contract's issue codes. Order is the order listed.
ISSUE_WORDS: Final[tuple[tuple[str, tuple[str, ...]], ...]] = (
    ("wage_arrears", ("欠薪", "拖欠", "讨薪", "欠工资", "不发工资", "未发工资", "工资未发", "工钱")),
    ("wage_deduction", ("克扣", "扣工资", "扣钱", "罚款")),
    ("below_minimum_wage", ("最低工资",)),
    ("illegal_deposit", ("押金", "保证金", "抵押金")),
    ("no_contract", ("劳动合同", "未签合同", "不签合同", "没签合同")),
    ("social_insurance", ("社保", "社会保险", "五险", "养老保险", "医疗保险", "工伤保险")),
    ("working_hours", ("加班", "工时", "休息日", "不让休息")),
    ("child_labor", ("童工",)),
    ("dispatch", ("劳务派遣",)),
)
# Only for urgent or critical tickets (domain.md §6.3: 过激讨薪 and group incidents go to 110).
EMERGENCY_WORDS: Final[tuple[tuple[str, tuple[str, ...]], ...]] = (
    ("self_harm_threat", ("跳楼", "轻生", "自杀", "自残", "以死", "爬塔吊", "坠楼", "服毒")),
    ("group_gathering", ("聚集", "群体", "围堵", "集体讨薪", "堵门")),
    ("violence", ("打人", "殴打", "斗殴", "持刀", "暴力", "伤人")),
    ("blocking_roads", ("堵路", "拦路", "堵塞交通", "阻断交通", "拦截车辆", "封路")),
)
_PEOPLE_RE: Final = re.compile(r"(\d{1,5})\s*(?:余|多)?\s*(?:名|个|位)?\s*(?:人|工人|农民工|劳动者|员工)")


def valid_person(caller: Caller | None) -> dict[str, str]:
    """The caller's fields that pass their checks (a bad one is left out, not refused)."""
    if caller is None:
        return {}
    person: dict[str, str] = {}
    if caller.name:
        person["name"] = caller.name
    for field, check in (("id_number", validate_id_number), ("phone", validate_phone)):
        raw = getattr(caller, field)
        if raw:
            try:
                person[field] = check(raw)
            except IdentifierError:
                continue
    return person


def issues_in(text: str) -> list[str]:
    found = [code for code, words in ISSUE_WORDS if any(w in text for w in words)]
    return found or ["other"]


def emergency_in(text: str, urgency: str, location: str | None) -> dict[str, Any] | None:
    if urgency not in ("urgent", "critical"):
        return None
    indicators = [code for code, words in EMERGENCY_WORDS if any(w in text for w in words)]
    if not indicators:
        return None
    counts = [int(m.group(1)) for m in _PEOPLE_RE.finditer(text)]
    return {"indicators": indicators, "people": max(counts) if counts else None, "location": location}


def employer(respondent: Respondent | None, district_code: str | None) -> tuple[dict[str, Any], list[str]]:
    """The employer block, and notes on what could not be used as given."""
    notes: list[str] = []
    result: dict[str, Any] = {"district_code": district_code}
    if respondent is not None:
        result["name"] = respondent.name or None
        result["address"] = respondent.address or None
        if respondent.uscc:
            try:
                result["uscc"] = validate_uscc(respondent.uscc)
            except IdentifierError as exc:
                notes.append(f"来件所附统一社会信用代码 {respondent.uscc} 未通过校验（{exc.message}）")
    return {k: v for k, v in result.items() if v is not None}, notes


def case_body(
    *,
    category: str,
    channel: str,
    received_at: datetime,
    caller: Caller | None,
    respondent: Respondent | None,
    region_code: str | None,
    content: str,
    urgency: str,
    external_ref: dict[str, str],
    header: str,
) -> dict[str, Any]:
    """The case for a complaint or report matter from 12345 or 110."""
    person = valid_person(caller)
    confidential = caller is not None and caller.confidential
    complete = {"name", "id_number", "phone"} <= person.keys()
    kind = "complaint" if category == "complaint" and complete else "report"
    employer_block, notes = employer(respondent, region_code)
    if category == "complaint" and kind == "report":
        notes.append("来电人身份信息不全（姓名、有效身份证号、电话），按举报登记")
    if confidential:
        notes.append("来电人要求对其个人信息保密")
    if urgency != "normal":
        notes.append("紧急程度：" + {"urgent": "紧急", "critical": "特急"}[urgency])
    description = "\n".join([f"【{header}】", content, *(f"（{n}）" for n in notes)])
    body: dict[str, Any] = {
        "kind": kind,
        "channel": channel,
        "received_at": received_at.isoformat(),
        "employer": employer_block,
        "issues": issues_in(content),
        "description": description[:10000],
        "external_ref": external_ref,
    }
    if person:
        body["complainant"] = person
    elif kind == "report":
        body["anonymous"] = True
    emergency = emergency_in(content, urgency, employer_block.get("address"))
    if emergency is not None:
        body["emergency"] = {k: v for k, v in emergency.items() if v is not None}
    return body
