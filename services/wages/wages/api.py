from fastapi import APIRouter, Depends

from shared.auth import require_identity
from wages.employer.router import router as employer_router

# Every business route requires the gateway's identity token.
api_router = APIRouter(dependencies=[Depends(require_identity)])
api_router.include_router(employer_router)
