"""The case state machine (domain.md §2.6), written once: which action is allowed in which
state, and where it leads. Everything else asks this module."""

from __future__ import annotations

from typing import Final

from shared.errors import InvalidTransition

# States
RECEIVED: Final = "received"  # 登记：投诉待受理审查 / 举报待核查
SUPPLEMENT_REQUESTED: Final = "supplement_requested"  # 补正中（受理时限暂停）
NOT_ACCEPTED: Final = "not_accepted"  # 不予受理
REDIRECTED: Final = "redirected"  # 告知向有权机关/仲裁等途径
FILED: Final = "filed"  # 立案
INVESTIGATING: Final = "investigating"  # 调查中
RECTIFICATION_ORDERED: Final = "rectification_ordered"  # 已责令改正
PENALTY_NOTIFIED: Final = "penalty_notified"  # 已行政处罚告知（陈述申辩、听证）
PENALIZED: Final = "penalized"  # 已作出行政处罚决定
TRANSFERRED_POLICE: Final = "transferred_police"  # 移送公安（涉嫌拒不支付劳动报酬罪）
TRANSFERRED_DEPARTMENT: Final = "transferred_department"  # 移送有关部门
REVOKED: Final = "revoked"  # 撤销立案
MERGED: Final = "merged"  # 已并案
CLOSED: Final = "closed"  # 结案

STATUS_LABELS: Final[dict[str, str]] = {
    RECEIVED: "已登记",
    SUPPLEMENT_REQUESTED: "待补正",
    NOT_ACCEPTED: "不予受理",
    REDIRECTED: "已告知其他途径",
    FILED: "已立案",
    INVESTIGATING: "调查中",
    RECTIFICATION_ORDERED: "已责令改正",
    PENALTY_NOTIFIED: "已处罚告知",
    PENALIZED: "已处罚",
    TRANSFERRED_POLICE: "已移送公安",
    TRANSFERRED_DEPARTMENT: "已移送有关部门",
    REVOKED: "已撤销立案",
    MERGED: "已并案",
    CLOSED: "已结案",
}
TERMINAL: Final = frozenset({NOT_ACCEPTED, REDIRECTED, MERGED, CLOSED})
# States whose running deadline is acceptance, and those where investigation runs.
ACCEPTANCE_STATES: Final = frozenset({RECEIVED})
INVESTIGATION_STATES: Final = frozenset({FILED, INVESTIGATING, RECTIFICATION_ORDERED, PENALTY_NOTIFIED})
OPEN_STATES: Final = frozenset(STATUS_LABELS) - TERMINAL

# Actions that keep the state they are taken in.
_STAY: Final = object()

_ANYWHERE_OPEN = {"assign": _STAY, "add_note": _STAY}
TRANSITIONS: Final[dict[str, dict[str, object]]] = {
    RECEIVED: {
        **_ANYWHERE_OPEN,
        "accept": FILED,
        "reject": NOT_ACCEPTED,
        "request_supplement": SUPPLEMENT_REQUESTED,
        "redirect": REDIRECTED,
        "transfer_department": TRANSFERRED_DEPARTMENT,
        "transfer_police": TRANSFERRED_POLICE,
        "merge": MERGED,
    },
    SUPPLEMENT_REQUESTED: {
        **_ANYWHERE_OPEN,
        "supplement_received": RECEIVED,
        "reject": NOT_ACCEPTED,
        "redirect": REDIRECTED,
        "merge": MERGED,
    },
    FILED: {
        **_ANYWHERE_OPEN,
        "start_investigation": INVESTIGATING,
        "extend": _STAY,
        "order_rectification": RECTIFICATION_ORDERED,
        "record_payment": _STAY,
        "revoke": REVOKED,
        "transfer_police": TRANSFERRED_POLICE,
        "transfer_department": TRANSFERRED_DEPARTMENT,
        "merge": MERGED,
    },
    INVESTIGATING: {
        **_ANYWHERE_OPEN,
        "extend": _STAY,
        "order_rectification": RECTIFICATION_ORDERED,
        "record_payment": _STAY,
        "notify_penalty": PENALTY_NOTIFIED,
        "penalize": PENALIZED,
        "revoke": REVOKED,
        "transfer_police": TRANSFERRED_POLICE,
        "transfer_department": TRANSFERRED_DEPARTMENT,
        "merge": MERGED,
        "close": CLOSED,
    },
    RECTIFICATION_ORDERED: {
        **_ANYWHERE_OPEN,
        "extend": _STAY,
        "record_payment": _STAY,
        "notify_penalty": PENALTY_NOTIFIED,
        "penalize": PENALIZED,
        "revoke": REVOKED,
        "transfer_police": TRANSFERRED_POLICE,
        "close": CLOSED,
    },
    PENALTY_NOTIFIED: {
        **_ANYWHERE_OPEN,
        "extend": _STAY,
        "record_payment": _STAY,
        "penalize": PENALIZED,
        "revoke": REVOKED,
        "transfer_police": TRANSFERRED_POLICE,
        "close": CLOSED,
    },
    PENALIZED: {
        **_ANYWHERE_OPEN,
        "record_payment": _STAY,
        "record_fine_payment": _STAY,
        "transfer_police": TRANSFERRED_POLICE,
        "close": CLOSED,
    },
    TRANSFERRED_POLICE: {**_ANYWHERE_OPEN, "record_payment": _STAY, "close": CLOSED},
    TRANSFERRED_DEPARTMENT: {**_ANYWHERE_OPEN, "close": CLOSED},
    REVOKED: {**_ANYWHERE_OPEN, "close": CLOSED},
    NOT_ACCEPTED: {},
    REDIRECTED: {},
    MERGED: {},
    # After 结案 the complainant is still owed the result (保障农民工工资支付条例 art. 10 ¶3).
    CLOSED: {"notify_result": _STAY},
}
ACTIONS: Final = frozenset(a for moves in TRANSITIONS.values() for a in moves)


def allowed_actions(state: str) -> list[str]:
    return sorted(TRANSITIONS[state])


def next_state(state: str, action: str) -> str:
    """The state ``action`` leads to from ``state``, or 409 listing what is allowed."""
    target = TRANSITIONS[state].get(action)
    if target is None:
        label = STATUS_LABELS[state]
        raise InvalidTransition(
            f"案件当前状态为“{label}”，不能执行“{action}”", state=state, allowed=allowed_actions(state)
        )
    return state if target is _STAY else str(target)
