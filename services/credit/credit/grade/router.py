from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse

from credit.config import CreditSettings
from credit.grade import repository, service
from credit.grade.schemas import (
    FIRST_YEAR,
    EvaluationIn,
    EvaluationOut,
    GradeLetter,
    GradeListItem,
    GradeOut,
    OverrideIn,
)
from credit.idempotency import OnceDep
from shared.auth import IdentityDep, require_scopes
from shared.db import SessionDep
from shared.identifiers import USCC, DistrictCode
from shared.pagination import Page, PageParamsDep

router = APIRouter(prefix="/api/v1/credit", tags=["credit-grades"])


async def _settings(request: Request) -> CreditSettings:
    settings: CreditSettings = request.app.state.settings
    return settings


SettingsDep = Annotated[CreditSettings, Depends(_settings)]


@router.post(
    "/grades/evaluations",
    summary="年度守法诚信等级评价（A/B/C）",
    dependencies=[require_scopes("credit:manage")],
)
async def evaluate(
    payload: EvaluationIn, session: SessionDep, identity: IdentityDep, settings: SettingsDep
) -> EvaluationOut:
    return await service.evaluate(session, identity, payload, settings=settings)


@router.post(
    "/subjects/{uscc}/grades/{year}/override",
    summary="人工调整等级（须说明理由）",
    status_code=201,
    response_model=GradeOut,
    dependencies=[require_scopes("credit:manage")],
)
async def override(
    uscc: Annotated[USCC, Path(description="统一社会信用代码")],
    year: Annotated[int, Path(ge=FIRST_YEAR, le=2100, description="评价年度")],
    payload: OverrideIn,
    session: SessionDep,
    identity: IdentityDep,
    settings: SettingsDep,
    once: OnceDep,
) -> JSONResponse:
    return await once.created(
        lambda: service.override(session, identity, uscc, year, payload, settings=settings),
        payload={"uscc": uscc, "year": year, **payload.model_dump(mode="json")},
    )


@router.get("/grades", summary="现行等级列表", dependencies=[require_scopes("credit:manage")])
async def list_grades(
    session: SessionDep,
    page: PageParamsDep,
    year: Annotated[int | None, Query(ge=FIRST_YEAR, le=2100)] = None,
    grade: Annotated[GradeLetter | None, Query()] = None,
    district_code: Annotated[DistrictCode | None, Query()] = None,
) -> Page[GradeListItem]:
    where = repository.GradeFilter(year=year, grade=grade, district_code=district_code)
    return await service.list_grades(session, page, where)
