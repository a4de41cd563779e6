from typing import Any

from fastapi import APIRouter, Depends

from complaints.attachment.router import router as attachment_router
from complaints.case.router import router as case_router
from complaints.inspection.router import router as inspection_router
from complaints.penalty.router import router as penalty_router
from complaints.report.router import router as report_router
from shared.auth import require_identity

# Every business route requires the gateway's identity token.
dependencies: list[Any] = [Depends(require_identity)]

# Matched in this order (shared.app). Filings do not get here (complaints.fastpath).
routers: list[APIRouter] = [
    # Before the case routes: /penalty-guide must not be read as a case id.
    penalty_router,
    # Also before them: /reports/annual is not case "reports".
    report_router,
    case_router,
    attachment_router,
    inspection_router,
]
