"""The filing's 201 answer is written out by hand (views.case_created): it must be, key for key
and byte for byte, what the CaseCreated model dumps for the same case."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, NamedTuple

import orjson
import pytest

from complaints.case import intake, views
from complaints.case.deadlines import Clock
from complaints.case.schemas import CaseCreate, CaseCreated, DuplicateRef
from complaints.config import ComplaintsSettings
from shared.auth import Identity
from shared.calendar import default_calendar
from tests.complaints.helpers import complaint, report


class Dup(NamedTuple):
    id: str
    case_no: str
    status: str
    received_at: datetime


FILER = Identity("filer", "窗口", frozenset({"complaints:write"}))
MANAGER = Identity("officer", "监察员", frozenset({"cases:manage"}))
TODAY = date(2026, 11, 27)
PLUS8 = timezone(timedelta(hours=8))
DUPLICATES = [
    Dup("d-1", "KM-2026-000002", "received", datetime(2026, 11, 26, 8, 0, 0, 120000, tzinfo=UTC)),
    Dup(
        "d-2", "KM-2026-000001", "accepted", datetime(2026, 11, 25, 9, 0, tzinfo=timezone(timedelta(hours=8)))
    ),
]


def _bodies() -> dict[str, dict[str, Any]]:
    return {
        "complaint": complaint(),
        "report-anonymous": report(),
        "report-named": report(anonymous=False, complainant={"name": "王五", "phone": "13900001111"}),
        "emergency-external": complaint(
            emergency={"indicators": ["group_gathering"], "people": 12, "location": "工地门口"},
            external_ref={"system": "hotline_12345", "id": "T-1"},
            received_at="2026-11-27T01:02:03.456789Z",
        ),
        "sparse": complaint(
            amount_claimed=None,
            workers_affected=None,
            occurred_on=None,
            received_at=None,
            employer={"name": "某某劳务公司"},
        ),
        "odd-amount": complaint(amount_claimed="1234", violation_ended_on="2026-11-01"),
    }


@pytest.mark.parametrize("identity", [FILER, MANAGER], ids=["filer", "manager"])
@pytest.mark.parametrize("name", list(_bodies()))
def test_the_answer_is_what_the_model_dumps(name: str, identity: Identity) -> None:
    settings = ComplaintsSettings()
    clock = Clock(default_calendar(), settings)
    filing = intake.prepare(identity, CaseCreate.model_validate(_bodies()[name]), clock=clock)
    case = filing.case
    case.case_no = "KM-2026-000003"
    case.employer_case_count = 3
    for duplicates in ([], DUPLICATES):
        answer = views.case_created(case, identity, TODAY, duplicates)
        model = CaseCreated(
            **views._case_fields(case, identity, TODAY),
            possible_duplicates=[DuplicateRef(**d._asdict()) for d in duplicates],
        )
        expected = model.model_dump(mode="json")
        assert answer == expected
        # The same keys in the same order: the same bytes on the wire.
        assert orjson.dumps(answer) == orjson.dumps(expected)


def test_a_reporter_is_never_shown_to_a_filer() -> None:
    clock = Clock(default_calendar(), ComplaintsSettings())
    body = report(anonymous=False, complainant={"name": "王五", "phone": "13900001111"})
    case = intake.prepare(FILER, CaseCreate.model_validate(body), clock=clock).case
    case.case_no = "KM-2026-000004"
    assert views.case_created(case, FILER, TODAY, [])["complainant"] is None
    assert views.case_created(case, MANAGER, TODAY, [])["complainant"]["name"] == "王五"


def test_utc_is_written_as_z() -> None:
    plus8 = datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=timezone(timedelta(hours=8)))
    assert views.json_datetimes([datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), plus8]) == [
        "2026-01-02T03:04:05Z",
        "2026-01-02T03:04:05.000006+08:00",
    ]
