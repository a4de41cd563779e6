"""Money: yuan as :class:`~decimal.Decimal` with two places, a string on the wire.

contract.md: money is a decimal string in yuan with two places (``"4200.00"``), never a float.
:data:`Money` accepts a decimal string or an int (and a ``Decimal`` from Python code), rejects
floats, NaN, infinities, exponent notation, negative amounts and more than two decimal places,
and quantizes to two places. Trailing zeros beyond the second place (``"4200.000"``) lose
nothing and are accepted. :data:`SignedMoney` also accepts negative amounts (differences,
corrections). In JSON output both are strings; in ``model_dump()`` they stay ``Decimal``.

The ceiling :data:`MAX_AMOUNT` matches a ``NUMERIC(14, 2)`` column, so an absurd amount is a 422,
not a database error.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated, Final

from pydantic import PlainSerializer, PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

__all__ = [
    "MAX_AMOUNT",
    "Money",
    "MoneyError",
    "SignedMoney",
    "format_money",
    "quantize_money",
    "to_money",
]

CENT: Final = Decimal("0.01")
MAX_AMOUNT: Final = Decimal("999999999999.99")

# Plain decimal notation only: no exponent, no underscores, no thousands separators.
_DECIMAL_RE: Final = re.compile(r"-?[0-9]{1,40}(?:\.[0-9]{1,40})?")

_MESSAGES: Final[dict[str, str]] = {
    "money_float_not_allowed": '金额必须以字符串表示，例如 "4200.00"',
    "money_invalid": '金额格式不正确，应为十进制数字字符串，例如 "4200.00"',
    "money_not_finite": "金额必须是有限数值",
    "money_negative": "金额不能为负数",
    "money_too_many_decimals": "金额最多保留两位小数",
    "money_too_large": "金额超出允许范围",
}


class MoneyError(ValueError):
    """An amount was rejected; ``code`` is stable English, ``message`` Chinese."""

    def __init__(self, code: str) -> None:
        self.code = code
        self.message = _MESSAGES[code]
        super().__init__(f"{self.code}: {self.message}")


def _parse(value: object) -> Decimal:
    # bool is an int subclass; True is not one yuan.
    if isinstance(value, bool):
        raise MoneyError("money_invalid")
    if isinstance(value, float):
        raise MoneyError("money_float_not_allowed")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise MoneyError("money_not_finite")
        return value
    if isinstance(value, str):
        text = value.strip()
        if _DECIMAL_RE.fullmatch(text):
            return Decimal(text)
        try:
            parsed = Decimal(text)
        except InvalidOperation:
            raise MoneyError("money_invalid") from None
        raise MoneyError("money_invalid" if parsed.is_finite() else "money_not_finite")
    raise MoneyError("money_invalid")


def to_money(value: object, *, allow_negative: bool = False) -> Decimal:
    """Parse an amount (decimal string, int or Decimal) to a Decimal with exactly two places.

    Raises :class:`MoneyError` with the same codes the pydantic types report.
    """
    amount = _parse(value)
    if amount < 0 and not allow_negative:
        raise MoneyError("money_negative")
    # Checked before quantize(), which fails beyond the context's 28 digits.
    if abs(amount) > MAX_AMOUNT:
        raise MoneyError("money_too_large")
    quantized = amount.quantize(CENT)
    if quantized != amount:
        raise MoneyError("money_too_many_decimals")
    # Decimal("-0.00") would print with its sign.
    return quantized if quantized else Decimal("0.00")


def quantize_money(amount: Decimal) -> Decimal:
    """Round a computed amount to the fen, half up (四舍五入), e.g. a penalty of 50% of wages."""
    rounded = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    return rounded if rounded else Decimal("0.00")


def format_money(amount: Decimal) -> str:
    """``Decimal("4200")`` -> ``"4200.00"``: two places, half up, never exponent notation."""
    return format(quantize_money(amount), "f")


def _validator(allow_negative: bool) -> PlainValidator:
    def validate(value: object) -> Decimal:
        try:
            return to_money(value, allow_negative=allow_negative)
        except MoneyError as exc:
            raise PydanticCustomError(exc.code, exc.message) from None

    return PlainValidator(validate)


_SERIALIZER: Final = PlainSerializer(format_money, return_type=str, when_used="json")

Money = Annotated[
    Decimal,
    _validator(allow_negative=False),
    _SERIALIZER,
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^[0-9]+(\.[0-9]{1,2})?$",
            "description": "金额（元），十进制字符串，最多两位小数",
            "examples": ["4200.00"],
        }
    ),
]
SignedMoney = Annotated[
    Decimal,
    _validator(allow_negative=True),
    _SERIALIZER,
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^-?[0-9]+(\.[0-9]{1,2})?$",
            "description": "金额（元，可为负），十进制字符串，最多两位小数",
            "examples": ["-120.50"],
        }
    ),
]
