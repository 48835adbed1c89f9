from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import translation

from egov.accounts.models import AccountKind, User
from egov.accounts.validators import (
    LettersAndDigitsValidator,
    validate_national_id,
    validate_phone,
    validate_staff_username,
    validate_tax_code,
)


@pytest.mark.parametrize("value", ["091090001234", "000000000000"])
def test_cccd_accepts_twelve_digits(value: str) -> None:
    validate_national_id(value)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "09109000123",
        "0910900012345",
        "09109000123a",
        "091 090 001 234",
        "０９１０９０００１２３４",
    ],
)
def test_cccd_refuses_anything_else(value: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_national_id(value)
    assert caught.value.code == "invalid_national_id"


@pytest.mark.parametrize("value", ["1701234567", "1701234567-001"])
def test_tax_code_accepts_ten_digits_or_a_branch(value: str) -> None:
    validate_tax_code(value)


@pytest.mark.parametrize(
    "value", ["170123456", "17012345678", "1701234567-01", "1701234567001", "17O1234567"]
)
def test_tax_code_refuses_anything_else(value: str) -> None:
    with pytest.raises(ValidationError):
        validate_tax_code(value)


@pytest.mark.parametrize("value", ["motcua.tinh", "vanthu-vp", "nv_01", "a1b"])
def test_staff_user_names(value: str) -> None:
    validate_staff_username(value)


@pytest.mark.parametrize(
    "value", ["ab", "091090001234", "MotCua", "trần.văn", "1701234567-001", ".abc"]
)
def test_staff_user_names_refused(value: str) -> None:
    with pytest.raises(ValidationError):
        validate_staff_username(value)


@pytest.mark.parametrize("value", ["0912345678", "0297 3862 123", "+84912345678", "0912.345.678"])
def test_phone_numbers(value: str) -> None:
    validate_phone(value)


@pytest.mark.parametrize("value", ["12345", "09123abc78", "+84 91 234 567 890 123 4"])
def test_phone_numbers_refused(value: str) -> None:
    with pytest.raises(ValidationError):
        validate_phone(value)


def test_letters_and_digits_validator() -> None:
    validator = LettersAndDigitsValidator()
    validator.validate("Kien2020")
    for bad in ["KienGiangTinh", "2020202020"]:
        with pytest.raises(ValidationError) as caught:
            validator.validate(bad)
        assert caught.value.code == "password_letters_digits"


def _codes(password: str, user: User | None = None) -> set[str]:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return {str(error.code) for error in exc.error_list}
    return set()


def test_password_rules_configured_in_settings() -> None:
    assert _codes("KienGiang2020") == set()
    assert "password_too_short" in _codes("Kien2020")
    assert "password_entirely_numeric" in _codes("20202020202020")
    assert "password_too_common" in _codes("password123")
    assert "password_letters_digits" in _codes("KienGiangBienXanh")
    user = User(username="motcua.tinh", full_name="Trần Thị Mai", kind=AccountKind.STAFF)
    assert "password_too_similar" in _codes("motcua.tinh1", user)


def test_password_rule_messages_read_well_in_vietnamese(db: None) -> None:
    from egov.accounts import services

    with translation.override("vi"), pytest.raises(ValidationError) as caught:
        services.register_citizen(
            national_id="091090001234", full_name="Nguyễn Văn An", password="12345678"
        )
    with translation.override("vi"):
        text = " ".join(caught.value.message_dict["password"])
    # Django's own catalogue covers these two rules...
    assert "Mật khẩu này hoàn toàn là số." in text
    assert "Mật khẩu này quá phổ biến." in text
    # ...and the length rule uses the platform's own message (Django 5.2's new
    # wording of it has no Vietnamese yet), with the configured minimum.
    assert "10" in text
    assert "This password is too short" not in text
