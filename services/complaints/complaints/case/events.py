"""Outbox events of the case domain. A reporter's (举报人) identity never enters an event."""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from complaints.case.models import Case
from complaints.outbox.models import OutboxEvent
from shared.outbox import new_event


class CaseFacts(Protocol):
    """What an event says of a case: a ``Case`` or a row returned by ``UPDATE ... RETURNING``."""

    @property
    def id(self) -> str: ...
    @property
    def case_no(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def channel(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def external_system(self) -> str | None: ...
    @property
    def external_id(self) -> str | None: ...
    @property
    def employer_name(self) -> str | None: ...
    @property
    def employer_uscc(self) -> str | None: ...
    @property
    def district_code(self) -> str | None: ...
    @property
    def industry_code(self) -> str | None: ...


def case_ref(case: CaseFacts) -> dict[str, Any]:
    return {
        "case_id": case.id,
        "case_no": case.case_no,
        "kind": case.kind,
        "channel": case.channel,
        "status": case.status,
        "external_ref": (
            {"system": case.external_system, "id": case.external_id} if case.external_system else None
        ),
        "employer": {
            "name": case.employer_name,
            "uscc": case.employer_uscc,
            "district_code": case.district_code,
            "industry_code": case.industry_code,
        },
    }


def emit(session: AsyncSession, event_type: str, case: Case, **data: Any) -> None:
    session.add(new_event(OutboxEvent, event_type, case.id, {**case_ref(case), **data}))
