"""The subjects' identifiers, checked at batch speed.

A check carries up to 1000 identifiers and validates every one; ``shared.identifiers`` spends
most of its time normalising (NFKC, separators, case) before its checks. Almost every
identifier arrives already canonical, so each one first takes a fast path: an identifier that
is already in canonical form and whose check character (``shared.identifiers``' batch-speed
functions; for a 身份证号, also the birth date) is right is accepted as is.
Anything else, including every rejection, goes through ``shared.identifiers`` itself, so the
normalisation, the error codes and the messages are exactly its own: the fast path only ever
accepts what the shared validator would accept unchanged (tests/credit/test_check.py holds the
two paths to the same answers).
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from typing import Final

from shared.identifiers import (
    id_number_check_character,
    uscc_check_character,
    validate_id_number,
    validate_uscc,
)

# Canonical forms: anything matching these is unchanged by ``normalize_identifier`` (ASCII
# only, no separators, upper case), so the shared validator would check exactly this text.
_CANONICAL_USCC: Final = re.compile(r"[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}")
_CANONICAL_ID_NUMBER: Final = re.compile(r"[0-9]{17}[0-9X]")


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
    if _CANONICAL_ID_NUMBER.fullmatch(raw) and id_number_check_character(raw[:17]) == raw[17]:
        try:
            born = date(int(raw[6:10]), int(raw[10:12]), int(raw[12:14]))
        except ValueError:
            pass  # the shared validator names the reason
        else:
            if born <= today:
                return raw
    return validate_id_number(raw, today=today)
