from typing import Annotated

from fastapi import APIRouter, Path

from credit.subject import service
from credit.subject.schemas import SubjectFile
from shared.auth import require_scopes
from shared.db import SessionDep
from shared.identifiers import USCC

router = APIRouter(prefix="/api/v1/credit", tags=["credit"])


@router.get(
    "/subjects/{uscc}",
    summary="单位守法诚信档案",
    dependencies=[require_scopes("credit:check", "credit:manage")],
)
async def get_subject_file(
    session: SessionDep, uscc: Annotated[USCC, Path(description="统一社会信用代码")]
) -> SubjectFile:
    return SubjectFile.model_validate(await service.get_subject_file(session, uscc))
