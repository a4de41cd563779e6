from typing import Annotated

from fastapi import Depends, Request

from complaints.case.deadlines import Clock


# async: FastAPI runs a plain ``def`` dependency in a worker thread, a hop per request.
async def get_clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


ClockDep = Annotated[Clock, Depends(get_clock)]
