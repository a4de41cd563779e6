from typing import Any

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
dependencies: list[Any] = [Depends(require_identity)]

# Matched in this order (shared.app): the joint-punishment check, called inside other
# systems' request paths, first. /api/v1/public takes the gateway's anonymous identity, no scope.
routers: list[APIRouter] = [
    check_router,
    subject_router,
    listing_router,
    disclosure_router,
    public_router,
    grade_router,
    report_router,
]
