from typing import Any

from fastapi import APIRouter, Depends

from shared.auth import require_identity
from wages.alert.router import router as alert_router
from wages.employer.router import router as employer_router
from wages.ledger.router import router as ledger_router
from wages.minwage.router import router as minwage_router
from wages.report.router import router as report_router

# Every business route requires the gateway's identity token.
dependencies: list[Any] = [Depends(require_identity)]

# Matched in this order (shared.app): payroll ledgers, the feeds' bulk traffic, first.
routers: list[APIRouter] = [ledger_router, employer_router, minwage_router, alert_router, report_router]
