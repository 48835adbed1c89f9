from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from egov.accounts.models import AccountKind, User
from egov.accounts.tests.helpers import english_client
from egov.core.models import AuditEntry

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

REGISTER = "/tai-khoan/dang-ky/"
LOGIN = "/tai-khoan/dang-nhap/"


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


def test_citizen_registers_then_signs_in(en: Client) -> None:
    # Not signed in at once any more: a taken number must get the very same answer.
    response = en.post(REGISTER, form_data())
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    user = User.objects.get()
    assert (user.username, user.kind, user.phone) == (
        "091090001234",
        AccountKind.CITIZEN,
        "0912345678",
    )
    assert not user.identifier_verified("national_id")  # typed in, not proved
    assert "_auth_user_id" not in en.session
    page = en.get(LOGIN).content.decode()
    assert "If this number had no account yet, your account is ready" in page
    response = en.post(LOGIN, {"username": "091090001234", "password": PASSWORD})
    assert response.status_code == 302 and "_auth_user_id" in en.session


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


def test_a_taken_cccd_gets_the_same_answer_and_its_holder_is_told(
    en: Client, citizen: User, django_capture_on_commit_callbacks: Any
) -> None:
    citizen.email = "an@example.com"
    citizen.save()
    fresh = english_client()
    new = fresh.post(REGISTER, form_data(identifier="091190005555"))
    with django_capture_on_commit_callbacks(execute=True):
        taken = en.post(REGISTER, form_data(password1="Khac7MatKhau", password2="Khac7MatKhau"))
    assert (taken.status_code, taken["Location"]) == (new.status_code, new["Location"])
    page = en.get(LOGIN).content.decode()
    assert page.count("If this number had no account yet") == 1
    assert "An account with this citizen ID number already exists" not in page
    assert User.objects.filter(username="091090001234").count() == 1
    citizen.refresh_from_db()
    assert citizen.check_password(PASSWORD)  # the holder's account is untouched
    assert [m.to for m in mail.outbox] == [["an@example.com"]]
    assert "091090001234" in mail.outbox[0].body
    assert "Khac7MatKhau" not in mail.outbox[0].body
    assert AuditEntry.objects.filter(action="accounts.registration_for_existing_account").exists()


def test_errors_do_not_depend_on_whether_the_number_is_taken(en: Client, citizen: User) -> None:
    weak = {"password1": "12345678", "password2": "12345678"}
    taken = en.post(REGISTER, form_data(**weak))
    free = en.post(REGISTER, form_data(identifier="091190005555", **weak))
    assert taken.status_code == free.status_code == 200
    assert taken.context["form"].errors == free.context["form"].errors
    assert "identifier" not in taken.context["form"].errors


def test_registration_attempts_are_limited_per_address(db: None, settings: Any) -> None:
    settings.EGOV_REGISTRATION_LIMIT = 2
    client = english_client()
    for n in range(2):
        response = client.post(REGISTER, form_data(identifier=f"09119000{n:04d}"))
        assert response.status_code == 302
    response = client.post(REGISTER, form_data(identifier="091190009999"))
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many registrations from your connection" in response.content.decode()
    assert not User.objects.filter(username="091190009999").exists()
    # Another address is not affected.
    other = english_client()
    other.defaults["REMOTE_ADDR"] = "198.51.100.9"
    assert other.post(REGISTER, form_data(identifier="091190009999")).status_code == 302
