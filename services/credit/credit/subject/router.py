"""The compliance file, the event intake and officer-recorded violations.

Creating POSTs take ``Idempotency-Key`` (contract): a retry with the key gets the first status
and body. The internal event intake deduplicates on the event id instead.
"""

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse

from credit.idempotency import OnceDep
from credit.subject import intake, service, violations
from credit.subject.schemas import (
    EventAck,
    EventIn,
    PersonFile,
    SubjectFile,
    SubjectUpsert,
    ViolationCorrection,
    ViolationIn,
    ViolationOut,
)
from shared.auth import IdentityDep, require_scopes
from shared.db import SessionDep
from shared.identifiers import USCC, IdNumber

router = APIRouter(prefix="/api/v1/credit", tags=["credit"])


@router.post(
    "/events",
    summary="接收服务事件（内部）",
    status_code=202,
    response_model=EventAck,
    responses={200: {"model": EventAck, "description": "重复投递，已忽略"}},
    dependencies=[require_scopes("internal")],
)
async def receive_event(event: EventIn, session: SessionDep, identity: IdentityDep) -> JSONResponse:
    status, ack = await intake.receive(session, identity, event)
    return JSONResponse(ack.model_dump(), status_code=status)


@router.get(
    "/subjects/{uscc}",
    summary="单位守法诚信档案",
    dependencies=[require_scopes("credit:check", "credit:manage")],
)
async def get_subject_file(
    session: SessionDep,
    identity: IdentityDep,
    uscc: Annotated[USCC, Path(description="统一社会信用代码")],
    include_superseded: Annotated[bool, Query(description="同时列出已被更正的违法记录")] = False,
) -> SubjectFile:
    return await service.get_subject_file(session, identity, uscc, include_superseded=include_superseded)


@router.post(
    "/subjects",
    summary="登记或更新用人单位及其相关人员",
    status_code=201,
    response_model=SubjectFile,
    responses={200: {"model": SubjectFile, "description": "单位已存在，已更新"}},
    dependencies=[require_scopes("credit:manage")],
)
async def register_subject(
    payload: SubjectUpsert,
    session: SessionDep,
    identity: IdentityDep,
    once: OnceDep,
) -> JSONResponse:
    async def register() -> tuple[int, SubjectFile]:
        created, file = await service.register(session, identity, payload)
        return 201 if created else 200, file

    return await once.answer(register, payload=payload.model_dump(mode="json"))


@router.get(
    "/persons/{id_number}",
    summary="人员守法诚信档案",
    dependencies=[require_scopes("credit:manage")],
)
async def get_person_file(
    session: SessionDep, id_number: Annotated[IdNumber, Path(description="居民身份证号码")]
) -> PersonFile:
    return await service.get_person_file(session, id_number)


@router.post(
    "/violations",
    summary="录入违法记录",
    status_code=201,
    response_model=ViolationOut,
    dependencies=[require_scopes("credit:manage")],
)
async def record_violation(
    payload: ViolationIn,
    session: SessionDep,
    identity: IdentityDep,
    once: OnceDep,
) -> JSONResponse:
    return await once.created(
        lambda: violations.record(session, identity, payload), payload=payload.model_dump(mode="json")
    )


@router.post(
    "/violations/{violation_id}/corrections",
    summary="更正违法记录（原记录保留并标记为已更正）",
    status_code=201,
    response_model=ViolationOut,
    dependencies=[require_scopes("credit:manage")],
)
async def correct_violation(
    violation_id: Annotated[str, Path(max_length=36)],
    payload: ViolationCorrection,
    session: SessionDep,
    identity: IdentityDep,
    once: OnceDep,
) -> JSONResponse:
    return await once.created(
        lambda: violations.correct(session, identity, violation_id, payload),
        payload={"violation_id": violation_id, **payload.model_dump(mode="json")},
    )
