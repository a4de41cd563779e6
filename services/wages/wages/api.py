from fastapi import APIRouter, Depends

from shared.auth import require_identity
from wages.alert.router import router as alert_router
from wages.employer.router import router as employer_router
from wages.ledger.router import router as ledger_router
from wages.minwage.router import router as minwage_router
from wages.report.router import router as report_router

# Every business route requires the gateway's identity token.
api_router = APIRouter(dependencies=[Depends(require_identity)])
api_router.include_router(employer_router)
api_router.include_router(ledger_router)
api_router.include_router(minwage_router)
api_router.include_router(alert_router)
api_router.include_router(report_router)
