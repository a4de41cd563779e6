from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from credit.idempotency import OnceDep
from credit.listing import repository, service
from credit.listing.actions import ActionEnvelope
from credit.listing.dependencies import CalendarDep, SettingsDep
from credit.listing.schemas import FeedPage, ListingCreate, ListingDetail, ListingSummaryOut, ListType
from shared.auth import IdentityDep, require_scopes
from shared.db import SessionDep
from shared.identifiers import USCC
from shared.pagination import Page, PageParamsDep

router = APIRouter(prefix="/api/v1/credit", tags=["credit"])
_MANAGE = require_scopes("credit:manage")


@router.post(
    "/listings",
    summary="拟列入名单（失信联合惩戒名单、重点关注名单、红名单）",
    status_code=201,
    response_model=ListingDetail,
    dependencies=[_MANAGE],
)
async def propose(
    payload: ListingCreate,
    session: SessionDep,
    identity: IdentityDep,
    settings: SettingsDep,
    calendar: CalendarDep,
    once: OnceDep,
) -> JSONResponse:
    return await once.created(
        lambda: service.propose(session, identity, payload, settings=settings, calendar=calendar),
        payload=payload.model_dump(mode="json"),
    )


@router.get("/listings", summary="名单记录列表", dependencies=[_MANAGE])
async def list_listings(
    session: SessionDep,
    page: PageParamsDep,
    list_type: ListType | None = None,
    status: Annotated[str | None, Query(max_length=32)] = None,
    uscc: Annotated[USCC | None, Query(description="单位统一社会信用代码")] = None,
) -> Page[ListingSummaryOut]:
    where = repository.ListingFilter(list_type=list_type, status=status, uscc=uscc)
    return await service.list_listings(session, page, where)


@router.get("/listings/{listing_id}", summary="名单记录详情（含程序记录）", dependencies=[_MANAGE])
async def get_listing(
    listing_id: str, session: SessionDep, settings: SettingsDep, calendar: CalendarDep
) -> ListingDetail:
    return await service.get_listing(session, listing_id, settings=settings, calendar=calendar)


@router.post(
    "/listings/{listing_id}/actions",
    summary="名单程序操作（告知、陈述申辩、复核、决定、公开、提前移出、期满、撤销、撤回）",
    dependencies=[_MANAGE],
)
async def act(
    listing_id: str,
    envelope: ActionEnvelope,
    session: SessionDep,
    identity: IdentityDep,
    settings: SettingsDep,
    calendar: CalendarDep,
) -> ListingDetail:
    return await service.act(session, identity, listing_id, envelope, settings=settings, calendar=calendar)


@router.get(
    "/feed",
    summary="名单变更订阅（供信用信息共享平台增量同步）",
    dependencies=[require_scopes("credit:check", "credit:manage")],
)
async def feed(
    session: SessionDep,
    since: Annotated[int, Query(ge=0, description="上次收到的最后一个 seq；首次为 0")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000, description="每次最多条数（1–1000）")] = 100,
) -> FeedPage:
    return await service.read_feed(session, since, limit)
