"""The profile page, the profile service and the ``/api/v1/identity/me`` API."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from egov.accounts import services as account_services
from egov.accounts.models import AccountKind, User
from egov.accounts.tests.helpers import english_client, sign_in_verified
from egov.core.models import AuditEntry
from egov.identity import services
from egov.identity.demo import load_demo_identity
from egov.identity.models import Profile, SimulatorIdentity
from egov.identity.selectors import ProfileData, profile_for
from egov.identity.tests.conftest import CITIZEN_SUBJECT, sign_in

pytestmark = pytest.mark.django_db

PAGE = "/tai-khoan/dinh-danh/ho-so-ca-nhan/"
API = "/api/v1/identity/me"


@pytest.fixture
def citizen() -> User:
    user = account_services.register_citizen(
        national_id="091090001234",
        full_name="Nguyễn Văn An",
        password="KienGiang2020",
        phone="0912345678",
    )
    # Checked at a desk: the provider's sign-in for this number opens this account.
    return services.verify_identifier_at_desk(None, user, "national_id", document="CCCD")


def signed_in(user: User, client: Client | None = None) -> Client:
    client = client or english_client()
    client.force_login(user)
    return client


# --- selector ---------------------------------------------------------------------


def test_profile_for_without_profile_row(citizen: User) -> None:
    data = profile_for(citizen)
    assert data == ProfileData(
        full_name="Nguyễn Văn An",
        date_of_birth=None,
        national_id="091090001234",
        tax_code="",
        address="",
        phone="0912345678",
        email="",
        verified=frozenset(),
    )


def test_profile_for_after_vneid(citizen: User) -> None:
    sign_in(Client(), CITIZEN_SUBJECT)
    data = profile_for(citizen)
    assert data.date_of_birth == date(1990, 10, 9)
    assert "national_id" in data.verified and "address" in data.verified


# --- service ------------------------------------------------------------------------


def test_update_profile_validates_and_audits(citizen: User) -> None:
    with pytest.raises(ValidationError) as caught:
        services.update_profile(citizen, phone="12345", email="not-an-email", full_name="")
    assert set(caught.value.message_dict) == {"phone", "email", "full_name"}
    services.update_profile(
        citizen, phone="+84 987 654 321", address="Ấp 1, xã Mỹ Lâm", date_of_birth=date(1990, 1, 2)
    )
    citizen.refresh_from_db()
    assert citizen.phone == "0987654321"
    profile = Profile.objects.get(user=citizen)
    assert profile.address == "Ấp 1, xã Mỹ Lâm"
    entry = AuditEntry.objects.filter(action="identity.profile_updated").get()
    assert entry.changes["phone"] == ["0912345678", "0987654321"]


@pytest.mark.parametrize("phone", ["0912345678", "0297 3862 123", "+84912345678", "84.912.345.678"])
def test_vietnamese_phone_numbers_accepted(phone: str) -> None:
    assert services.vietnamese_phone(phone).startswith("0")


@pytest.mark.parametrize("phone", ["0112345678", "091234567", "+1 202 555 0100", "09123456789"])
def test_other_phone_numbers_refused(phone: str) -> None:
    with pytest.raises(ValidationError):
        services.vietnamese_phone(phone)


def test_verified_fields_cannot_change(citizen: User) -> None:
    sign_in(Client(), CITIZEN_SUBJECT)
    with pytest.raises(ValidationError) as caught:
        services.update_profile(citizen, address="Somewhere else", full_name="Another Name")
    assert set(caught.value.message_dict) == {"address", "full_name"}


def test_identifier_cannot_change_but_can_be_filled(citizen: User) -> None:
    with pytest.raises(ValidationError) as caught:
        services.update_profile(citizen, national_id="091090009999")
    assert "national_id" in caught.value.message_dict
    services.update_profile(citizen, tax_code="8012345678")
    citizen.refresh_from_db()
    assert citizen.tax_code == "8012345678"


def test_staff_have_no_profile() -> None:
    staff = User.objects.create_user("canbo.a", "x", full_name="A", kind=AccountKind.STAFF)
    with pytest.raises(PermissionDenied):
        services.update_profile(staff, address="x")


# --- page -----------------------------------------------------------------------------


def test_page_requires_sign_in() -> None:
    response = Client().get(PAGE)
    assert response.status_code == 302 and "/tai-khoan/dang-nhap/" in response["Location"]


def test_page_refuses_staff() -> None:
    staff = User.objects.create_user("canbo.b", "x", full_name="B", kind=AccountKind.STAFF)
    client = Client()
    sign_in_verified(client, staff)
    assert client.get(PAGE).status_code == 403


def test_page_errors_next_to_fields_and_input_kept(citizen: User) -> None:
    client = signed_in(citizen)
    response = client.post(
        PAGE,
        {
            "full_name": "Nguyễn Văn An",
            "date_of_birth": "31/02/1990",
            "phone": "12345",
            "email": "an@example.com",
            "address": "Ấp 2",
            "tax_code": "",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "31/02/1990" in html  # named as not a real date
    assert html.count('inputmode="numeric"') >= 3  # ngày, tháng, năm
    assert re.search(r"Vietnamese phone number|số điện thoại", html)
    assert 'value="12345"' in html and 'value="an@example.com"' in html and "Ấp 2" in html
    assert not Profile.objects.filter(user=citizen, address="Ấp 2").exists()


def test_page_saves(citizen: User) -> None:
    client = signed_in(citizen)
    response = client.post(
        PAGE,
        {
            "full_name": "Nguyễn Văn An",
            "date_of_birth": "09/10/1990",
            "phone": "0912 345 679",
            "email": "an@example.com",
            "address": "Ấp 2",
            "tax_code": "",
        },
    )
    assert response.status_code == 302
    citizen.refresh_from_db()
    profile = profile_for(citizen)
    assert profile.date_of_birth == date(1990, 10, 9)
    assert profile.phone == "0912345679" and profile.address == "Ấp 2"
    page = client.get(PAGE).content.decode()
    assert 'value="09"' in page and 'value="10"' in page and 'value="1990"' in page


def test_page_shows_verified_fields_read_only(citizen: User) -> None:
    client = english_client()
    sign_in(client, CITIZEN_SUBJECT)
    html = client.get(PAGE).content.decode()
    assert "Verified by VNeID" in html
    assert 'name="address"' not in html and 'name="full_name"' not in html
    # Posting a verified field anyway changes nothing.
    client.post(PAGE, {"full_name": "Kẻ Giả Mạo", "address": "Nơi khác"})
    citizen.refresh_from_db()
    assert citizen.full_name == "Nguyễn Văn An"
    assert "Rạch Giá" in profile_for(citizen).address


# --- API ------------------------------------------------------------------------------


def test_api_requires_citizen_session(citizen: User) -> None:
    assert Client().get(API).status_code == 401
    staff = User.objects.create_user("canbo.c", "x", full_name="C", kind=AccountKind.STAFF)
    client = Client()
    sign_in_verified(client, staff)
    assert client.get(API).status_code == 401


def test_api_get(citizen: User) -> None:
    body = signed_in(citizen, Client()).get(API).json()
    assert body["kind"] == "citizen"
    assert body["national_id"] == "091090001234"
    assert body["verified"] == []


def patch(client: Client, body: dict[str, Any], **headers: str) -> Any:
    return client.patch(
        API, data=json.dumps(body), content_type="application/json", headers=headers
    )


def test_api_patch_checks_csrf(citizen: User) -> None:
    client = signed_in(citizen, Client(enforce_csrf_checks=True))
    assert patch(client, {"address": "Ấp 3"}).status_code == 403
    client.get(PAGE)
    token = client.cookies["csrftoken"].value
    response = patch(
        client, {"address": "Ấp 3", "date_of_birth": "1990-10-09"}, **{"X-CSRFToken": token}
    )
    assert response.status_code == 200, response.content
    assert response.json()["address"] == "Ấp 3"
    assert response.json()["date_of_birth"] == "1990-10-09"


def test_api_patch_errors(citizen: User) -> None:
    client = signed_in(citizen, Client())
    response = patch(client, {"phone": "abc"})
    assert response.status_code == 422
    assert response.json()["field"] == "phone" and response.json()["code"] == "invalid"
    sign_in(client, CITIZEN_SUBJECT)
    response = patch(client, {"full_name": "Tên khác"})
    assert response.status_code == 422 and response.json()["field"] == "full_name"


# --- demo -------------------------------------------------------------------------------


def test_demo_is_idempotent(citizen: User) -> None:
    account_services.register_business(
        tax_code="1701234567", full_name="Biển Xanh", password="KienGiang2020"
    )
    load_demo_identity()
    load_demo_identity()
    assert Profile.objects.count() == 2
    assert profile_for(citizen).date_of_birth == date(1990, 10, 9)
    assert SimulatorIdentity.objects.count() == 3
    assert AuditEntry.objects.filter(action="identity.profile_updated").count() == 2
