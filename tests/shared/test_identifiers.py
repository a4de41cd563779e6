from __future__ import annotations

import json
import random
from datetime import date

import pytest
from pydantic import BaseModel, ValidationError
from stdnum.cn import ric as stdnum_ric
from stdnum.cn import uscc as stdnum_uscc

from shared.identifiers import (
    USCC,
    DistrictCode,
    IdentifierError,
    IdNumber,
    IndustryCode,
    id_number_check_character,
    make_id_number,
    make_uscc,
    normalize_identifier,
    uscc_check_character,
    validate_district_code,
    validate_id_number,
    validate_industry_code,
    validate_uscc,
)

# domain.md §7.1 and §7.2, written out here so the tests prove stdnum agrees with the standard.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]

VALID_USCC = make_uscc("91530102MA6K0000X")
VALID_ID = make_id_number("53010219900101123")


def _uscc_check_by_hand(body17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(body17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def _id_check_by_hand(body17: str) -> str:
    total = sum(int(c) * w for c, w in zip(body17, ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11]


def _flip_last(value: str, alphabet: str) -> str:
    replacement = next(c for c in alphabet if c != value[-1])
    return value[:-1] + replacement


def _uscc_code(raw: str) -> str:
    with pytest.raises(IdentifierError) as info:
        validate_uscc(raw)
    return info.value.code


def _id_code(raw: str, today: date | None = None) -> str:
    with pytest.raises(IdentifierError) as info:
        validate_id_number(raw, today=today)
    return info.value.code


# -- normalisation --------------------------------------------------------------------------


def test_normalize_folds_full_width_spaces_hyphens_and_case() -> None:
    assert normalize_identifier("\u3000９１５３０１０２ ｍａ６ｋ－0000 x ") == "91530102MA6K0000X"
    assert normalize_identifier(" 530102\u00a019900101\u20141231 ") == "530102199001011231"


# -- 统一社会信用代码 ---------------------------------------------------------------------------


def test_uscc_check_character_matches_gb32100_by_hand() -> None:
    for body in ["91530102MA6K0000X", "52530100MJ0000001", "Y1530102000000000", "N2530115ABCDEFGH0"]:
        assert make_uscc(body)[-1] == _uscc_check_by_hand(body)


def test_uscc_published_example_is_valid() -> None:
    # The example in python-stdnum's documentation, checked by hand as well.
    assert _uscc_check_by_hand("91110000600037341") == "L"
    assert validate_uscc("91110000600037341L") == "91110000600037341L"


def test_uscc_accepts_full_width_lower_case_and_spaces() -> None:
    messy = " " + VALID_USCC[:8].translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    messy += " " + VALID_USCC[8:].lower() + "\u3000"
    assert validate_uscc(messy) == VALID_USCC


def test_uscc_accepts_letter_registration_authority() -> None:
    # GB 32100: N 农业 (村集体经济组织), Y 其他; python-stdnum's validate() would reject these.
    for body in ["N2530115ABCDEFGH0", "Y1530102000000000"]:
        code = make_uscc(body)
        assert validate_uscc(code) == code


def test_uscc_rejects_bad_length() -> None:
    assert _uscc_code(VALID_USCC[:-1]) == "uscc_invalid_length"
    assert _uscc_code(VALID_USCC + "1") == "uscc_invalid_length"
    assert _uscc_code("") == "uscc_invalid_length"


@pytest.mark.parametrize("letter", ["I", "O", "S", "V", "Z"])
def test_uscc_rejects_letters_outside_the_alphabet(letter: str) -> None:
    assert _uscc_code(VALID_USCC[:10] + letter + VALID_USCC[11:]) == "uscc_invalid_format"


def test_uscc_rejects_letters_in_the_region_code() -> None:
    assert _uscc_code("9153A102MA6K0000XN") == "uscc_invalid_format"
    assert _uscc_code("91530102MA6K0000X#") == "uscc_invalid_format"


def test_uscc_rejects_bad_check_character() -> None:
    with pytest.raises(IdentifierError) as info:
        validate_uscc(_flip_last(VALID_USCC, USCC_ALPHABET))
    error = info.value
    assert error.code == "uscc_invalid_checksum"
    assert error.message == "统一社会信用代码校验位不正确"


# -- 居民身份证号码 ----------------------------------------------------------------------------


def test_id_check_digit_matches_gb11643_by_hand() -> None:
    for body in ["53010219900101123", "53010219900101001", "11010519491231002", "53012219851203052"]:
        assert make_id_number(body)[-1] == _id_check_by_hand(body)
    # Some body must need the X check character, or the table is not exercised.
    assert make_id_number("53010219900101001").endswith("X")


def test_id_accepts_full_width_lower_case_x_and_spaces() -> None:
    with_x = make_id_number("53010219900101001")
    messy = "５３０１０２ 19900101-001ｘ"
    assert validate_id_number(messy) == with_x


def test_id_accepts_obsolete_address_code() -> None:
    # 530122 晋宁县 became 530115 晋宁区 in 2016 (domain.md §7.3); IDs keep their old code.
    for birth in ["19851203", "20200101"]:
        old = make_id_number("530122" + birth + "052")
        assert validate_id_number(old) == old
    unknown_region = make_id_number("99999919900101123")
    assert validate_id_number(unknown_region) == unknown_region


def test_id_rejects_bad_length() -> None:
    assert _id_code(VALID_ID[:-1]) == "id_number_invalid_length"
    assert _id_code("530102900101123") == "id_number_invalid_length"  # the old 15-digit form


def test_id_rejects_bad_format() -> None:
    assert _id_code("53010219900101A231") == "id_number_invalid_format"
    assert _id_code("X30102199001011231") == "id_number_invalid_format"
    assert _id_code("53010219900101123Y") == "id_number_invalid_format"


def test_id_rejects_bad_check_digit() -> None:
    with pytest.raises(IdentifierError) as info:
        validate_id_number(_flip_last(VALID_ID, "0123456789X"))
    error = info.value
    assert error.code == "id_number_invalid_checksum"
    assert error.message == "身份证号码校验位不正确"


@pytest.mark.parametrize("birth", ["19900230", "19901301", "19900100", "20230229"])
def test_id_rejects_impossible_birth_date(birth: str) -> None:
    with pytest.raises(IdentifierError) as info:
        validate_id_number(make_id_number("530102" + birth + "123"))
    error = info.value
    assert error.code == "id_number_invalid_birth_date"
    assert error.message == "身份证号码出生日期无效"


def test_id_accepts_leap_day() -> None:
    number = make_id_number("53010220000229123")
    assert validate_id_number(number) == number


def test_id_rejects_future_birth_date() -> None:
    number = make_id_number("53010220300101123")
    assert _id_code(number) == "id_number_invalid_birth_date"
    assert _id_code(number, today=date(2029, 12, 31)) == "id_number_invalid_birth_date"
    assert validate_id_number(number, today=date(2030, 1, 1)) == number


# -- other codes ----------------------------------------------------------------------------


def test_district_code() -> None:
    assert validate_district_code(" ５３０１０２ ") == "530102"
    for bad in ["53010", "5301021", "53O102", ""]:
        with pytest.raises(IdentifierError) as info:
            validate_district_code(bad)
        assert info.value.code == "district_code_invalid"


def test_industry_code() -> None:
    for good, normal in [("6020", "6020"), ("g", "G"), ("60", "60"), ("602", "602"), ("Ｔ", "T")]:
        assert validate_industry_code(good) == normal
    for bad in ["6", "60201", "U", "GG", "G60", ""]:
        with pytest.raises(IdentifierError) as info:
            validate_industry_code(bad)
        assert info.value.code == "industry_code_invalid"


def test_make_helpers_refuse_bad_bodies() -> None:
    with pytest.raises(ValueError):
        make_uscc("91530102MA6K0000")
    with pytest.raises(ValueError):
        make_id_number("5301021990010112X")


# -- pydantic types -------------------------------------------------------------------------


class Employer(BaseModel):
    uscc: USCC
    district_code: DistrictCode
    industry_code: IndustryCode


class Complainant(BaseModel):
    id_number: IdNumber


class Complaint(BaseModel):
    complainant: Complainant
    employer: Employer


def _complaint(**employer_changes: str) -> dict[str, object]:
    employer = {"uscc": VALID_USCC, "district_code": "530102", "industry_code": "6020"}
    employer.update(employer_changes)
    return {"complainant": {"id_number": VALID_ID}, "employer": employer}


def test_pydantic_types_normalise() -> None:
    body = _complaint(uscc=VALID_USCC.lower(), industry_code="g")
    body["complainant"] = {"id_number": " ".join([VALID_ID[:6], VALID_ID[6:14], VALID_ID[14:]])}
    complaint = Complaint.model_validate(body)
    assert complaint.employer.uscc == VALID_USCC
    assert complaint.employer.industry_code == "G"
    assert complaint.complainant.id_number == VALID_ID


def test_pydantic_error_names_field_code_and_message() -> None:
    body = _complaint(uscc=_flip_last(VALID_USCC, USCC_ALPHABET), district_code="5301")
    body["complainant"] = {"id_number": make_id_number("53010219900230123")}
    with pytest.raises(ValidationError) as info:
        Complaint.model_validate_json(json.dumps(body))
    errors = {error["loc"]: error for error in info.value.errors()}
    assert errors[("employer", "uscc")]["type"] == "uscc_invalid_checksum"
    assert errors[("employer", "uscc")]["msg"] == "统一社会信用代码校验位不正确"
    assert errors[("employer", "district_code")]["type"] == "district_code_invalid"
    assert errors[("complainant", "id_number")]["type"] == "id_number_invalid_birth_date"
    assert errors[("complainant", "id_number")]["msg"] == "身份证号码出生日期无效"
    assert len(errors) == 3


def test_pydantic_rejects_non_string() -> None:
    with pytest.raises(ValidationError) as info:
        Complainant.model_validate({"id_number": 530102199001011231})
    assert info.value.errors()[0]["type"] == "string_type"


def test_pydantic_json_schema_is_a_string() -> None:
    schema = Employer.model_json_schema()
    assert schema["properties"]["uscc"]["type"] == "string"
    assert schema["properties"]["industry_code"]["examples"] == ["6020"]


def test_batch_speed_check_characters_are_stdnums() -> None:
    rng = random.Random(7)
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    for _ in range(20_000):
        body = "".join(rng.choice(alphabet) for _ in range(17))
        assert uscc_check_character(body) == stdnum_uscc.calc_check_digit(body), body
        digits = "".join(rng.choice("0123456789") for _ in range(17))
        assert id_number_check_character(digits) == stdnum_ric.calc_check_digit(digits + "0"), digits
