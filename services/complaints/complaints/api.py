from fastapi import APIRouter, Depends

from complaints.attachment.router import router as attachment_router
from complaints.case.router import router as case_router
from complaints.inspection.router import router as inspection_router
from complaints.penalty.router import router as penalty_router
from complaints.report.router import router as report_router
from shared.auth import require_identity

# Every business route requires the gateway's identity token.
api_router = APIRouter(dependencies=[Depends(require_identity)])
api_router.include_router(inspection_router)
# Before the case routes: /penalty-guide must not be read as a case id.
api_router.include_router(penalty_router)
# Also before them: /reports/annual is not case "reports".
api_router.include_router(report_router)
api_router.include_router(case_router)
api_router.include_router(attachment_router)
