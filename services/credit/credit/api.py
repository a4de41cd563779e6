from fastapi import APIRouter, Depends

from credit.subject.router import router as subject_router
from shared.auth import require_identity

# Every business route requires the gateway's identity token.
api_router = APIRouter(dependencies=[Depends(require_identity)])
api_router.include_router(subject_router)
