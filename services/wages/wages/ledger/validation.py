"""Checking a ledger's lines: the whole file, every bad line listed, nothing stored on error.

A ledger may hold a million lines, so lines are checked by hand in one plain loop (one function
call per line, no pydantic model per line) and turned straight into the tuples that COPY takes.
The envelope (``uscc``, ``period``) is small and goes through pydantic elsewhere.

Error locations (``loc``):

* JSON: ``lines[17].id_number``, the 0-based index in the ``lines`` array, as pydantic writes it.
* CSV: ``line 19.id_number``, the line of the file counting the header as line 1, as an editor or a
  spreadsheet numbers it (a quoted field spanning lines counts every line it spans).

Every error also carries ``line_no``, the 1-based number of the data line (the header and blank
lines not counted), which is the ``line_no`` stored with the line.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Final

from shared.errors import AppError
from shared.identifiers import IdentifierError, validate_id_number
from shared.money import MAX_AMOUNT, MoneyError, to_money

__all__ = [
    "COLUMNS",
    "MAX_HOURS",
    "CheckedLines",
    "LedgerRejected",
    "LineChecker",
    "check_csv_lines",
    "check_json_lines",
]

COLUMNS: Final = ("id_number", "name", "payable", "paid", "paid_on", "hours")
_COLUMN_SET: Final = frozenset(COLUMNS)
# 31 days x 24 hours: a month cannot hold more working time.
MAX_HOURS: Final = Decimal(744)
_MAX_NAME: Final = 100
_HOURS_RE: Final = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,2})?")
_DATE_RE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ZERO: Final = Decimal("0.00")

_MISSING: Final = {
    "id_number": "缺少身份证号",
    "name": "缺少姓名",
    "payable": "缺少应发工资",
    "paid": "缺少实发工资",
    "hours": "缺少工作时间（小时）",
}


class LedgerRejected(AppError):
    """422 with every bad line; ``errors`` entries are ``{loc, code, message, line_no}``."""

    status, code, title = 422, "validation_failed", "工资支付台账有误，未保存"

    def __init__(self, errors: list[dict[str, Any]], *, line_count: int, bad_lines: int) -> None:
        self.errors = errors
        shown = "；".join(f"{e['loc']}: {e['message']}" for e in errors[:5])
        more = f" 等，共 {bad_lines} 行有误" if bad_lines > 1 or len(errors) > 5 else ""
        super().__init__(
            f"台账未保存：{shown}{more}",
            extra={"errors": errors, "line_count": line_count, "bad_lines": bad_lines},
        )


@dataclass(slots=True)
class CheckedLines:
    """The outcome of a pass: COPY-ready tuples when there was no error, else the errors."""

    records: list[tuple[Any, ...]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    line_count: int = 0
    bad_lines: int = 0
    total_payable: Decimal = _ZERO
    total_paid: Decimal = _ZERO


class LineChecker:
    """Checks one line at a time and keeps the COPY tuples (ledger_id first, in column order of
    :data:`RECORD_COLUMNS`) until the first error, after which it only collects errors."""

    RECORD_COLUMNS: Final = ("ledger_id", "line_no", *COLUMNS)

    def __init__(self, ledger_id: str, *, period_start: date, today: date, loc_format: str) -> None:
        self.ledger_id = ledger_id
        self.period_start = period_start
        self.today = today
        # "lines[{}]" (JSON index) or "line {}" (CSV file line).
        self.loc_format = loc_format
        self.result = CheckedLines()
        self._first_seen: dict[str, int] = {}

    def error(self, key: int, line_no: int, field_name: str | None, code: str, message: str) -> None:
        loc = self.loc_format.format(key)
        if field_name is not None:
            loc = f"{loc}.{field_name}"
        self.result.errors.append({"loc": loc, "code": code, "message": message, "line_no": line_no})

    def check(
        self,
        key: int,
        line_no: int,
        id_raw: object,
        name_raw: object,
        payable_raw: object,
        paid_raw: object,
        paid_on_raw: object,
        hours_raw: object,
    ) -> None:
        """Check one line; ``key`` is what the location names (JSON index or CSV file line)."""
        result = self.result
        result.line_count += 1
        errors_before = len(result.errors)
        err = self.error

        id_number = ""
        if id_raw is None or id_raw == "":
            err(key, line_no, "id_number", "missing", _MISSING["id_number"])
        elif not isinstance(id_raw, str):
            err(key, line_no, "id_number", "string_type", "身份证号必须是字符串")
        else:
            try:
                id_number = validate_id_number(id_raw, today=self.today)
            except IdentifierError as exc:
                err(key, line_no, "id_number", exc.code, exc.message)
            else:
                first = self._first_seen.setdefault(id_number, line_no)
                if first != line_no:
                    err(
                        key,
                        line_no,
                        "id_number",
                        "duplicate_id_number",
                        f"同一劳动者在台账中重复出现（与第 {first} 条数据行重复）",
                    )

        name = ""
        if not isinstance(name_raw, str):
            if name_raw is None:
                err(key, line_no, "name", "missing", _MISSING["name"])
            else:
                err(key, line_no, "name", "string_type", "姓名必须是字符串")
        else:
            name = name_raw.strip()
            if not name:
                err(key, line_no, "name", "missing", _MISSING["name"])
            elif len(name) > _MAX_NAME:
                err(key, line_no, "name", "string_too_long", f"姓名过长（限制 {_MAX_NAME}）")

        payable = self._money(key, line_no, "payable", payable_raw)
        paid = self._money(key, line_no, "paid", paid_raw)

        paid_on: date | None = None
        if paid_on_raw is None or paid_on_raw == "":
            if paid is not None and paid > 0:
                err(key, line_no, "paid_on", "missing", "实发工资大于0时须填写支付日期")
        elif not isinstance(paid_on_raw, str) or not _DATE_RE.fullmatch(paid_on_raw):
            err(key, line_no, "paid_on", "date_parsing", "日期格式应为 YYYY-MM-DD")
        else:
            try:
                paid_on = date.fromisoformat(paid_on_raw)
            except ValueError:
                err(key, line_no, "paid_on", "date_parsing", "日期无效")
            else:
                if paid_on < self.period_start:
                    err(key, line_no, "paid_on", "paid_before_period", "支付日期早于工资所属期")
                    paid_on = None
                elif paid_on > self.today:
                    err(key, line_no, "paid_on", "in_future", "支付日期不能晚于今天")
                    paid_on = None

        hours = self._hours(key, line_no, hours_raw)

        if len(result.errors) != errors_before:
            result.bad_lines += 1
            # From the first bad line on, nothing will be stored: stop building tuples.
            result.records.clear()
            return
        if result.bad_lines:
            return
        assert payable is not None and paid is not None
        result.total_payable += payable
        result.total_paid += paid
        result.records.append((self.ledger_id, line_no, id_number, name, payable, paid, paid_on, hours))

    def _money(self, key: int, line_no: int, field_name: str, raw: object) -> Decimal | None:
        if raw is None or raw == "":
            self.error(key, line_no, field_name, "missing", _MISSING[field_name])
            return None
        try:
            return to_money(raw)
        except MoneyError as exc:
            self.error(key, line_no, field_name, exc.code, exc.message)
            return None

    def _hours(self, key: int, line_no: int, raw: object) -> Decimal | None:
        if raw is None or raw == "":
            self.error(key, line_no, "hours", "missing", _MISSING["hours"])
            return None
        value: Decimal | None = None
        if isinstance(raw, bool):
            value = None
        elif isinstance(raw, int):
            value = Decimal(raw)
        elif isinstance(raw, float):
            # Hours are not money: a JSON number is accepted, read through its shortest repr.
            value = Decimal(repr(raw))
        elif isinstance(raw, str):
            text = raw.strip()
            value = Decimal(text) if _HOURS_RE.fullmatch(text) else None
        if value is None or not value.is_finite():
            self.error(key, line_no, "hours", "hours_invalid", "工作时间应为小时数，最多两位小数")
            return None
        if value < 0 or value > MAX_HOURS:
            self.error(key, line_no, "hours", "hours_out_of_range", f"工作时间应在 0 至 {MAX_HOURS} 小时之间")
            return None
        if value != value.quantize(Decimal("0.01")):
            self.error(key, line_no, "hours", "hours_invalid", "工作时间最多两位小数")
            return None
        return value

    def finish(self, loc: str) -> CheckedLines:
        """Whole-ledger checks after the last line; ``loc`` names the lines container."""
        result = self.result
        if result.line_count == 0 and not result.errors:
            result.errors.append(
                {"loc": loc, "code": "too_short", "message": "台账至少应有一行", "line_no": 0}
            )
        for name, total in (("total_payable", result.total_payable), ("total_paid", result.total_paid)):
            if total > MAX_AMOUNT:
                result.errors.append(
                    {
                        "loc": loc,
                        "code": "money_too_large",
                        "message": f"{name} 合计超出允许范围",
                        "line_no": 0,
                    }
                )
        if result.errors:
            result.records.clear()
        return result


def check_json_lines(lines: list[Any], checker: LineChecker) -> CheckedLines:
    """``lines`` as decoded from JSON (a list of objects)."""
    result = checker.result
    check = checker.check
    allowed = _COLUMN_SET
    for index, line in enumerate(lines):
        line_no = index + 1
        if type(line) is not dict:
            result.line_count += 1
            result.bad_lines += 1
            result.records.clear()
            checker.error(index, line_no, None, "dict_type", "每一行必须是对象")
            continue
        get = line.get
        if line.keys() <= allowed:
            check(
                index,
                line_no,
                get("id_number"),
                get("name"),
                get("payable"),
                get("paid"),
                get("paid_on"),
                get("hours"),
            )
            continue
        bad_before = result.bad_lines
        for extra in sorted(str(k) for k in line.keys() - allowed):
            checker.error(index, line_no, extra, "extra_forbidden", "不允许的字段")
        check(
            index,
            line_no,
            get("id_number"),
            get("name"),
            get("payable"),
            get("paid"),
            get("paid_on"),
            get("hours"),
        )
        if result.bad_lines == bad_before:
            result.bad_lines += 1
            result.records.clear()
    return checker.finish("lines")


def check_csv_lines(text: str, checker: LineChecker, *, max_lines: int) -> CheckedLines:
    """A decoded CSV file: header ``id_number,name,payable,paid,paid_on,hours`` in any order."""
    result = checker.result
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader, None)
        if header is None:
            checker.error(1, 0, None, "csv_header_missing", "CSV 文件为空，缺少表头行")
            return checker.finish("line 1")
        names = [h.strip().lower() for h in header]
        missing = [c for c in COLUMNS if c not in names]
        unknown = [n for n in names if n not in _COLUMN_SET]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if missing or unknown or repeated:
            parts = []
            if missing:
                parts.append(f"缺少列 {', '.join(missing)}")
            if unknown:
                parts.append(f"未知列 {', '.join(unknown)}")
            if repeated:
                parts.append(f"重复列 {', '.join(repeated)}")
            message = "表头应为 " + ",".join(COLUMNS) + "：" + "；".join(parts)
            checker.error(1, 0, None, "csv_header_invalid", message)
            return checker.finish("line 1")
        width = len(names)
        i_id, i_name, i_payable, i_paid, i_paid_on, i_hours = (names.index(c) for c in COLUMNS)
        check = checker.check
        line_no = 0
        for row in reader:
            if not row or (len(row) == 1 and not row[0].strip()):
                continue  # blank line
            line_no += 1
            key = reader.line_num
            if line_no > max_lines:
                message = f"台账行数超过单次提交上限 {max_lines}，请分批提交"
                checker.error(key, line_no, None, "too_long", message)
                break
            if len(row) != width:
                result.line_count += 1
                result.bad_lines += 1
                result.records.clear()
                checker.error(
                    key, line_no, None, "csv_field_count", f"该行有 {len(row)} 列，表头有 {width} 列"
                )
                continue
            check(
                key,
                line_no,
                row[i_id],
                row[i_name],
                row[i_payable],
                row[i_paid],
                row[i_paid_on],
                row[i_hours],
            )
    except csv.Error as exc:
        result.bad_lines += 1
        checker.error(reader.line_num, 0, None, "csv_invalid", f"CSV 格式错误：{exc}")
    return checker.finish("body")
