"""The grade function of 人社部规〔2016〕1号 art. 7 (domain.md §4.2), free of I/O.

``grade = C if any C criterion else B if punished at least once else A``, over the
violations in the evaluation window that have not been superseded by a correction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

# Flags an officer may set on a violation (the event intake derives child_labor from issues).
FLAGS: Final = (
    "group_incident",
    "extreme_incident",
    "serious_impact",
    "child_labor",
    "forced_labor",
    "refused_order",
    "obstructed_inspection",
    "criminal_liability",
)


@dataclass(frozen=True, slots=True)
class Criterion:
    code: str
    label: str
    flags: tuple[str, ...]
    # Art. 7 item 3 speaks of being 查处 (investigated and punished) for child or forced labour;
    # the other flag criteria describe conduct and count whether or not a penalty followed.
    needs_punished: bool


# Art. 7, C items 2-6; item 1 (查处三次以上) is counted, not flagged.
FLAG_CRITERIA: Final = (
    Criterion(
        "incident",
        "因劳动保障违法行为引发群体性事件、极端事件或造成严重不良社会影响",
        ("group_incident", "extreme_incident", "serious_impact"),
        needs_punished=False,
    ),
    Criterion(
        "child_or_forced_labor",
        "因使用童工、强迫劳动等严重劳动保障违法行为被查处",
        ("child_labor", "forced_labor"),
        needs_punished=True,
    ),
    Criterion(
        "refused_order",
        "拒不履行劳动保障监察限期整改指令、行政处理决定或者行政处罚决定",
        ("refused_order",),
        needs_punished=False,
    ),
    Criterion(
        "obstructed_inspection",
        "无理抗拒、阻挠实施劳动保障监察",
        ("obstructed_inspection",),
        needs_punished=False,
    ),
    Criterion(
        "criminal_liability",
        "因劳动保障违法行为被追究刑事责任",
        ("criminal_liability",),
        needs_punished=False,
    ),
)
REPEATED_CODE: Final = "punished_repeatedly"
PUNISHED_CODE: Final = "punished"


@dataclass(frozen=True, slots=True)
class Tally:
    """One employer's counts in the window, as the aggregate query returns them."""

    punished: int = 0  # distinct matters punished (a case counts once, whatever its stages)
    criteria: frozenset[str] = frozenset()  # codes of FLAG_CRITERIA met


@dataclass(frozen=True, slots=True)
class Evidence:
    """One violation in the window, for the reasons."""

    id: str
    punished: bool
    flags: Sequence[str]


@dataclass(slots=True)
class Result:
    grade: str
    reasons: list[dict[str, Any]] = field(default_factory=list)


def decide(tally: Tally, evidence: Iterable[Evidence], *, c_min_punished: int) -> Result:
    """The grade and the reasons for it: each criterion met, with the violation ids behind it."""
    rows = sorted(evidence, key=lambda e: e.id)
    punished_ids = [e.id for e in rows if e.punished]
    reasons: list[dict[str, Any]] = []
    if tally.punished >= c_min_punished:
        reasons.append(
            {
                "criterion": REPEATED_CODE,
                "grade": "C",
                "label": (
                    f"评价期内因劳动保障违法行为被查处{tally.punished}次"
                    f"（{c_min_punished}次以上含本数即评为C级）"
                ),
                "count": tally.punished,
                "threshold": c_min_punished,
                "violation_ids": punished_ids,
            }
        )
    for criterion in FLAG_CRITERIA:
        if criterion.code not in tally.criteria:
            continue
        ids = [
            e.id
            for e in rows
            if (e.punished or not criterion.needs_punished) and set(e.flags) & set(criterion.flags)
        ]
        reasons.append(
            {"criterion": criterion.code, "grade": "C", "label": criterion.label, "violation_ids": ids}
        )
    if reasons:
        return Result("C", reasons)
    if tally.punished >= 1:
        reasons.append(
            {
                "criterion": PUNISHED_CODE,
                "grade": "B",
                "label": f"评价期内因劳动保障违法行为被查处{tally.punished}次",
                "count": tally.punished,
                "violation_ids": punished_ids,
            }
        )
        return Result("B", reasons)
    return Result("A", [])


def same_reasons(old: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]]) -> bool:
    return [dict(r) for r in old] == [dict(r) for r in new]
