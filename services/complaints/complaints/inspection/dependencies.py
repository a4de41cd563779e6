"""Path dependencies: the inspection named in the path, or 404 ``inspection_not_found``."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path

from complaints.inspection import service
from complaints.inspection.models import Inspection
from shared.db import SessionDep


async def existing_inspection(
    session: SessionDep,
    inspection_id: Annotated[str, Path(description="检查记录编号")],
) -> Inspection:
    return await service.get_inspection(session, inspection_id)


ExistingInspection = Annotated[Inspection, Depends(existing_inspection)]
