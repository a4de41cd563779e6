"""Numbers as the bureau writes them: large ones in 万 (7.09万户, 100.64万人（次）, 2346.89万元),
small ones plain (6名, 4200元)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Final

TEN_THOUSAND: Final = Decimal(10000)
_HUNDREDTH: Final = Decimal("0.01")


def _plain(value: Decimal) -> str:
    """Two places at most, trailing zeros dropped: 31.50 -> 31.5, 12.00 -> 12."""
    text = format(value.quantize(_HUNDREDTH, rounding=ROUND_HALF_UP), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def wan(value: int | Decimal | str, unit: str = "") -> str:
    """``70900`` -> ``7.09万``; ``Decimal("23468900.00"), "元"`` -> ``2346.89万元``; ``6`` -> ``6``.

    From ten thousand up the figure is given in 万 to two places (rounded half up, trailing
    zeros dropped); below it the figure stays as it is, money without a trailing ``.00``."""
    number = Decimal(value)
    if abs(number) >= TEN_THOUSAND:
        return f"{_plain(number / TEN_THOUSAND)}万{unit}"
    return f"{_plain(number)}{unit}"
