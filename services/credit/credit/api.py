from fastapi import APIRouter, Depends

from credit.check.router import router as check_router
from credit.disclosure.public import router as public_router
from credit.disclosure.router import router as disclosure_router
from credit.grade.router import router as grade_router
from credit.listing.router import router as listing_router
from credit.report.router import router as report_router
from credit.subject.router import router as subject_router
from shared.auth import require_identity

# Every business route requires the gateway's identity token.
api_router = APIRouter(dependencies=[Depends(require_identity)])
api_router.include_router(subject_router)
api_router.include_router(listing_router)
api_router.include_router(check_router)
api_router.include_router(disclosure_router)
# /api/v1/public: the gateway's anonymous identity, no scope required.
api_router.include_router(public_router)
api_router.include_router(grade_router)
api_router.include_router(report_router)
