from fastapi import APIRouter
from fastapi.responses import JSONResponse

from credit.disclosure import service
from credit.disclosure.schemas import BatchCreate, BatchOut
from credit.idempotency import OnceDep
from credit.listing.dependencies import SettingsDep
from shared.auth import IdentityDep, require_scopes
from shared.db import SessionDep

router = APIRouter(prefix="/api/v1/credit/disclosures", tags=["credit"])
_MANAGE = require_scopes("credit:manage")


@router.post(
    "/batches",
    summary="编制季度重大违法行为公布批次（草稿）",
    status_code=201,
    response_model=BatchOut,
    dependencies=[_MANAGE],
)
async def create_batch(
    payload: BatchCreate,
    session: SessionDep,
    identity: IdentityDep,
    settings: SettingsDep,
    once: OnceDep,
) -> JSONResponse:
    return await once.created(
        lambda: service.create_batch(session, identity, payload.period, settings=settings),
        payload=payload.model_dump(mode="json"),
    )


@router.get("/batches/{batch_id}", summary="公布批次详情", dependencies=[_MANAGE])
async def get_batch(batch_id: str, session: SessionDep) -> BatchOut:
    return await service.get_batch(session, batch_id)


@router.post("/batches/{batch_id}/publish", summary="公布批次", dependencies=[_MANAGE])
async def publish_batch(batch_id: str, session: SessionDep) -> BatchOut:
    return await service.publish_batch(session, batch_id)
