"""The alert state machine, written once: which action is allowed in which state, and where it
leads. open → acknowledged → resolved | escalated; open → escalated. Everything else asks here."""

from __future__ import annotations

from typing import Final

from shared.errors import InvalidTransition

OPEN: Final = "open"  # 待处理
ACKNOWLEDGED: Final = "acknowledged"  # 已确认，核查中
RESOLVED: Final = "resolved"  # 已消除
ESCALATED: Final = "escalated"  # 已上报，转案件办理

STATUS_LABELS: Final[dict[str, str]] = {
    OPEN: "待处理",
    ACKNOWLEDGED: "已确认",
    RESOLVED: "已消除",
    ESCALATED: "已上报",
}
ACTION_LABELS: Final[dict[str, str]] = {
    "acknowledge": "确认",
    "resolve": "消除",
    "escalate": "上报",
}

TRANSITIONS: Final[dict[str, dict[str, str]]] = {
    OPEN: {"acknowledge": ACKNOWLEDGED, "escalate": ESCALATED},
    ACKNOWLEDGED: {"resolve": RESOLVED, "escalate": ESCALATED},
    RESOLVED: {},
    ESCALATED: {},
}
ACTIONS: Final = frozenset(action for moves in TRANSITIONS.values() for action in moves)
# Actions that need evidence of what was found or done.
NEEDS_EVIDENCE: Final = frozenset({"resolve"})
# Actions after which a case is wanted in the complaints service.
OPENS_CASE: Final = frozenset({"escalate"})


def allowed_actions(state: str) -> list[str]:
    return sorted(TRANSITIONS[state])


def next_state(state: str, action: str) -> str:
    """The state ``action`` leads to from ``state``, or 409 listing what is allowed."""
    target = TRANSITIONS[state].get(action)
    if target is None:
        label = ACTION_LABELS.get(action, action)
        raise InvalidTransition(
            f"预警当前状态为“{STATUS_LABELS[state]}”，不能执行“{label}”",
            state=state,
            allowed=allowed_actions(state),
        )
    return target
