"""Payroll ledgers (工资支付台账): JSON and CSV, whole-file validation, versions, the hook."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import Database
from shared.testing.plugin import app_client
from tests.conftest import wages_settings
from tests.wages.test_employers_support import (
    PAYROLLS,
    employer_body,
    employer_uscc,
    ledger,
    line,
    locs,
    reader,
    register,
    submit,
    submit_csv,
    to_csv,
    worker_id,
    writer,
)
from wages.ledger.models import PayrollLedger, PayrollLine
from wages.main import create_app


async def _ledgers(client: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    response = await client.get(PAYROLLS, params=params, headers=reader())
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def line_count(url: str) -> int:
    """Payroll lines stored, every ledger and version."""
    database = Database(url)
    try:
        async with database.sessionmaker() as session:
            return int(await session.scalar(select(func.count()).select_from(PayrollLine)) or 0)
    finally:
        await database.dispose()


async def test_json_ledger_is_stored_with_its_totals(wages_client: httpx.AsyncClient) -> None:
    uscc = employer_uscc(1)
    await register(wages_client, employer_body(1))
    lines = [
        line(1),
        line(2, payable="3800.50", paid="3000", hours=168.5),
        line(3, payable="2500.00", paid="0", paid_on=None, hours=80),
    ]
    created = await submit(wages_client, ledger(uscc, "2026-10", lines))
    assert created | {"id": None, "submitted_at": None} == {
        "id": None,
        "uscc": uscc,
        "period": "2026-10",
        "version": 1,
        "current": True,
        "line_count": 3,
        "total_payable": "10500.50",
        "total_paid": "7200.00",
        "source_format": "json",
        "submitted_by": "payroll-system",
        "submitted_at": None,
    }
    assert [lg["id"] for lg in await _ledgers(wages_client, uscc=uscc, period="2026-10")] == [created["id"]]

    first = await wages_client.get(f"{PAYROLLS}/{created['id']}/lines", params={"limit": 2}, headers=reader())
    assert first.status_code == 200
    page = first.json()
    assert [item["line_no"] for item in page["items"]] == [1, 2]
    assert page["items"][1] | {"id": None} == {
        "id": None,
        "line_no": 2,
        "id_number": worker_id(2)[:4] + "**********" + worker_id(2)[-4:],
        "name": "工人2",
        "payable": "3800.50",
        "paid": "3000.00",
        "paid_on": "2026-11-10",
        "hours": page["items"][1]["hours"],
    }
    assert float(page["items"][1]["hours"]) == 168.5
    rest = await wages_client.get(
        f"{PAYROLLS}/{created['id']}/lines", params={"cursor": page["next_cursor"]}, headers=reader()
    )
    assert [(i["line_no"], i["paid_on"]) for i in rest.json()["items"]] == [(3, None)]
    assert rest.json()["next_cursor"] is None
    missing = await wages_client.get(f"{PAYROLLS}/nope/lines", headers=reader())
    assert missing.status_code == 404 and missing.json()["code"] == "ledger_not_found"


@pytest.mark.parametrize(("bom", "newline"), [(False, "\n"), (True, "\r\n")])
async def test_csv_ledger(wages_client: httpx.AsyncClient, bom: bool, newline: str) -> None:
    uscc = employer_uscc(1)
    await register(wages_client, employer_body(1))
    lines = [line(1), line(2, payable="5000.00", paid="0.00", paid_on=None)]
    created = await submit_csv(wages_client, uscc, "2026-10", to_csv(lines, bom=bom, newline=newline))
    assert (created["source_format"], created["line_count"], created["total_payable"]) == (
        "csv",
        2,
        "9200.00",
    )
    assert created["total_paid"] == "4200.00"


async def test_csv_columns_in_any_order_with_blank_lines(wages_client: httpx.AsyncClient) -> None:
    uscc = employer_uscc(1)
    await register(wages_client, employer_body(1))
    content = (
        "name, ID_NUMBER ,hours,paid_on,paid,payable\n"
        f"工人1,{worker_id(1)},176,2026-11-10,4200.00,4200.00\n"
        "\n"
        f'"工人,2",{worker_id(2)},160.25,,0,3900\n'
    ).encode()
    created = await submit_csv(wages_client, uscc, "2026-10", content)
    assert created["line_count"] == 2
    lines = (await wages_client.get(f"{PAYROLLS}/{created['id']}/lines", headers=reader())).json()["items"]
    assert [(i["line_no"], i["name"], i["payable"]) for i in lines] == [
        (1, "工人1", "4200.00"),
        (2, "工人,2", "3900.00"),
    ]


async def test_every_bad_json_line_is_listed_and_nothing_is_stored(
    wages_client: httpx.AsyncClient, db_urls: dict[str, str]
) -> None:
    uscc = employer_uscc(1)
    await register(wages_client, employer_body(1))
    wrong_check = worker_id(1)[:-1] + ("1" if worker_id(1)[-1] != "1" else "2")
    lines: list[Any] = [
        line(1, id_number=wrong_check),
        line(2),
        line(3, payable=4200.5),
        line(4, paid_on=None),
        line(5, hours="800"),
        line(2, name="同一人"),
        line(6, payable="-1.00", paid="12.345", paid_on="2026-09-30", name=""),
        line(7, paid_on="2026-11-31", hours="abc", phone="13800005678"),
        "not an object",
        line(8),
    ]
    response = await wages_client.post(PAYROLLS, json=ledger(uscc, "2026-10", lines), headers=writer())
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == "validation_failed"
    assert problem["line_count"] == 10
    assert problem["bad_lines"] == 8
    assert locs(problem) == [
        ("lines[0].id_number", "id_number_invalid_checksum"),
        ("lines[2].payable", "money_float_not_allowed"),
        ("lines[3].paid_on", "missing"),
        ("lines[4].hours", "hours_out_of_range"),
        ("lines[5].id_number", "duplicate_id_number"),
        ("lines[6].name", "missing"),
        ("lines[6].payable", "money_negative"),
        ("lines[6].paid", "money_too_many_decimals"),
        ("lines[6].paid_on", "paid_before_period"),
        ("lines[7].phone", "extra_forbidden"),
        ("lines[7].paid_on", "date_parsing"),
        ("lines[7].hours", "hours_invalid"),
        ("lines[8]", "dict_type"),
    ]
    assert [e["line_no"] for e in problem["errors"]] == [1, 3, 4, 5, 6, 7, 7, 7, 7, 8, 8, 8, 9]
    assert "第 2 条" in problem["errors"][4]["message"]
    assert await _ledgers(wages_client) == []
    assert await line_count(db_urls["wages"]) == 0


async def test_every_bad_csv_line_is_listed_by_file_line(wages_client: httpx.AsyncClient) -> None:
    uscc = employer_uscc(1)
    await register(wages_client, employer_body(1))
    content = (
        "id_number,name,payable,paid,paid_on,hours\n"
        f"{worker_id(1)},工人1,4200.00,4200.00,2026-11-10,176\n"
        f"{worker_id(2)},工人2,4200,00,4200.00,2026-11-10,176\n"
        f"{worker_id(3)},工人3,4 200.00,4200.00,2026-11-10,176\n"
        "\n"
        f"{worker_id(1)},工人1,4200.00,4200.00,2030-01-01,176\n"
        f"{worker_id(4)},,4200.00,4200.00,2026/11/10,\n"
    ).encode()
    response = await wages_client.post(
        PAYROLLS,
        params={"uscc": uscc, "period": "2026-10"},
        content=content,
        headers={**writer(), "Content-Type": "text/csv"},
    )
    assert response.status_code == 422, response.text
    problem = response.json()
    assert [(e["loc"], e["code"], e["line_no"]) for e in problem["errors"]] == [
        ("line 3", "csv_field_count", 2),
        ("line 4.payable", "money_invalid", 3),
        ("line 6.id_number", "duplicate_id_number", 4),
        ("line 6.paid_on", "in_future", 4),
        ("line 7.name", "missing", 5),
        ("line 7.paid_on", "date_parsing", 5),
        ("line 7.hours", "missing", 5),
    ]
    assert (problem["line_count"], problem["bad_lines"]) == (5, 4)
    assert await _ledgers(wages_client) == []


async def test_duplicates_within_a_file(wages_client: httpx.AsyncClient) -> None:
    uscc = employer_uscc(1)
    await register(wages_client, employer_body(1))
    lines = [line(1), line(2), line(1, payable="100.00", paid="100.00"), line(1, name="又一次")]
    problem = await submit(wages_client, ledger(uscc, "2026-10", lines), status=422)
    assert locs(problem) == [
        ("lines[2].id_number", "duplicate_id_number"),
        ("lines[3].id_number", "duplicate_id_number"),
    ]
    # The same worker written differently (lower-case x, spaces) is still the same worker.
    x_id = next(worker_id(n) for n in range(2000) if worker_id(n).endswith("X"))
    spaced = f"{x_id[:6]} {x_id[6:14]} {x_id[14:-1]}x"
    problem = await submit(
        wages_client,
        ledger(uscc, "2026-10", [line(1, id_number=x_id), line(2, id_number=spaced)]),
        status=422,
    )
    assert locs(problem) == [("lines[1].id_number", "duplicate_id_number")]


async def test_resubmission_is_a_new_version_and_the_old_one_is_kept(wages_client: httpx.AsyncClient) -> None:
    uscc = employer_uscc(1)
    await register(wages_client, employer_body(1))
    v1 = await submit(wages_client, ledger(uscc, "2026-10", [line(1), line(2)]))
    other = await submit(wages_client, ledger(uscc, "2026-09", [line(1, paid_on="2026-10-09")]))
    v2 = await submit_csv(wages_client, uscc, "2026-10", to_csv([line(1), line(2), line(3)]))
    assert (v1["version"], other["version"], v2["version"]) == (1, 1, 2)
    october = await _ledgers(wages_client, uscc=uscc, period="2026-10")
    assert [(lg["version"], lg["current"], lg["line_count"]) for lg in october] == [
        (2, True, 3),
        (1, False, 2),
    ]
    current = await _ledgers(wages_client, uscc=uscc, current="true")
    assert sorted(lg["period"] for lg in current) == ["2026-09", "2026-10"]
    old_lines = await wages_client.get(f"{PAYROLLS}/{v1['id']}/lines", headers=reader())
    assert len(old_lines.json()["items"]) == 2
    # Paging through the list.
    first = (await wages_client.get(PAYROLLS, params={"limit": 2}, headers=reader())).json()
    rest = (
        await wages_client.get(PAYROLLS, params={"cursor": first["next_cursor"]}, headers=reader())
    ).json()
    assert [lg["id"] for lg in first["items"] + rest["items"]] == [v2["id"], other["id"], v1["id"]]


@pytest.mark.parametrize(
    ("body", "status", "expected"),
    [
        (ledger(employer_uscc(2), "2026-10", [line(1)]), 404, None),
        (ledger(employer_uscc(1), "2099-01", [line(1)]), 422, [("period", "period_in_future")]),
        (ledger(employer_uscc(1), "2026-1", [line(1)]), 422, [("period", "period_invalid")]),
        (ledger(employer_uscc(1), "2026-10", []), 422, [("lines", "too_short")]),
        ({"uscc": employer_uscc(1), "period": "2026-10"}, 422, [("lines", "missing")]),
        (
            {"uscc": "123", "period": "2026-10", "lines": {}},
            422,
            [("uscc", "uscc_invalid_length"), ("lines", "list_type")],
        ),
        (
            {**ledger(employer_uscc(1), "2026-10", [line(1)]), "month": 10},
            422,
            [("month", "extra_forbidden")],
        ),
        ([line(1)], 422, [("body", "dict_type")]),
    ],
)
async def test_envelope_errors(
    wages_client: httpx.AsyncClient, body: Any, status: int, expected: list[tuple[str, str]] | None
) -> None:
    await register(wages_client, employer_body(1))
    response = await wages_client.post(PAYROLLS, json=body, headers=writer())
    assert response.status_code == status, response.text
    if expected is None:
        assert response.json()["code"] == "employer_not_registered"
    else:
        assert locs(response.json()) == expected


async def test_csv_envelope_and_format_errors(wages_client: httpx.AsyncClient) -> None:
    uscc = employer_uscc(1)
    await register(wages_client, employer_body(1))
    headers = {**writer(), "Content-Type": "text/csv"}
    good = to_csv([line(1)])
    no_query = await wages_client.post(PAYROLLS, content=good, headers=headers)
    assert locs(no_query.json()) == [("query.uscc", "missing"), ("query.period", "missing")]
    bad_header = await wages_client.post(
        PAYROLLS, params={"uscc": uscc, "period": "2026-10"}, content=b"id,name\n1,x\n", headers=headers
    )
    assert locs(bad_header.json()) == [("line 1", "csv_header_invalid")]
    assert "缺少列" in bad_header.json()["errors"][0]["message"]
    empty = await wages_client.post(
        PAYROLLS, params={"uscc": uscc, "period": "2026-10"}, content=b"", headers=headers
    )
    assert locs(empty.json()) == [("line 1", "csv_header_missing")]
    header_only = await wages_client.post(
        PAYROLLS, params={"uscc": uscc, "period": "2026-10"}, content=to_csv([]), headers=headers
    )
    assert locs(header_only.json()) == [("body", "too_short")]
    gbk = "id_number,name,payable,paid,paid_on,hours\n" + f"{worker_id(1)},工人,1,1,2026-11-10,1\n"
    not_utf8 = await wages_client.post(
        PAYROLLS, params={"uscc": uscc, "period": "2026-10"}, content=gbk.encode("gbk"), headers=headers
    )
    assert locs(not_utf8.json()) == [("body", "encoding_invalid")]
    broken_json = await wages_client.post(
        PAYROLLS, content=b'{"uscc": ', headers={**writer(), "Content-Type": "application/json"}
    )
    assert locs(broken_json.json()) == [("body", "json_invalid")]


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/xml",
        "multipart/form-data; boundary=x",
        "application/x-www-form-urlencoded",
        "text/csv; charset=gbk",
        None,
    ],
)
async def test_other_content_types_are_refused_415(
    wages_client: httpx.AsyncClient, content_type: str | None
) -> None:
    await register(wages_client, employer_body(1))
    headers = writer()
    if content_type is not None:
        headers["Content-Type"] = content_type
    response = await wages_client.post(
        PAYROLLS,
        params={"uscc": employer_uscc(1), "period": "2026-10"},
        content=to_csv([line(1)]),
        headers=headers,
    )
    assert response.status_code == 415, response.text
    problem = response.json()
    assert problem["code"] == "unsupported_media_type"
    assert problem["allowed_types"] == ["application/json", "text/csv"]


async def test_scopes(wages_client: httpx.AsyncClient) -> None:
    await register(wages_client, employer_body(1))
    response = await wages_client.post(
        PAYROLLS, json=ledger(employer_uscc(1), "2026-10", [line(1)]), headers=reader()
    )
    assert response.status_code == 403


async def test_after_ledger_hooks_run_in_the_same_transaction(db_urls: dict[str, str]) -> None:
    seen: list[tuple[str, int, int]] = []

    async def record(session: AsyncSession, stored: PayrollLedger) -> None:
        # The lines are already written and visible to the hook's session.
        count = await session.scalar(
            select(func.count()).select_from(PayrollLine).where(PayrollLine.ledger_id == stored.id)
        )
        seen.append((stored.period, stored.version, int(count or 0)))

    async def refuse(session: AsyncSession, stored: PayrollLedger) -> None:
        raise RuntimeError("hook failed")

    app = create_app(wages_settings(db_urls["wages"]), configure_logs=False)
    app.state.after_ledger_hooks.append(record)
    async with app_client(app) as client:
        await register(client, employer_body(1))
        await submit(client, ledger(employer_uscc(1), "2026-10", [line(1), line(2)]))
        assert seen == [("2026-10", 1, 2)]
        app.state.after_ledger_hooks.append(refuse)
        failed = await client.post(
            PAYROLLS, json=ledger(employer_uscc(1), "2026-10", [line(1)]), headers=writer()
        )
        assert failed.status_code == 500
        # Rolled back whole: version 1 is still the current one, no version 2.
        october = await _ledgers(client, period="2026-10")
        assert [(lg["version"], lg["current"]) for lg in october] == [(1, True)]
    assert await line_count(db_urls["wages"]) == 2


async def test_a_large_ledger_goes_through_the_bulk_path(
    wages_client: httpx.AsyncClient, db_urls: dict[str, str]
) -> None:
    uscc = employer_uscc(1)
    await register(wages_client, employer_body(1))
    lines = [line(n, payable="3000.01", paid="3000.01") for n in range(12_000)]
    created = await submit(wages_client, ledger(uscc, "2026-10", lines))
    assert created["line_count"] == 12_000
    assert created["total_payable"] == "36000120.00"
    assert await line_count(db_urls["wages"]) == 12_000
    last = await wages_client.get(
        f"{PAYROLLS}/{created['id']}/lines", params={"limit": 500}, headers=reader()
    )
    assert last.json()["items"][-1]["line_no"] == 500


async def test_lines_are_stored_as_sent_whatever_their_form(wages_client: httpx.AsyncClient) -> None:
    """Plain lines take the quick check, others the full one; both store the same values, and
    names with the characters COPY escapes come back unchanged."""
    uscc = employer_uscc(1)
    await register(wages_client, employer_body(1))
    x_id = next(worker_id(n) for n in range(10, 2000) if worker_id(n).endswith("X"))
    spaced = f"{worker_id(3)[:6]} {worker_id(3)[6:]}"
    lines = [
        line(1, name="  反斜杠\\N 与\t制表符 "),
        line(2, name="换行\n回车\r", payable=4200, paid="4200", hours=168.25),
        line(3, id_number=spaced, payable=" 3900.5 ", paid="3900.50", hours=176),
        line(4, id_number=x_id.lower(), paid="0", paid_on=None, hours="0"),
        line(5, paid="0.00", paid_on="", hours="80.5"),
    ]
    del lines[4]["paid_on"]
    created = await submit(wages_client, ledger(uscc, "2026-10", lines))
    assert (created["line_count"], created["total_payable"], created["total_paid"]) == (
        5,
        "20700.50",
        "12300.50",
    )
    page = await wages_client.get(f"{PAYROLLS}/{created['id']}/lines", headers=reader())
    stored = [
        (i["line_no"], i["name"], i["payable"], i["paid"], i["paid_on"], i["hours"])
        for i in page.json()["items"]
    ]
    assert stored == [
        (1, "反斜杠\\N 与\t制表符", "4200.00", "4200.00", "2026-11-10", "176.00"),
        (2, "换行\n回车", "4200.00", "4200.00", "2026-11-10", "168.25"),
        (3, "工人3", "3900.50", "3900.50", "2026-11-10", "176.00"),
        (4, "工人4", "4200.00", "0.00", None, "0.00"),
        (5, "工人5", "4200.00", "0.00", None, "80.50"),
    ]


async def test_a_bad_line_found_while_the_lines_are_written_refuses_the_whole_ledger(
    db_urls: dict[str, str],
) -> None:
    """On PostgreSQL lines are written in chunks while the next ones are checked: a bad line
    after several chunks still leaves nothing stored, and the next ledger goes through."""
    settings = wages_settings(db_urls["wages"]).model_copy(update={"ledger_copy_chunk_lines": 7})
    app = create_app(settings, configure_logs=False)
    async with app_client(app) as client:
        uscc = employer_uscc(1)
        await register(client, employer_body(1))
        lines = [line(n) for n in range(60)]
        lines[45] = line(45, paid_on="2030-01-01")
        lines.append(line(3))
        problem = await submit(client, ledger(uscc, "2026-10", lines), status=422)
        assert [(e["loc"], e["code"], e["line_no"]) for e in problem["errors"]] == [
            ("lines[45].paid_on", "in_future", 46),
            ("lines[60].id_number", "duplicate_id_number", 61),
        ]
        assert await _ledgers(client) == []
        assert await line_count(db_urls["wages"]) == 0
        created = await submit(client, ledger(uscc, "2026-10", lines[:45]))
        assert (created["version"], created["line_count"]) == (1, 45)
        last = await client.get(f"{PAYROLLS}/{created['id']}/lines", params={"limit": 50}, headers=reader())
        assert [i["line_no"] for i in last.json()["items"]] == list(range(1, 46))
    assert await line_count(db_urls["wages"]) == 45
