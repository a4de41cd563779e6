"""The minimum-wage table: a dated data file, the Kunming class mapping, status tags in answers."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.wages.test_employers_support import W, reader
from wages.config import WagesSettings
from wages.minwage.table import (
    DEFAULT_FILE,
    MinimumWageDataError,
    NoMinimumWage,
    load_table,
    parse_table,
    table_for,
)

URL = f"{W}/minimum-wages"
CLASS_I = ["530102", "530103", "530112", "530111", "530114", "530115", "530122", "530181", "530127"]
CLASS_II = ["530113", "530124", "530125", "530126", "530128", "530129"]


async def _floor(client: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    response = await client.get(URL, params=params, headers=reader())
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def test_the_floor_changes_on_2026_09_01_in_wuhua(wages_client: httpx.AsyncClient) -> None:
    before = await _floor(wages_client, district_code="530102", on="2026-08-31")
    assert before == {
        "district_code": "530102",
        "on": "2026-08-31",
        "class": 1,
        "monthly": "2170.00",
        "hourly": "21.00",
        "effective_from": "2025-10-01",
        "status": "3P",
        "source": "云人社发〔2025〕19号（第三方转引，未核实）",
        "district_status": "3P",
        "district_known": True,
        "verified": False,
        "note": before["note"],
    }
    assert "3P" in before["note"] and "官方文件为准" in before["note"]
    after = await _floor(wages_client, district_code="530102", on="2026-09-01")
    assert (after["monthly"], after["hourly"], after["effective_from"]) == ("2270.00", "22.00", "2026-09-01")
    # By pay period: the floor in force on the period's first day.
    august = await _floor(wages_client, district_code="530102", period="2026-08")
    september = await _floor(wages_client, district_code="530102", period="2026-09")
    assert (august["monthly"], september["monthly"]) == ("2170.00", "2270.00")


async def test_class_ii_district_and_older_rows(wages_client: httpx.AsyncClient) -> None:
    dongchuan = await _floor(wages_client, district_code="530113", on="2026-09-01")
    assert (dongchuan["class"], dongchuan["monthly"], dongchuan["hourly"]) == (2, "2120.00", "21.00")
    earlier = await _floor(wages_client, district_code="530113", on="2026-08-31")
    assert earlier["monthly"] == "2020.00"
    # The 2018 and 2022 rows are from memory: tagged M.
    old = await _floor(wages_client, district_code="530102", on="2019-06-30")
    assert (old["monthly"], old["status"], old["effective_from"]) == ("1670.00", "M", "2018-05-01")
    assert "凭记忆" in old["note"]
    mid = await _floor(wages_client, district_code="530124", on="2023-01-01")
    assert (mid["monthly"], mid["status"]) == ("1750.00", "M")
    # 晋宁's pre-2016 county code keeps its class.
    jinning_old = await _floor(wages_client, district_code="530122", on="2026-10-01")
    assert (jinning_old["class"], jinning_old["district_known"]) == (1, True)


async def test_unknown_district_uses_the_default_class_and_says_so(wages_client: httpx.AsyncClient) -> None:
    qujing = await _floor(wages_client, district_code="530302", on="2026-10-01")
    assert qujing["district_known"] is False
    assert qujing["district_status"] is None
    assert (qujing["class"], qujing["monthly"]) == (1, "2270.00")
    assert "未列入地区类别对照表" in qujing["note"]


async def test_minimum_wage_errors(wages_client: httpx.AsyncClient) -> None:
    early = await wages_client.get(
        URL, params={"district_code": "530102", "on": "2018-04-30"}, headers=reader()
    )
    assert early.status_code == 404
    assert early.json()["code"] == "minimum_wage_not_found"
    both = await wages_client.get(
        URL, params={"district_code": "530102", "on": "2026-10-01", "period": "2026-10"}, headers=reader()
    )
    assert both.status_code == 422
    missing = await wages_client.get(URL, headers=reader())
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["loc"] == "query.district_code"
    today = await wages_client.get(URL, params={"district_code": "530102"}, headers=reader())
    assert today.status_code == 200


def test_bundled_file_has_every_row_of_the_handbook() -> None:
    table = load_table(DEFAULT_FILE)
    expected = {
        "2018-05-01": (("1670.00", "15.00"), ("1500.00", "14.00"), ("1350.00", "13.00"), "M"),
        "2022-10-01": (("1900.00", "18.00"), ("1750.00", "17.00"), ("1600.00", "16.00"), "M"),
        "2025-10-01": (("2170.00", "21.00"), ("2020.00", "20.00"), ("1870.00", "19.00"), "3P"),
        "2026-09-01": (("2270.00", "22.00"), ("2120.00", "21.00"), ("1970.00", "20.00"), "3P"),
    }
    raw = json.loads(DEFAULT_FILE.read_text(encoding="utf-8"))
    assert len(raw["levels"]) == 12
    for day, (*figures, status) in expected.items():
        on = date.fromisoformat(day)
        for region_class, (monthly, hourly) in enumerate(figures, start=1):
            district = {1: "530102", 2: "530113"}.get(region_class)
            if district is None:
                # No Kunming district is class III: ask through a one-row mapping.
                level = next(
                    lv for lv in raw["levels"] if lv["effective_from"] == day and lv["class"] == region_class
                )
                assert (level["monthly"], level["hourly"], level["status"]) == (monthly, hourly, status)
                continue
            floor = table.floor(district, on)
            assert (floor.monthly, floor.hourly, floor.status) == (Decimal(monthly), Decimal(hourly), status)
    for code in CLASS_I:
        assert table.district_class(code) == (1, "3P", True), code
    for code in CLASS_II:
        assert table.district_class(code) == (2, "3P", True), code
    with pytest.raises(NoMinimumWage):
        table.floor("530102", date(2018, 4, 30))


def test_settings_choose_the_file_and_the_default_class(tmp_path: Path) -> None:
    data = {
        "source_note": "测试",
        "levels": [
            {"effective_from": "2024-01-01", "class": 1, "monthly": "3000.00", "hourly": "30.00",
             "status": "V", "source": "测试文件"},
            {"effective_from": "2024-01-01", "class": 2, "monthly": "2800.00", "hourly": "28.00",
             "status": "V2", "source": "测试文件"},
        ],
        "districts": [{"district_code": "530102", "class": 1, "status": "V"}],
    }  # fmt: skip
    path = tmp_path / "mw.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    table = table_for(WagesSettings(minimum_wage_file=str(path), minimum_wage_default_class=2))
    verified = table.floor("530102", date(2024, 6, 1))
    assert verified.verified and verified.monthly == Decimal("3000.00")
    fallback = table.floor("530999", date(2024, 6, 1))
    assert (fallback.region_class, fallback.district_known, fallback.verified) == (2, False, False)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"levels": []}, "levels"),
        ({"districts": [{"district_code": "5301", "class": 1, "status": "3P"}]}, "district_code"),
        ({"districts": [{"district_code": "530102", "class": 3, "status": "3P"}]}, "缺少3类"),
        (
            {"districts": [{"district_code": "530102", "class": 1, "status": "3P"}] * 2},
            "重复",
        ),
        (
            {
                "levels": [
                    {
                        "effective_from": "2024-01-01",
                        "class": 1,
                        "monthly": 3000.5,
                        "hourly": "30.00",
                        "status": "V",
                        "source": "x",
                    }
                ]
            },
            "monthly",
        ),
        (
            {
                "levels": [
                    {
                        "effective_from": "2024-01-01",
                        "class": 1,
                        "monthly": "3000.00",
                        "hourly": "30.00",
                        "status": "guess",
                        "source": "x",
                    }
                ]
            },
            "status",
        ),
    ],
)
def test_bad_data_files_are_refused(change: dict[str, Any], message: str) -> None:
    data: dict[str, Any] = {
        "levels": [
            {"effective_from": "2024-01-01", "class": 1, "monthly": "3000.00", "hourly": "30.00",
             "status": "V", "source": "测试"},
        ],
        "districts": [],
    }  # fmt: skip
    data.update(change)
    with pytest.raises(MinimumWageDataError) as caught:
        parse_table(data, origin="测试数据")
    assert message in caught.value.message
    assert caught.value.message.startswith("测试数据")


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(MinimumWageDataError):
        load_table(tmp_path / "missing.json")
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(MinimumWageDataError):
        load_table(broken)
