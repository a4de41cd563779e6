"""The listing state machine (domain.md §4.3), written once: which action is allowed in which
state for which list, and where it leads. Everything else asks this module.

The unit and the persons of one decision move together: an action is checked here once per
decision and applied to each of its listings.
"""

from __future__ import annotations

from typing import Final

from shared.errors import InvalidTransition

# List types
BLACKLIST: Final = "blacklist"  # 拖欠农民工工资失信联合惩戒对象名单（令45）
WATCH: Final = "watch"  # 重点关注名单 [M]
RED: Final = "red"  # 红名单 [M]
LIST_TYPES: Final = (BLACKLIST, WATCH, RED)
LIST_LABELS: Final[dict[str, str]] = {
    BLACKLIST: "拖欠农民工工资失信联合惩戒对象名单",
    WATCH: "重点关注名单",
    RED: "红名单",
}

# States
CANDIDATE: Final = "candidate"  # 拟列入
NOTIFIED: Final = "notified"  # 已告知（陈述申辩期间）
UNDER_REVIEW: Final = "under_review"  # 陈述申辩复核中
LISTED: Final = "listed"  # 已作出列入决定
PUBLISHED: Final = "published"  # 已公开
REMOVAL_REQUESTED: Final = "removal_requested"  # 已申请提前移出
REMOVED_EARLY: Final = "removed_early"  # 已提前移出
EXPIRED: Final = "expired"  # 期满移出
REVOKED: Final = "revoked"  # 已撤销
WITHDRAWN: Final = "withdrawn"  # 不予列入（程序终止）

STATUS_LABELS: Final[dict[str, str]] = {
    CANDIDATE: "拟列入",
    NOTIFIED: "已告知",
    UNDER_REVIEW: "陈述申辩复核中",
    LISTED: "已列入",
    PUBLISHED: "已公开",
    REMOVAL_REQUESTED: "已申请提前移出",
    REMOVED_EARLY: "已提前移出",
    EXPIRED: "期满移出",
    REVOKED: "已撤销",
    WITHDRAWN: "不予列入",
}
# A decision is in force in these states (the check restricts; the expiry scan looks here).
RESTRICTING: Final = frozenset({LISTED, PUBLISHED, REMOVAL_REQUESTED})
# States a decision has reached: the feed and the as_of check know about these.
DECIDED: Final = RESTRICTING | {REMOVED_EARLY, EXPIRED, REVOKED}
PRE_DECISION: Final = frozenset({CANDIDATE, NOTIFIED, UNDER_REVIEW})
TERMINAL: Final = frozenset({REMOVED_EARLY, EXPIRED, REVOKED, WITHDRAWN})

# "Back to listed or published, whichever it was": resolved from the listing's publication.
_RESUME: Final = "<resume>"

# The blacklist procedure of 令45: notice (告知) and 陈述申辩 before any decision.
_BLACKLIST: Final[dict[str, dict[str, str]]] = {
    CANDIDATE: {"notify": NOTIFIED, "withdraw": WITHDRAWN},
    NOTIFIED: {"record_statement": UNDER_REVIEW, "decide": LISTED, "withdraw": WITHDRAWN},
    UNDER_REVIEW: {"review": UNDER_REVIEW, "decide": LISTED, "withdraw": WITHDRAWN},
    LISTED: {
        "publish": PUBLISHED,
        "request_early_removal": REMOVAL_REQUESTED,
        "expire": EXPIRED,
        "revoke": REVOKED,
    },
    PUBLISHED: {"request_early_removal": REMOVAL_REQUESTED, "expire": EXPIRED, "revoke": REVOKED},
    REMOVAL_REQUESTED: {
        "remove_early": REMOVED_EARLY,
        "reject_early_removal": _RESUME,
        "expire": EXPIRED,
        "revoke": REVOKED,
    },
    REMOVED_EARLY: {},
    EXPIRED: {},
    REVOKED: {},
    WITHDRAWN: {},
}


def _derive(
    base: dict[str, dict[str, str]], *, add: dict[str, dict[str, str]], drop: set[str]
) -> dict[str, dict[str, str]]:
    return {
        state: {a: t for a, t in {**moves, **add.get(state, {})}.items() if a not in drop}
        for state, moves in base.items()
    }


# The watch and red lists have no verified procedure [M]: the notice is available but not
# required, so a candidate may be decided at once. Being on the red list is a benefit, so
# there is nothing to apply to leave early.
TRANSITIONS: Final[dict[str, dict[str, dict[str, str]]]] = {
    BLACKLIST: _BLACKLIST,
    WATCH: _derive(_BLACKLIST, add={CANDIDATE: {"decide": LISTED}}, drop=set()),
    RED: _derive(
        _BLACKLIST,
        add={CANDIDATE: {"decide": LISTED}},
        drop={"request_early_removal", "remove_early", "reject_early_removal"},
    ),
}
# Where "expire" is allowed: the automatic expiry scan claims listings in these states.
EXPIRABLE: Final = frozenset(s for s, moves in _BLACKLIST.items() if "expire" in moves)
ACTIONS: Final = frozenset(a for table in TRANSITIONS.values() for moves in table.values() for a in moves)


def allowed_actions(list_type: str, state: str) -> list[str]:
    return sorted(TRANSITIONS[list_type][state])


def next_state(list_type: str, state: str, action: str, *, published: bool) -> str:
    """The state ``action`` leads to from ``state``, or 409 listing what is allowed."""
    target = TRANSITIONS[list_type][state].get(action)
    if target is None:
        raise InvalidTransition(
            f"名单当前状态为“{STATUS_LABELS[state]}”，不能执行“{action}”",
            state=state,
            allowed=allowed_actions(list_type, state),
        )
    if target == _RESUME:
        return PUBLISHED if published else LISTED
    return target
