from typing import Annotated

from fastapi import APIRouter, Depends, Request

from complaints.config import CrimeThresholds
from complaints.penalty import service
from complaints.penalty.schemas import PenaltyGuide, PenaltyGuideRequest, ViolationCatalogue
from shared.auth import require_scopes

router = APIRouter(prefix="/api/v1/complaints/penalty-guide", tags=["penalty-guide"])


async def _crime_thresholds(request: Request) -> CrimeThresholds:
    # Settings, not constants: Yunnan's figures are unverified [M] (domain.md §2.8).
    thresholds: CrimeThresholds = request.app.state.settings.crime_thresholds
    return thresholds


CrimeThresholdsDep = Annotated[CrimeThresholds, Depends(_crime_thresholds)]


@router.post(
    "",
    summary="处罚裁量参考：按违法行为和事实计算法律后果",
    dependencies=[require_scopes("cases:manage")],
)
async def penalty_guide(body: PenaltyGuideRequest, thresholds: CrimeThresholdsDep) -> PenaltyGuide:
    return service.penalty_guide(body, thresholds=thresholds)


@router.get(
    "/violations",
    summary="处罚裁量参考：违法行为类型及法律依据",
    dependencies=[require_scopes("cases:manage")],
)
async def list_violations() -> ViolationCatalogue:
    return service.violation_catalogue()
