from __future__ import annotations

import pytest

from shared.masking import mask_id_number, mask_name, mask_phone, redact_text


def test_mask_id_number_keeps_first_and_last_four() -> None:
    assert mask_id_number("530102199001011234") == "5301**********1234"
    assert mask_id_number("53010219900101001X") == "5301**********001X"


def test_mask_id_number_masks_short_values_entirely() -> None:
    assert mask_id_number("12345678") == "********"
    assert mask_id_number("") == ""


def test_mask_phone_mobile() -> None:
    assert mask_phone("13800005678") == "138****5678"
    assert mask_phone("138 0000 5678") == "138****5678"
    assert mask_phone("+86 138-0000-5678") == "+86138****5678"


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("0871-65123456", "****-****3456"),
        ("65123456", "****3456"),
        ("12345", "*2345"),
        ("110", "***"),
        ("12345678901", "*******8901"),  # 11 digits but not a mobile (second digit 2)
    ],
)
def test_mask_phone_other_numbers_keep_last_four(raw: str, masked: str) -> None:
    assert mask_phone(raw) == masked


def test_mask_name() -> None:
    assert mask_name("张三丰") == "张**"
    assert mask_name("李四") == "李*"
    assert mask_name(" 王 ") == "王"
    assert mask_name("") == ""


def test_redact_text_masks_ids_and_mobiles() -> None:
    text = "投诉人张三，身份证530102199001011234，电话13800005678，欠薪4200元"
    assert redact_text(text) == "投诉人张三，身份证5301**********1234，电话138****5678，欠薪4200元"


def test_redact_text_in_a_json_log_line() -> None:
    line = '{"msg":"accepted","id_number":"53010219900101001x","phone":"+8613912345678"}'
    assert redact_text(line) == '{"msg":"accepted","id_number":"5301**********001x","phone":"+86139****5678"}'


def test_redact_text_masks_grouped_forms() -> None:
    assert redact_text("电话 138-0000-5678 或 139 1234 5678") == "电话 138-****-5678 或 139 **** 5678"
    assert redact_text("证号 530102 19900101 1234") == "证号 5301** ******** 1234"


def test_redact_text_masks_numbers_glued_to_letters() -> None:
    assert redact_text("tel13800005678ext") == "tel138****5678ext"


@pytest.mark.parametrize(
    "text",
    [
        "订单号 1380000567812",  # 13 digits: not a mobile
        "流水 5301021990010112345",  # 19 digits: not an ID
        "金额 12800005678",  # 11 digits starting 12: not a mobile
        "时间 2026-10-13T08:00:00.123+08:00",
        "request 550e8400-e29b-41d4-a716-446655440000",
        "",
    ],
)
def test_redact_text_leaves_other_numbers_alone(text: str) -> None:
    assert redact_text(text) == text


def test_redact_text_several_matches_in_one_line() -> None:
    text = "13800005678,13900001111;530102199001011234"
    assert redact_text(text) == "138****5678,139****1111;5301**********1234"
