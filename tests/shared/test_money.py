from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import BaseModel, ValidationError

from shared.money import (
    Money,
    MoneyError,
    SignedMoney,
    format_money,
    quantize_money,
    to_money,
)


class Claim(BaseModel):
    amount_claimed: Money


class Adjustment(BaseModel):
    delta: SignedMoney


class Payroll(BaseModel):
    payable: Money
    paid: Money | None = None


def _code(value: object, *, allow_negative: bool = False) -> str:
    with pytest.raises(MoneyError) as info:
        to_money(value, allow_negative=allow_negative)
    return info.value.code


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("4200.00", "4200.00"),
        ("4200", "4200.00"),
        ("4200.5", "4200.50"),
        (" 36000.00 ", "36000.00"),
        ("0", "0.00"),
        ("-0.00", "0.00"),
        ("4200.000", "4200.00"),
        (4200, "4200.00"),
        (Decimal("12.3"), "12.30"),
        ("999999999999.99", "999999999999.99"),
    ],
)
def test_to_money_accepts_and_quantizes(raw: object, expected: str) -> None:
    amount = to_money(raw)
    assert amount == Decimal(expected)
    assert str(amount) == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (4200.0, "money_float_not_allowed"),
        (0.1, "money_float_not_allowed"),
        ("4200.001", "money_too_many_decimals"),
        ("0.005", "money_too_many_decimals"),
        ("-1.00", "money_negative"),
        ("NaN", "money_not_finite"),
        ("Infinity", "money_not_finite"),
        (Decimal("NaN"), "money_not_finite"),
        ("1e3", "money_invalid"),
        ("1_000", "money_invalid"),
        ("4,200.00", "money_invalid"),
        ("４２００", "money_invalid"),
        ("", "money_invalid"),
        ("abc", "money_invalid"),
        (True, "money_invalid"),
        (None, "money_invalid"),
        ("1000000000000.00", "money_too_large"),
        ("9" * 40, "money_too_large"),
    ],
)
def test_to_money_rejects(raw: object, code: str) -> None:
    assert _code(raw) == code


def test_float_message_shows_the_string_form() -> None:
    with pytest.raises(MoneyError) as info:
        to_money(4200.0)
    assert info.value.message == '金额必须以字符串表示，例如 "4200.00"'


def test_negative_allowed_when_asked() -> None:
    assert to_money("-120.5", allow_negative=True) == Decimal("-120.50")
    assert _code("-120.555", allow_negative=True) == "money_too_many_decimals"


def test_format_money() -> None:
    assert format_money(Decimal("4200")) == "4200.00"
    assert format_money(Decimal("1E+3")) == "1000.00"
    assert format_money(Decimal("0E-8")) == "0.00"
    assert format_money(Decimal("2.005")) == "2.01"  # half up, not banker's rounding
    assert format_money(Decimal("-0.001")) == "0.00"


def test_quantize_money_rounds_half_up() -> None:
    assert quantize_money(Decimal("4200") * Decimal("0.5") / 3) == Decimal("700.00")
    assert quantize_money(Decimal("0.125")) == Decimal("0.13")


def test_model_parses_string_and_serialises_string() -> None:
    claim = Claim.model_validate_json('{"amount_claimed": "36000"}')
    assert claim.amount_claimed == Decimal("36000.00")
    assert claim.model_dump_json() == '{"amount_claimed":"36000.00"}'
    assert claim.model_dump() == {"amount_claimed": Decimal("36000.00")}


def test_model_accepts_json_integer() -> None:
    assert Claim.model_validate_json('{"amount_claimed": 4200}').amount_claimed == Decimal("4200.00")


def test_model_rejects_json_float_with_code_and_location() -> None:
    with pytest.raises(ValidationError) as info:
        Claim.model_validate_json('{"amount_claimed": 4200.00}')
    (error,) = info.value.errors()
    assert error["type"] == "money_float_not_allowed"
    assert error["loc"] == ("amount_claimed",)
    assert error["msg"] == '金额必须以字符串表示，例如 "4200.00"'


def test_model_rejects_too_many_decimals_and_negative() -> None:
    with pytest.raises(ValidationError) as info:
        Payroll.model_validate({"payable": "1.234", "paid": "-5"})
    errors = {e["loc"]: e["type"] for e in info.value.errors()}
    assert errors == {("payable",): "money_too_many_decimals", ("paid",): "money_negative"}


def test_optional_money() -> None:
    assert Payroll.model_validate({"payable": "10"}).paid is None
    assert Payroll.model_validate({"payable": "10", "paid": None}).model_dump_json() == (
        '{"payable":"10.00","paid":null}'
    )


def test_signed_money_in_a_model() -> None:
    assert Adjustment.model_validate({"delta": "-12.5"}).model_dump_json() == '{"delta":"-12.50"}'


def test_json_schema_says_string() -> None:
    schema = Claim.model_json_schema()
    assert schema["properties"]["amount_claimed"]["type"] == "string"
    assert schema["properties"]["amount_claimed"]["examples"] == ["4200.00"]
