"""Identifiers used everywhere: 统一社会信用代码, 居民身份证号码, 行政区划代码, 行业代码.

Input is normalised first (trim, full-width to half-width, inner spaces and hyphens removed,
upper case), then checked. The check characters are those of python-stdnum
(``stdnum.cn.uscc``, ``stdnum.cn.ric``), computed at batch speed by the two functions below
that the tests hold to it; the structural checks are ours because stdnum is stricter than the
standards in two places (domain.md §7):

* ``stdnum.cn.uscc.validate`` wants digits in positions 1-2, but GB 32100-2015 also issues
  codes whose registration authority is a letter (A 军队, N 农业 — 村集体经济组织, Y 其他).
* ``stdnum.cn.ric.validate`` rejects an address prefix that is not in its region table for the
  birth year, but an ID keeps the code it was issued with (530122 晋宁县 became 530115 晋宁区 in
  2016, and later-born residents may still carry it), so §7.2 forbids that rejection.

Every rejection has a stable English ``code`` and a Chinese ``message``. The plain functions
raise :class:`IdentifierError`; the pydantic types raise ``PydanticCustomError(code, message)``
so a request body error names the field, the code and the message.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from typing import Annotated, Final

from pydantic import AfterValidator, WithJsonSchema
from pydantic_core import PydanticCustomError
from stdnum.cn import ric as stdnum_ric
from stdnum.cn import uscc as stdnum_uscc

__all__ = [
    "USCC",
    "DistrictCode",
    "IdNumber",
    "IdentifierError",
    "IndustryCode",
    "Phone",
    "make_id_number",
    "make_uscc",
    "normalize_identifier",
    "validate_district_code",
    "validate_id_number",
    "validate_industry_code",
    "validate_phone",
    "validate_uscc",
]

# China has used +08:00 all year since 1991; a fixed offset avoids depending on tzdata.
_CHINA_TZ: Final = timezone(timedelta(hours=8))

# Characters removed anywhere in an identifier after NFKC: whitespace and the dash family.
_SEPARATORS_RE: Final = re.compile(r"[\s\-\u2010-\u2015\u2212]+")

# GB 32100-2015 (domain.md §7.1): 31-character alphabet without I, O, S, V, Z.
_USCC_RE: Final = re.compile(r"[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}")
_ID_NUMBER_RE: Final = re.compile(r"[0-9]{17}[0-9X]")
_DISTRICT_CODE_RE: Final = re.compile(r"[0-9]{6}")
# GB/T 4754-2017: 门类 A-T, 大类 2 digits, 中类 3, 小类 4.
_INDUSTRY_CODE_RE: Final = re.compile(r"[A-T]|[0-9]{2,4}")

_MESSAGES: Final[dict[str, str]] = {
    "uscc_invalid_length": "统一社会信用代码应为18位",
    "uscc_invalid_format": "统一社会信用代码格式不正确（只能包含数字和大写字母，不含 I、O、S、V、Z）",
    "uscc_invalid_checksum": "统一社会信用代码校验位不正确",
    "id_number_invalid_length": "身份证号码应为18位",
    "id_number_invalid_format": "身份证号码格式不正确（前17位应为数字，末位为数字或 X）",
    "id_number_invalid_checksum": "身份证号码校验位不正确",
    "id_number_invalid_birth_date": "身份证号码出生日期无效",
    "district_code_invalid": "行政区划代码应为6位数字",
    "industry_code_invalid": "行业代码应为 GB/T 4754 门类字母（A-T）或2至4位数字",
    "phone_invalid": "电话号码格式不正确（手机号11位，或带区号的固定电话）",
}
# Mainland mobile numbers, or a landline with its 3-4 digit area code (0871 for Kunming).
_PHONE_RE: Final = re.compile(r"1[3-9][0-9]{9}|0[1-9][0-9]{1,2}[0-9]{7,8}|[0-9]{7,8}")


class IdentifierError(ValueError):
    """An identifier failed its check; ``code`` is stable English, ``message`` Chinese."""

    def __init__(self, code: str, message: str | None = None) -> None:
        self.code = code
        self.message = message if message is not None else _MESSAGES[code]
        super().__init__(f"{self.code}: {self.message}")


def normalize_identifier(raw: str) -> str:
    """Trim, fold full-width to half-width, drop inner spaces and hyphens, upper-case."""
    # NFKC folds full-width letters, digits and the ideographic space (U+3000) to ASCII.
    folded = unicodedata.normalize("NFKC", raw.replace("\u3000", " "))
    return _SEPARATORS_RE.sub("", folded).upper()


def _fail(code: str) -> IdentifierError:
    return IdentifierError(code, _MESSAGES[code])


def validate_uscc(raw: str) -> str:
    """Return the normalised 统一社会信用代码 or raise :class:`IdentifierError`."""
    value = normalize_identifier(raw)
    if len(value) != 18:
        raise _fail("uscc_invalid_length")
    if not _USCC_RE.fullmatch(value):
        raise _fail("uscc_invalid_format")
    if uscc_check_character(value[:17]) != value[17]:
        raise _fail("uscc_invalid_checksum")
    return value


def _china_today() -> date:
    return datetime.now(_CHINA_TZ).date()


def validate_id_number(raw: str, *, today: date | None = None) -> str:
    """Return the normalised 居民身份证号码 or raise :class:`IdentifierError`.

    The address prefix is deliberately not checked against the current region table.
    ``today`` (default: today in China) bounds the birth date.
    """
    value = normalize_identifier(raw)
    if len(value) != 18:
        raise _fail("id_number_invalid_length")
    if not _ID_NUMBER_RE.fullmatch(value):
        raise _fail("id_number_invalid_format")
    if id_number_check_character(value[:17]) != value[17]:
        raise _fail("id_number_invalid_checksum")
    # Positions 7-14 are YYYYMMDD (GB 11643). Parsed directly: this runs once per payroll
    # line, a million times a month, and stdnum's parser took half the validation time.
    try:
        birth_date = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise _fail("id_number_invalid_birth_date") from None
    if birth_date > (today or _china_today()):
        raise _fail("id_number_invalid_birth_date")
    return value


def validate_district_code(raw: str) -> str:
    """Return the normalised 6-digit 行政区划代码 or raise :class:`IdentifierError`."""
    value = normalize_identifier(raw)
    if not _DISTRICT_CODE_RE.fullmatch(value):
        raise _fail("district_code_invalid")
    return value


def validate_industry_code(raw: str) -> str:
    """Return the normalised GB/T 4754 code (门类 letter or 2-4 digits) or raise."""
    value = normalize_identifier(raw)
    if not _INDUSTRY_CODE_RE.fullmatch(value):
        raise _fail("industry_code_invalid")
    return value


def validate_phone(raw: str) -> str:
    value = normalize_identifier(raw)
    if value.startswith("+86"):
        value = value[3:]
    if not _PHONE_RE.fullmatch(value):
        raise _fail("phone_invalid")
    return value


# -- check characters at batch speed ---------------------------------------------------------
# python-stdnum stays the reference: make_* use it, and tests/shared holds these two to it over
# random inputs. They compute the same characters with one C-level int() instead of stdnum's
# per-character clean-up and loop (8 us a USCC), for validate_* (once the value has passed the
# format's regular expression: canonical characters only) and the hot loops: 1000 identifiers
# per credit check, a million payroll lines a month, two identifiers per complaint.
_USCC_ALPHABET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# Each character as the base-34 digit of its value 0-30. Since 34 = 3 (mod 31),
# int(reversed body, 34) = sum(value_i * 3**i) (mod 31): GB 32100's weighted sum.
_USCC_BASE34: Final = str.maketrans(_USCC_ALPHABET, "0123456789abcdefghijklmnopqrstu")
_ID_CHECK: Final = tuple("X" if n == 10 else str(n) for n in range(11))


def uscc_check_character(body17: str) -> str:
    """GB 32100 check character of 17 canonical characters (upper case, USCC alphabet)."""
    return _USCC_ALPHABET[-int(body17.translate(_USCC_BASE34)[::-1], 34) % 31]


def id_number_check_character(body17: str) -> str:
    """GB 11643 check character of 17 ASCII digits: (1 - 2 * int(body, 13)) % 11, as
    stdnum.cn.ric computes it."""
    return _ID_CHECK[(1 - 2 * int(body17, 13)) % 11]


def make_uscc(body17: str) -> str:
    """Append the GB 32100 check character to 17 characters (for tests and fixtures)."""
    if not _USCC_RE.fullmatch(body17 + "0"):
        raise ValueError(f"not the first 17 characters of a USCC: {body17!r}")
    return body17 + stdnum_uscc.calc_check_digit(body17)


def make_id_number(body17: str) -> str:
    """Append the GB 11643 check character to 17 digits (for tests and fixtures)."""
    if not _ID_NUMBER_RE.fullmatch(body17 + "0"):
        raise ValueError(f"not the first 17 digits of an ID number: {body17!r}")
    # stdnum expects the full 18 characters and ignores the last one.
    return body17 + stdnum_ric.calc_check_digit(body17 + "0")


def _pydantic(check: Callable[[str], str]) -> Callable[[str], str]:
    def validate(value: str) -> str:
        try:
            return check(value)
        except IdentifierError as exc:
            raise PydanticCustomError(exc.code, exc.message) from None

    return validate


def _schema(description: str, example: str) -> WithJsonSchema:
    return WithJsonSchema({"type": "string", "description": description, "examples": [example]})


USCC = Annotated[
    str,
    AfterValidator(_pydantic(validate_uscc)),
    _schema("统一社会信用代码（GB 32100，18位，校验位已核验）", "91530102MA6K0000XN"),
]
IdNumber = Annotated[
    str,
    AfterValidator(_pydantic(validate_id_number)),
    _schema("居民身份证号码（GB 11643，18位，校验位和出生日期已核验）", "530102199001011231"),
]
DistrictCode = Annotated[
    str,
    AfterValidator(_pydantic(validate_district_code)),
    _schema("行政区划代码（GB/T 2260，6位数字）", "530102"),
]
IndustryCode = Annotated[
    str,
    AfterValidator(_pydantic(validate_industry_code)),
    _schema("国民经济行业分类代码（GB/T 4754-2017，门类字母或2至4位数字）", "6020"),
]
Phone = Annotated[
    str,
    AfterValidator(_pydantic(validate_phone)),
    _schema("电话号码（手机号或带区号的固定电话）", "13800005678"),
]
