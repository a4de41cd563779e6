"""Masking of personal data: 身份证号, phone numbers and names.

The ``mask_*`` functions format one known field for a response (contract.md: ``5301**********1234``,
``138****5678``). :func:`redact_text` finds 身份证号 and mainland mobile numbers anywhere in free
text; the log formatter runs it on every line, so it is one precompiled regex and one pass.
It errs on the side of masking: any 18-character digit run shaped like an ID is masked.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["mask_id_number", "mask_name", "mask_phone", "redact_text"]

_MOBILE_RE: Final = re.compile(r"(\+?86)?(1[3-9][0-9]{9})")
_PHONE_SEPARATORS_RE: Final = re.compile(r"[\s\-()]")

# One alternation so a line is scanned once. ``(?<![0-9])`` and ``(?![0-9])`` keep matches out of
# longer digit runs; letters around a number do not protect it (``tel13800005678`` is masked).
# IDs may be grouped 6-8-4 and mobiles 3-4-4 with a space or hyphen, as people write them.
# The leading ``(?=[0-9+])`` lets the engine skip non-candidate positions quickly (about 2.5x).
_PII_RE: Final = re.compile(
    r"(?=[0-9+])(?<![0-9])(?:"
    r"(?P<id>[0-9]{6}[ -]?[0-9]{8}[ -]?[0-9]{3}[0-9Xx])"
    r"|(?P<cc>\+?86[ -]?)?(?P<mobile>1[3-9][0-9][ -]?[0-9]{4}[ -]?[0-9]{4})"
    r")(?![0-9])"
)


def _mask_between(value: str, keep_head: int, keep_tail: int) -> str:
    """Mask digits and letters except the first ``keep_head`` and last ``keep_tail``; keep separators."""
    total = sum(1 for ch in value if ch.isalnum())
    out: list[str] = []
    seen = 0
    for ch in value:
        if ch.isalnum():
            seen += 1
            if keep_head < seen <= total - keep_tail:
                ch = "*"
        out.append(ch)
    return "".join(out)


def mask_id_number(value: str) -> str:
    """``530102199001011234`` -> ``5301**********1234``: first 4 and last 4 kept."""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    """``13800005678`` -> ``138****5678``; other numbers keep only their last 4 digits."""
    compact = _PHONE_SEPARATORS_RE.sub("", value)
    mobile = _MOBILE_RE.fullmatch(compact)
    if mobile:
        number = mobile.group(2)
        return (mobile.group(1) or "") + number[:3] + "****" + number[-4:]
    digits = sum(1 for ch in value if ch.isdigit())
    if digits <= 4:
        return "".join("*" if ch.isdigit() else ch for ch in value)
    out: list[str] = []
    seen = 0
    for ch in value:
        if ch.isdigit():
            seen += 1
            if seen <= digits - 4:
                ch = "*"
        out.append(ch)
    return "".join(out)


def mask_name(value: str) -> str:
    """``张三丰`` -> ``张**``: the first character, then one ``*`` per remaining character."""
    name = value.strip()
    return name[:1] + "*" * (len(name) - 1) if name else ""


def _redact_match(match: re.Match[str]) -> str:
    id_number = match.group("id")
    if id_number is not None:
        return _mask_between(id_number, 4, 4)
    return (match.group("cc") or "") + _mask_between(match.group("mobile"), 3, 4)


def redact_text(text: str) -> str:
    """Mask every 身份证号 and mainland mobile number found in ``text``."""
    return _PII_RE.sub(_redact_match, text)
