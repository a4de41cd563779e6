"""The subjects' identifiers, checked at batch speed.

A check carries up to 1000 identifiers and validates every one; ``shared.identifiers`` spends
most of its time normalising (NFKC, separators, case) and in python-stdnum's USCC check
character (per-character ``clean`` and ``str.index``). Almost every identifier arrives already
canonical, so each one first takes a fast path: an identifier that is already in canonical
form and whose check character (and, for a 身份证号, birth date) is right is accepted as is.
Anything else, including every rejection, goes through ``shared.identifiers`` itself, so the
normalisation, the error codes and the messages are exactly its own: the fast path only ever
accepts what the shared validator would accept unchanged (tests/credit/test_check.py holds its
check character against stdnum's).
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from typing import Final

from stdnum.cn import ric as stdnum_ric

from shared.identifiers import validate_id_number, validate_uscc

# Canonical forms: anything matching these is unchanged by ``normalize_identifier`` (ASCII
# only, no separators, upper case), so the shared validator would check exactly this text.
_CANONICAL_USCC: Final = re.compile(r"[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}")
_CANONICAL_ID_NUMBER: Final = re.compile(r"[0-9]{17}[0-9X]")

# GB 32100-2015: the 31 characters, valued 0-30, weighted 3**i mod 31 (1, 3, 9, 27, 19, ...).
_USCC_ALPHABET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# Each character rewritten as the base-34 digit of its value. Since 34 = 3 (mod 31),
# int(reversed body, 34) = sum(value_i * 34**i) = sum(value_i * 3**i) (mod 31): the weighted
# sum computed by int() in C instead of a Python loop over 17 characters.
_USCC_DIGITS: Final = str.maketrans(
    _USCC_ALPHABET, "".join("0123456789abcdefghijklmnopqrstu"[i] for i in range(len(_USCC_ALPHABET)))
)


def uscc_check_character(body: str) -> str:
    """The 18th character of the canonical 17-character USCC ``body``."""
    return _USCC_ALPHABET[-int(body.translate(_USCC_DIGITS)[::-1], 34) % 31]


@lru_cache(maxsize=1 << 16)
def _valid_canonical_uscc(code: str) -> bool:
    # Cached: the same employers are checked again and again (a bidder, every tender). Only
    # ever given 18 characters, so the cache holds at most 65,536 short strings.
    return bool(_CANONICAL_USCC.fullmatch(code)) and uscc_check_character(code[:17]) == code[17]


def canonical_uscc(raw: str) -> bool:
    """Whether ``raw`` is a valid USCC already in canonical form (``uscc(raw) == raw``)."""
    return len(raw) == 18 and _valid_canonical_uscc(raw)


def uscc(raw: str) -> str:
    """The normalised 统一社会信用代码, or :class:`~shared.identifiers.IdentifierError`."""
    if len(raw) == 18 and _valid_canonical_uscc(raw):
        return raw
    return validate_uscc(raw)


def id_number(raw: str, today: date) -> str:
    """The normalised 居民身份证号码 (born by ``today``), or
    :class:`~shared.identifiers.IdentifierError`."""
    if _CANONICAL_ID_NUMBER.fullmatch(raw) and stdnum_ric.calc_check_digit(raw) == raw[17]:
        try:
            born = date(int(raw[6:10]), int(raw[10:12]), int(raw[12:14]))
        except ValueError:
            pass  # the shared validator names the reason
        else:
            if born <= today:
                return raw
    return validate_id_number(raw, today=today)
