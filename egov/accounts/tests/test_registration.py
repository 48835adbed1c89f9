from __future__ import annotations

import pytest
from django.test import Client

from egov.accounts.models import AccountKind, User
from egov.accounts.tests.helpers import english_client

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

REGISTER = "/tai-khoan/dang-ky/"


@pytest.fixture
def en() -> Client:
    return english_client()


def form_data(**overrides: str) -> dict[str, str]:
    data = {
        "kind": "citizen",
        "identifier": "091090001234",
        "full_name": "Nguyễn Văn An",
        "email": "an@example.com",
        "phone": "0912 345 678",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    data.update(overrides)
    return data


def test_registration_page_is_accessible(en: Client) -> None:
    html = en.get(REGISTER).content.decode()
    assert html.count("<h1") == 1
    for field in ["identifier", "full_name", "email", "phone", "password1", "password2"]:
        assert f'<label for="id_{field}"' in html
    assert "<legend" in html  # the account kind radios are grouped with a legend
    assert 'autocomplete="new-password"' in html
    assert 'type="tel"' in html


def test_errors_keep_what_was_typed_except_passwords(en: Client) -> None:
    response = en.post(REGISTER, form_data(identifier="09109000123", password2="Khac9Mat8Khau"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "The two passwords are not the same." in html
    assert 'value="09109000123"' in html
    assert 'value="Nguyễn Văn An"' in html
    assert 'value="an@example.com"' in html
    assert 'value="0912 345 678"' in html
    assert PASSWORD not in html
    assert "Khac9Mat8Khau" not in html
    assert not User.objects.exists()


def test_service_errors_land_next_to_their_fields(en: Client) -> None:
    response = en.post(REGISTER, form_data(identifier="09109000123"))
    html = response.content.decode()
    assert "A citizen ID number (CCCD) has exactly 12 digits." in html
    assert 'id="id_identifier_error"' in html
    assert 'aria-describedby="id_identifier_helptext id_identifier_error"' in html
    assert 'value="Nguyễn Văn An"' in html


def test_weak_password_is_explained(en: Client) -> None:
    response = en.post(REGISTER, form_data(password1="12345678", password2="12345678"))
    html = response.content.decode()
    assert 'id="id_password1_error"' in html
    assert "at least 10 characters" in html
    assert "both letters and digits" in html
    assert 'value="091090001234"' in html


def test_citizen_registers_and_is_signed_in(en: Client) -> None:
    response = en.post(REGISTER, form_data())
    assert response.status_code == 302
    assert response["Location"] == "/"
    user = User.objects.get()
    assert (user.username, user.kind, user.phone) == (
        "091090001234",
        AccountKind.CITIZEN,
        "0912345678",
    )
    assert "_auth_user_id" in en.session
    home = en.get("/").content.decode()
    assert "091090001234" in home  # the welcome message names the user name


def test_business_registers_with_its_tax_code(en: Client) -> None:
    response = en.post(
        REGISTER,
        form_data(kind="business", identifier="1701234567", full_name="Công ty TNHH Biển Xanh"),
    )
    assert response.status_code == 302
    user = User.objects.get()
    assert (user.username, user.tax_code, user.kind) == (
        "1701234567",
        "1701234567",
        AccountKind.BUSINESS,
    )


def test_a_tax_code_is_not_a_cccd(en: Client) -> None:
    html = en.post(REGISTER, form_data(identifier="1701234567")).content.decode()
    assert "12 digits" in html
    html = en.post(REGISTER, form_data(kind="business")).content.decode()
    assert "A tax code has 10 digits" in html


def test_duplicate_cccd_is_refused(en: Client, citizen: User) -> None:
    html = en.post(REGISTER, form_data()).content.decode()
    assert "An account with this citizen ID number already exists" in html
    assert User.objects.count() == 1
