"""Penalty guide service: request in, guide out. No database: the rules are pure data."""

from __future__ import annotations

from complaints.config import CrimeThresholds
from complaints.penalty import rules
from complaints.penalty.schemas import PenaltyGuide, PenaltyGuideRequest, ViolationCatalogue, ViolationOut


def penalty_guide(request: PenaltyGuideRequest, *, thresholds: CrimeThresholds) -> PenaltyGuide:
    facts = rules.Facts(**request.facts.model_dump())
    guide = rules.evaluate(request.violation, facts, thresholds=thresholds)
    return PenaltyGuide.model_validate(guide, from_attributes=True)


def violation_catalogue() -> ViolationCatalogue:
    return ViolationCatalogue(
        items=[ViolationOut.model_validate(info, from_attributes=True) for info in rules.catalogue()]
    )
