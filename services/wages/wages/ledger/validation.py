"""Checking a ledger's lines: the whole file, every bad line listed, nothing stored on error.

A ledger may hold a million lines, so lines are checked by hand in one plain loop (no pydantic
model per line) and turned straight into what is stored: tuples, or lines of COPY text on
PostgreSQL. A line in the usual form (plain 身份证号, amounts, date and hours seen before) takes a
quick check that parses each distinct value once; any other line, and every bad one, takes the
full check, which names each error. The envelope (``uscc``, ``period``) is small and goes through
pydantic elsewhere.

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
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from operator import itemgetter
from typing import Any, Final

from shared.errors import AppError
from shared.identifiers import IdentifierError, id_number_check_character, validate_id_number
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
# Distinct amounts, dates and hours are few in a month's ledger (same wages, same pay day): each
# is parsed once. The caches are per ledger and bounded.
_CACHE_MAX: Final = 65_536
_JSON_FIELDS: Final = itemgetter(*COLUMNS)

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
    """The outcome of a pass: the records not handed over yet when there was no error (tuples,
    or lines of COPY text), else the errors."""

    records: list[Any] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    line_count: int = 0
    bad_lines: int = 0
    total_payable: Decimal = _ZERO
    total_paid: Decimal = _ZERO


def _birth_date_ok(id_number: str, today: date) -> bool:
    """Positions 7-14 of a plain 身份证号 as ``validate_id_number`` reads them."""
    try:
        born = date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        return False
    return born <= today


def _parse_hours(raw: object) -> Decimal | tuple[str, str]:
    """Hours as a Decimal, or ``(code, message)``; ``raw`` is neither None nor ``""``."""
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
        return "hours_invalid", "工作时间应为小时数，最多两位小数"
    if value < 0 or value > MAX_HOURS:
        return "hours_out_of_range", f"工作时间应在 0 至 {MAX_HOURS} 小时之间"
    if value != value.quantize(Decimal("0.01")):
        return "hours_invalid", "工作时间最多两位小数"
    return value


# PostgreSQL COPY text format: these four characters are written as escapes, NULL as \N.
_COPY_ESCAPES: Final = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_COPY_NULL: Final = "\\N"


def copy_text_line(record: tuple[Any, ...]) -> str:
    """One record (in :data:`LineChecker.RECORD_COLUMNS` order) as a line of COPY text."""
    ledger_id, line_no, id_number, name, payable, paid, paid_on, hours = record
    return (
        "\t".join(
            (
                ledger_id,
                str(line_no),
                id_number,
                name.translate(_COPY_ESCAPES),
                format(payable, "f"),
                format(paid, "f"),
                _COPY_NULL if paid_on is None else paid_on.isoformat(),
                _COPY_NULL if hours is None else format(hours, "f"),
            )
        )
        + "\n"
    )


# (line_no, (id_number, name, payable, paid, paid_on, hours)) -> accepted
FastCheck = Callable[[int, tuple[object, ...]], bool]


class LineChecker:
    """Checks one line at a time and keeps the records until the first error, after which it
    only collects errors.

    A record is a tuple (ledger_id first, in the column order of :data:`RECORD_COLUMNS`), or with
    ``copy_text`` the same as a line of PostgreSQL COPY text. With ``emit`` (set before the
    first line), every ``chunk_lines`` records are handed to it as they are ready (so writing
    can start while the rest is checked) and :attr:`CheckedLines.records` keeps only what was
    not handed over yet.
    """

    RECORD_COLUMNS: Final = ("ledger_id", "line_no", *COLUMNS)

    def __init__(
        self,
        ledger_id: str,
        *,
        period_start: date,
        today: date,
        loc_format: str,
        copy_text: bool = False,
        emit: Callable[[list[Any]], None] | None = None,
        chunk_lines: int = 20_000,
    ) -> None:
        self.ledger_id = ledger_id
        self.period_start = period_start
        self.today = today
        # "lines[{}]" (JSON index) or "line {}" (CSV file line).
        self.loc_format = loc_format
        self.copy_text = copy_text
        self.emit = emit
        self.chunk_lines = max(chunk_lines, 1)
        self.result = CheckedLines()
        self._first_seen: dict[str, int] = {}
        self.fast = self._fast_check()

    def error(self, key: int, line_no: int, field_name: str | None, code: str, message: str) -> None:
        loc = self.loc_format.format(key)
        if field_name is not None:
            loc = f"{loc}.{field_name}"
        self.result.errors.append({"loc": loc, "code": code, "message": message, "line_no": line_no})

    def _hand_over(self) -> None:
        records = self.result.records
        self.result.records = []
        if self.emit is not None and records:
            self.emit(records)

    def _fast_check(self) -> FastCheck:
        """The check of a plain, valid line, as a closure (locals are the cheapest lookups: it
        runs a million times a month). It accepts a line only when every field is in its usual
        form and valid; on anything else it returns False, having changed nothing, and the line
        goes through :meth:`check`, which names every error. So both give the same outcome."""
        result = self.result
        first_seen = self._first_seen
        ledger_id = self.ledger_id
        prefix = ledger_id + "\t"
        period_start, today = self.period_start, self.today
        copy_text, chunk_lines = self.copy_text, self.chunk_lines
        hand_over = self._hand_over
        plain_date = _DATE_RE.fullmatch
        births: dict[str, bool] = {}
        # Amount -> (value, COPY text, fen).
        amounts: dict[object, tuple[Decimal, str, int]] = {}
        # Accepted lines and their totals in fen, added to ``result`` by sync().
        lines = payable_fen = paid_fen = 0
        days: dict[str, tuple[date, str]] = {}
        hour_values: dict[object, tuple[Decimal, str]] = {}

        def amount(raw: object) -> tuple[Decimal, str, int] | None:
            kind = type(raw)
            if kind is not str and kind is not int:
                return None
            known = amounts.get(raw)
            if known is None:
                try:
                    value = to_money(raw)
                except MoneyError:
                    return None
                known = (value, format(value, "f"), int(value.scaleb(2)))
                if len(amounts) < _CACHE_MAX:
                    amounts[raw] = known
            return known

        def fast(line_no: int, values: tuple[object, ...]) -> bool:
            nonlocal lines, payable_fen, paid_fen
            id_raw, name_raw, payable_raw, paid_raw, paid_on_raw, hours_raw = values
            # 身份证号: already normalised (17 ASCII digits and the right check character, so the
            # 18th is a digit or X), birth date as validate_id_number reads it.
            if type(id_raw) is not str or len(id_raw) != 18 or not id_raw.isascii():
                return False
            body = id_raw[:17]
            if not body.isdigit() or id_number_check_character(body) != id_raw[17]:
                return False
            born = births.get(id_raw[6:14])
            if born is None:
                born = births[id_raw[6:14]] = _birth_date_ok(id_raw, today)
            if not born:
                return False
            if type(name_raw) is not str:
                return False
            name = name_raw.strip()
            if not name or len(name) > _MAX_NAME:
                return False
            payable = amounts.get(payable_raw) if type(payable_raw) is str else None
            if payable is None:
                payable = amount(payable_raw)
                if payable is None:
                    return False
            paid = amounts.get(paid_raw) if type(paid_raw) is str else None
            if paid is None:
                paid = amount(paid_raw)
                if paid is None:
                    return False
            if paid_on_raw is None or paid_on_raw == "":
                if paid[0] > 0:
                    return False
                paid_on: tuple[date | None, str] = (None, _COPY_NULL)
            elif type(paid_on_raw) is str:
                known_day = days.get(paid_on_raw)
                if known_day is None:
                    if plain_date(paid_on_raw) is None:
                        return False
                    try:
                        day = date.fromisoformat(paid_on_raw)
                    except ValueError:
                        return False
                    if day < period_start or day > today:
                        return False
                    known_day = days[paid_on_raw] = (day, day.isoformat())
                paid_on = known_day
            else:
                return False
            kind = type(hours_raw)
            if kind is not str and kind is not int:
                return False
            hours = hour_values.get(hours_raw)
            if hours is None:
                if hours_raw == "":
                    return False
                value = _parse_hours(hours_raw)
                if not isinstance(value, Decimal):
                    return False
                hours = (value, format(value, "f"))
                if len(hour_values) < _CACHE_MAX:
                    hour_values[hours_raw] = hours
            # Last, so that a line sent on to check() has not been recorded as seen.
            if first_seen.setdefault(id_raw, line_no) != line_no:
                return False
            lines += 1
            if result.bad_lines:
                return True
            payable_fen += payable[2]
            paid_fen += paid[2]
            records = result.records
            if copy_text:
                if not name.isprintable() or "\\" in name:
                    name = name.translate(_COPY_ESCAPES)
                records.append(
                    f"{prefix}{line_no}\t{id_raw}\t{name}\t{payable[1]}\t{paid[1]}\t{paid_on[1]}\t{hours[1]}\n"
                )
            else:
                records.append((ledger_id, line_no, id_raw, name, payable[0], paid[0], paid_on[0], hours[0]))
            if len(records) >= chunk_lines and self.emit is not None:
                hand_over()
            return True

        def sync() -> None:
            nonlocal lines, payable_fen, paid_fen
            result.line_count += lines
            result.total_payable += Decimal(payable_fen).scaleb(-2)
            result.total_paid += Decimal(paid_fen).scaleb(-2)
            lines = payable_fen = paid_fen = 0

        self._sync = sync
        return fast

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
            # From the first bad line on, nothing will be stored: stop building records.
            result.records.clear()
            return
        if result.bad_lines:
            return
        assert payable is not None and paid is not None
        result.total_payable += payable
        result.total_paid += paid
        record = (self.ledger_id, line_no, id_number, name, payable, paid, paid_on, hours)
        result.records.append(copy_text_line(record) if self.copy_text else record)
        if self.emit is not None and len(result.records) >= self.chunk_lines:
            self._hand_over()

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
        value = _parse_hours(raw)
        if not isinstance(value, Decimal):
            self.error(key, line_no, "hours", *value)
            return None
        return value

    def finish(self, loc: str) -> CheckedLines:
        """Whole-ledger checks after the last line; ``loc`` names the lines container."""
        self._sync()
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
        elif self.emit is not None:
            self._hand_over()
        return result


def check_json_lines(lines: list[Any], checker: LineChecker) -> CheckedLines:
    """``lines`` as decoded from JSON (a list of objects)."""
    result = checker.result
    check = checker.check
    fast = checker.fast
    fields = _JSON_FIELDS
    allowed = _COLUMN_SET
    for index, line in enumerate(lines):
        line_no = index + 1
        # The usual line: an object with exactly the six fields, each plain and valid.
        if type(line) is dict and len(line) == 6:
            try:
                values = fields(line)
            except KeyError:
                pass
            else:
                if fast(line_no, values):
                    continue
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
        fields = itemgetter(i_id, i_name, i_payable, i_paid, i_paid_on, i_hours)
        check = checker.check
        fast = checker.fast
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
            if fast(line_no, fields(row)):
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
