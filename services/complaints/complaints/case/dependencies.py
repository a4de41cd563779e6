from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from complaints.case.deadlines import Clock
from complaints.case.intake import Filing, KeyTaken
from shared.batching import GroupCommit
from shared.db import Database


# async: FastAPI runs a plain ``def`` dependency in a worker thread, a hop per request.
async def get_clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


@dataclass(frozen=True, slots=True)
class Intake:
    """What filing a case needs, made at startup: one dependency on the intake's hot path."""

    database: Database
    filings: GroupCommit[Filing, str | KeyTaken]
    clock: Clock


async def get_intake(request: Request) -> Intake:
    intake: Intake = request.app.state.intake
    return intake


ClockDep = Annotated[Clock, Depends(get_clock)]
IntakeDep = Annotated[Intake, Depends(get_intake)]
