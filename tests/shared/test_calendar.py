from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import chinese_calendar
import pytest

from shared.calendar import (
    DEFAULT_DATA_DIR,
    CalendarDataError,
    CalendarResult,
    WorkingDayCalendar,
    builtin_schedules,
    default_calendar,
    load_year_dir,
    load_year_file,
    parse_year_data,
)

# FICTIONAL 2027 data for tests only: the real 2027 schedule is not published yet.
FAKE_2027_HOLIDAYS = [date(2027, 1, 1), date(2027, 1, 2), date(2027, 1, 3)]
FAKE_2027_WORKDAYS = [date(2027, 1, 9)]  # a Saturday


def _fake_2027_file(directory: Path, **changes: object) -> Path:
    data: dict[str, object] = {
        "year": 2027,
        "source": "测试数据（虚构）",
        "holidays": [d.isoformat() for d in FAKE_2027_HOLIDAYS],
        "workdays": [d.isoformat() for d in FAKE_2027_WORKDAYS],
    }
    data.update(changes)
    path = directory / "2027.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def _naive_add_working_days(start: date, n: int) -> date:
    """Day-by-day on chinesecalendar's own is_workday(), to cross-check the fast tables."""
    day = start
    while n:
        day += timedelta(days=1)
        if chinese_calendar.is_workday(day):
            n -= 1
    return day


# -- the 2026 schedule as published ---------------------------------------------------------


def test_2026_mid_autumn_and_national_day() -> None:
    calendar = WorkingDayCalendar()
    rest = [date(2026, 9, d) for d in (25, 26, 27)] + [date(2026, 10, d) for d in range(1, 8)]
    assert [d for d in rest if calendar.is_working_day(d)] == []
    # Make-up working days (调休): Sunday 20 September and Saturday 10 October.
    assert date(2026, 9, 20).weekday() == 6
    assert date(2026, 10, 10).weekday() == 5
    assert calendar.is_working_day(date(2026, 9, 20))
    assert calendar.is_working_day(date(2026, 10, 10))
    # The weekend days around them stay rest days.
    assert not calendar.is_working_day(date(2026, 9, 19))
    assert not calendar.is_working_day(date(2026, 10, 11))
    assert calendar.is_working_day(date(2026, 9, 28))
    assert calendar.is_working_day(date(2026, 10, 8))


def test_builtin_years_agree_with_chinesecalendar_every_day() -> None:
    calendar = WorkingDayCalendar()
    assert calendar.loaded_years() == tuple(range(2004, 2027))
    day, end = date(2004, 1, 1), date(2026, 12, 31)
    while day <= end:
        assert calendar.is_working_day(day) == chinese_calendar.is_workday(day), day
        day += timedelta(days=1)


def test_builtin_make_up_days_are_all_weekend_days() -> None:
    for schedule in builtin_schedules():
        assert all(d.weekday() >= 5 for d in schedule.workdays), schedule.year


# -- add_working_days -----------------------------------------------------------------------


def test_add_working_days_across_national_day_counts_make_up_saturday() -> None:
    # After Wed 30 Sep: Oct 1-7 rest; Thu 8 (1), Fri 9 (2), Sat 10 make-up (3), Sun 11 rest,
    # Mon 12 (4), Tue 13 (5).
    assert WorkingDayCalendar().add_working_days(date(2026, 9, 30), 5) == CalendarResult(
        date(2026, 10, 13), False
    )


def test_add_working_days_across_mid_autumn_and_national_day() -> None:
    # After Thu 24 Sep: Sep 25-27 rest; Mon 28 (1), Tue 29 (2), Wed 30 (3), Oct 1-7 rest,
    # Thu 8 (4), Fri 9 (5).
    assert WorkingDayCalendar().add_working_days(date(2026, 9, 24), 5).day == date(2026, 10, 9)


def test_add_working_days_from_a_friday() -> None:
    calendar = WorkingDayCalendar()
    # Fri 6 Nov: Sat 7, Sun 8 rest; Mon 9 (1), Tue 10 (2), Wed 11 (3).
    assert calendar.add_working_days(date(2026, 11, 6), 3).day == date(2026, 11, 11)
    # Fri 18 Sep: Sat 19 rest; Sun 20 make-up (1), Mon 21 (2), Tue 22 (3), Wed 23 (4), Thu 24 (5).
    assert calendar.add_working_days(date(2026, 9, 18), 5).day == date(2026, 9, 24)


def test_add_working_days_from_a_holiday() -> None:
    # Triggered on Sat 3 Oct (in the holiday): the first working day after it is Thu 8 Oct.
    assert WorkingDayCalendar().add_working_days(date(2026, 10, 3), 1).day == date(2026, 10, 8)


def test_add_working_days_matches_day_by_day_count() -> None:
    calendar = WorkingDayCalendar()
    start = date(2025, 1, 1)
    while start < date(2026, 9, 1):
        for n in (1, 3, 5, 7, 15, 60):
            assert calendar.add_working_days(start, n) == CalendarResult(
                _naive_add_working_days(start, n), False
            )
        start += timedelta(days=3)


def test_add_working_days_zero_and_negative() -> None:
    calendar = WorkingDayCalendar()
    assert calendar.add_working_days(date(2026, 10, 3), 0) == CalendarResult(date(2026, 10, 3), False)
    with pytest.raises(ValueError):
        calendar.add_working_days(date(2026, 10, 3), -1)


def test_add_working_days_into_unpublished_year_is_provisional() -> None:
    calendar = WorkingDayCalendar()
    # After Mon 28 Dec 2026: Tue 29 (1), Wed 30 (2), Thu 31 (3); 2027 has no schedule, so
    # weekdays only: Fri 1 Jan (4), Mon 4 Jan (5).
    assert calendar.add_working_days(date(2026, 12, 28), 5) == CalendarResult(date(2027, 1, 4), True)
    # Staying inside 2026 is not provisional.
    assert calendar.add_working_days(date(2026, 12, 28), 3) == CalendarResult(date(2026, 12, 31), False)
    assert calendar.add_working_days(date(2030, 3, 1), 1) == CalendarResult(date(2030, 3, 4), True)


def test_loaded_year_makes_the_same_deadline_final() -> None:
    calendar = WorkingDayCalendar()
    calendar.load_year(2027, FAKE_2027_HOLIDAYS, FAKE_2027_WORKDAYS, "测试数据（虚构）")
    # Tue 29 (1), Wed 30 (2), Thu 31 (3); 1-3 Jan rest (loaded); Mon 4 (4), Tue 5 (5).
    assert calendar.add_working_days(date(2026, 12, 28), 5) == CalendarResult(date(2027, 1, 5), False)
    # The loaded make-up Saturday counts: after Thu 7 Jan, Fri 8 (1), Sat 9 (2).
    assert calendar.add_working_days(date(2027, 1, 7), 2) == CalendarResult(date(2027, 1, 9), False)
    assert calendar.loaded_years()[-1] == 2027
    schedule = calendar.schedule(2027)
    assert schedule is not None
    assert schedule.source == "测试数据（虚构）"
    assert calendar.schedule(2028) is None


def test_load_year_replaces_a_previous_guess() -> None:
    calendar = WorkingDayCalendar()
    assert calendar.is_working_day(date(2027, 1, 1))  # weekday guess
    assert calendar.is_provisional(date(2027, 1, 1))
    calendar.load_year(2027, FAKE_2027_HOLIDAYS, FAKE_2027_WORKDAYS, "测试数据（虚构）")
    assert not calendar.is_working_day(date(2027, 1, 1))
    assert not calendar.is_provisional(date(2027, 1, 1))


def test_load_year_rejects_inconsistent_data() -> None:
    calendar = WorkingDayCalendar()
    with pytest.raises(CalendarDataError, match="不在 2027 年内"):
        calendar.load_year(2027, [date(2026, 12, 31)], [], "x")
    with pytest.raises(CalendarDataError, match="source"):
        calendar.load_year(2027, FAKE_2027_HOLIDAYS, [], " ")
    assert calendar.schedule(2027) is None


# -- add_calendar_days (民法典 art. 203) --------------------------------------------------------


def test_add_calendar_days_moves_off_a_holiday() -> None:
    calendar = WorkingDayCalendar()
    # 20 Sep + 15 = Mon 5 Oct, inside National Day: the period ends Thu 8 Oct.
    assert calendar.add_calendar_days(date(2026, 9, 20), 15) == CalendarResult(date(2026, 10, 8), False)
    # 10 Sep + 15 = Fri 25 Sep, Mid-Autumn (25-27): ends Mon 28 Sep.
    assert calendar.add_calendar_days(date(2026, 9, 10), 15).day == date(2026, 9, 28)


def test_add_calendar_days_moves_off_a_weekend_but_not_off_a_make_up_day() -> None:
    calendar = WorkingDayCalendar()
    # 1 Nov + 7 = Sun 8 Nov: ends Mon 9 Nov.
    assert calendar.add_calendar_days(date(2026, 11, 1), 7).day == date(2026, 11, 9)
    # 30 Sep + 10 = Sat 10 Oct, a make-up working day: stays.
    assert calendar.add_calendar_days(date(2026, 9, 30), 10).day == date(2026, 10, 10)
    # 1 Nov + 3 = Wed 4 Nov: stays.
    assert calendar.add_calendar_days(date(2026, 11, 1), 3).day == date(2026, 11, 4)


def test_add_calendar_days_into_unpublished_year_is_provisional() -> None:
    calendar = WorkingDayCalendar()
    # 17 Dec + 15 = Fri 1 Jan 2027, a weekday to the provisional calendar.
    assert calendar.add_calendar_days(date(2026, 12, 17), 15) == CalendarResult(date(2027, 1, 1), True)
    calendar.load_year(2027, FAKE_2027_HOLIDAYS, FAKE_2027_WORKDAYS, "测试数据（虚构）")
    assert calendar.add_calendar_days(date(2026, 12, 17), 15) == CalendarResult(date(2027, 1, 4), False)


# -- working_days_between -------------------------------------------------------------------


def test_working_days_between() -> None:
    calendar = WorkingDayCalendar()
    assert calendar.working_days_between(date(2026, 9, 30), date(2026, 10, 13)) == 5
    assert calendar.working_days_between(date(2026, 10, 13), date(2026, 9, 30)) == -5
    assert calendar.working_days_between(date(2026, 10, 1), date(2026, 10, 7)) == 0
    assert calendar.working_days_between(date(2026, 10, 8), date(2026, 10, 8)) == 0
    # Across the year end, 2027 on weekdays: Dec 29, 30, 31, Jan 1, Jan 4.
    assert calendar.working_days_between(date(2026, 12, 28), date(2027, 1, 4)) == 5


def test_working_days_between_inverts_add_working_days() -> None:
    calendar = WorkingDayCalendar()
    start = date(2026, 1, 1)
    for offset in range(0, 365, 7):
        begin = start + timedelta(days=offset)
        for n in (1, 5, 60, 90):
            assert calendar.working_days_between(begin, calendar.add_working_days(begin, n).day) == n


def test_years_before_2004_are_provisional_not_errors() -> None:
    calendar = WorkingDayCalendar()
    assert calendar.is_provisional(date(2003, 12, 31))
    # After Tue 30 Dec 2003: Wed 31 (1, weekdays only), Thu 1 Jan 2004 New Year, Fri 2 Jan (2).
    # Provisional: a counted day lies in 2003.
    assert calendar.add_working_days(date(2003, 12, 30), 2) == CalendarResult(date(2004, 1, 2), True)


# -- year files -----------------------------------------------------------------------------


def test_load_year_file_and_directory(tmp_path: Path) -> None:
    path = _fake_2027_file(tmp_path, note="虚构数据")
    (tmp_path / "README.md").write_text("not data", encoding="utf-8")
    schedule = load_year_file(path)
    assert schedule.year == 2027
    assert schedule.holidays == frozenset(FAKE_2027_HOLIDAYS)
    assert parse_year_data(json.loads(json.dumps(schedule.as_dict()))) == schedule
    assert load_year_dir(tmp_path) == [schedule]
    calendar = WorkingDayCalendar.from_directory(tmp_path)
    assert calendar.add_working_days(date(2026, 12, 28), 5) == CalendarResult(date(2027, 1, 5), False)
    assert calendar.loaded_years() == (*range(2004, 2027), 2027)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"holidays": ["2027-02-30"]}, "'2027-02-30' 不是有效日期"),
        ({"holidays": ["2027/01/01"]}, "不是 YYYY-MM-DD 格式"),
        ({"holidays": ["2028-01-01"]}, "2028-01-01 不在 2027 年内"),
        ({"holidays": []}, "holidays 不能为空"),
        ({"holidays": "2027-01-01"}, "holidays 应为日期字符串数组"),
        ({"workdays": ["2027-01-04"]}, "2027-01-04 是工作日"),
        ({"workdays": ["2027-01-02"]}, "同时出现在 holidays 和 workdays 中"),
        ({"year": "2027"}, "year 应为"),
        ({"source": ""}, "source 不能为空"),
        ({"holiday": []}, "未知字段 holiday"),
    ],
)
def test_bad_year_file_names_file_and_problem(
    tmp_path: Path, changes: dict[str, object], message: str
) -> None:
    path = _fake_2027_file(tmp_path, **changes)
    with pytest.raises(CalendarDataError, match=message) as info:
        load_year_file(path)
    assert str(path) in info.value.message
    assert info.value.code == "calendar_data_invalid"


def test_year_file_missing_keys(tmp_path: Path) -> None:
    path = tmp_path / "2027.json"
    path.write_text('{"year": 2027, "holidays": ["2027-01-01"]}', encoding="utf-8")
    with pytest.raises(CalendarDataError, match="缺少字段 source, workdays"):
        load_year_file(path)


def test_year_file_not_json(tmp_path: Path) -> None:
    path = tmp_path / "2027.json"
    path.write_text('{"year": 2027,', encoding="utf-8")
    with pytest.raises(CalendarDataError, match="JSON 格式错误"):
        load_year_file(path)
    with pytest.raises(CalendarDataError, match="JSON 格式错误"):
        WorkingDayCalendar.from_directory(tmp_path)


def test_year_file_missing(tmp_path: Path) -> None:
    with pytest.raises(CalendarDataError, match="无法读取"):
        load_year_file(tmp_path / "2027.json")
    with pytest.raises(CalendarDataError, match="目录不存在"):
        load_year_dir(tmp_path / "nowhere")


def test_two_files_for_one_year(tmp_path: Path) -> None:
    _fake_2027_file(tmp_path)
    (tmp_path / "2027-copy.json").write_text((tmp_path / "2027.json").read_text("utf-8"), encoding="utf-8")
    with pytest.raises(CalendarDataError, match="2027 年已由"):
        load_year_dir(tmp_path)


# -- the process-wide calendar --------------------------------------------------------------


def test_default_calendar_is_cached_and_reads_the_shipped_directory() -> None:
    assert default_calendar() is default_calendar()
    assert (DEFAULT_DATA_DIR / "README.md").is_file()
    shipped = load_year_dir(DEFAULT_DATA_DIR)  # every shipped file must load
    assert set(default_calendar().loaded_years()) >= set(range(2004, 2027)) | {s.year for s in shipped}
