"""The sign-in flow through the real pages, with Django's test client."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.accounts import otp, signin
from egov.accounts.models import User
from egov.accounts.permissions import RoleCode
from egov.accounts.tests.helpers import english_client
from egov.core.models import AuditEntry

from .conftest import PASSWORD, MakeStaff, Tree, add_confirmed_device

pytestmark = [pytest.mark.django_db, pytest.mark.urls("egov.accounts.tests.urls")]

LOGIN = "/tai-khoan/dang-nhap/"
VERIFY = "/tai-khoan/xac-thuc/"
ENROL = "/tai-khoan/kich-hoat-2fa/"
STAFF_ONLY = "/test/staff-only/"
SIGNED_IN_ONLY = "/test/signed-in-only/"


def token_for(device: TOTPDevice, offset_steps: int = 0) -> str:
    device.refresh_from_db()
    generator = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    generator.time = time.time() + offset_steps * device.step
    return f"{generator.token():06d}"


def wrong_token(device: TOTPDevice) -> str:
    right = {token_for(device, step) for step in (-1, 0, 1)}
    return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in right)


def log_in(client: Client, username: str, password: str = PASSWORD, **extra: str) -> Any:
    return client.post(LOGIN, {"username": username, "password": password, **extra})


@pytest.fixture
def en() -> Client:
    """A browser asking for English, so assertions do not depend on the catalogue."""
    return english_client()


@pytest.fixture
def clerk(tree: Tree, make_staff: MakeStaff) -> User:
    return make_staff("motcua.vtv", RoleCode.ONE_STOP_CLERK, tree.vinh_thanh_van)


def is_signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


# --- staff -------------------------------------------------------------------


def test_staff_password_then_code_reaches_the_staff_home(en: Client, clerk: User) -> None:
    device = add_confirmed_device(clerk)
    response = log_in(en, "motcua.vtv")
    assert response.status_code == 302
    assert response["Location"] == VERIFY
    # The password alone signs nobody in.
    assert not is_signed_in(en)
    assert en.get(STAFF_ONLY)["Location"].startswith(LOGIN)

    page = en.get(VERIFY)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'autocomplete="one-time-code"' in html
    assert 'inputmode="numeric"' in html
    assert html.count("<h1") == 1

    response = en.post(VERIFY, {"token": token_for(device)})
    assert response.status_code == 302
    assert response["Location"] == reverse(settings.LOGIN_REDIRECT_URL)
    assert is_signed_in(en)
    home = en.get(response["Location"])
    assert home.status_code == 200
    assert "Motcua Vtv" in home.content.decode()
    assert en.get(STAFF_ONLY).status_code == 200
    entry = AuditEntry.objects.get(action="accounts.signed_in")
    assert entry.actor_id == clerk.pk
    assert entry.changes == {"second_factor": True}


def test_user_names_are_not_case_sensitive(en: Client, clerk: User) -> None:
    add_confirmed_device(clerk)
    assert log_in(en, "  MotCua.VTV ")["Location"] == VERIFY


def test_wrong_code_is_refused_and_then_throttled(en: Client, clerk: User, settings: Any) -> None:
    # A long first delay, so the test does not depend on how fast it runs.
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    device = add_confirmed_device(clerk)
    log_in(en, "motcua.vtv")
    response = en.post(VERIFY, {"token": wrong_token(device)})
    assert response.status_code == 200
    html = response.content.decode()
    assert "The code is not correct" in html
    assert 'aria-describedby="id_token_helptext id_token_error"' in html
    assert not is_signed_in(en)
    # Straight after a miss even the right code must wait (django-otp throttling).
    response = en.post(VERIFY, {"token": token_for(device)})
    assert "the next code is accepted from" in response.content.decode()
    assert not is_signed_in(en)
    device.refresh_from_db()
    assert device.throttling_failure_count >= 1
    response = en.post(VERIFY, {"token": "12ab56"})
    assert "Enter the 6 digits of the code." in response.content.decode()


def test_staff_without_authenticator_must_enrol_first(en: Client, clerk: User) -> None:
    response = log_in(en, "motcua.vtv", next="/test/staff-only/")
    assert response["Location"] == ENROL
    page = en.get(ENROL)
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=clerk)
    assert not device.confirmed
    html = page.content.decode()
    assert "<svg" in html and 'role="img"' in html
    assert otp.grouped_secret(device) in html
    assert "<?xml" not in html
    # Reloading the page keeps the same secret (the QR code already scanned stays valid).
    en.get(ENROL)
    assert list(TOTPDevice.objects.filter(user=clerk)) == [device]

    assert en.get(STAFF_ONLY)["Location"].startswith(LOGIN)
    response = en.post(ENROL, {"token": wrong_token(device)})
    assert response.status_code == 200
    assert "The code is not correct" in response.content.decode()
    device.throttle_reset()

    response = en.post(ENROL, {"token": token_for(device)})
    assert response.status_code == 302
    assert response["Location"] == STAFF_ONLY
    device.refresh_from_db()
    assert device.confirmed
    assert en.get(STAFF_ONLY).status_code == 200


def test_a_session_without_the_code_is_sent_to_the_missing_step(en: Client, clerk: User) -> None:
    # e.g. a session opened through the admin site's own password-only login
    en.force_login(clerk)
    response = en.get(STAFF_ONLY)
    assert response["Location"] == f"{ENROL}?next=%2Ftest%2Fstaff-only%2F"
    device = add_confirmed_device(clerk)
    response = en.get(STAFF_ONLY)
    assert response["Location"] == f"{VERIFY}?next=%2Ftest%2Fstaff-only%2F"
    response = en.post(VERIFY, {"token": token_for(device), "next": STAFF_ONLY})
    assert response["Location"] == STAFF_ONLY
    assert en.get(STAFF_ONLY).status_code == 200


def test_next_is_kept_through_the_code_step_and_foreign_urls_are_ignored(
    en: Client, clerk: User
) -> None:
    device = add_confirmed_device(clerk)
    log_in(en, "motcua.vtv", next="/tai-khoan/bao-mat/")
    response = en.post(VERIFY, {"token": token_for(device)})
    assert response["Location"] == "/tai-khoan/bao-mat/"

    other = english_client()
    log_in(other, "motcua.vtv", next="https://evil.example/steal")
    response = other.post(VERIFY, {"token": token_for(device, 1)})
    assert response["Location"] == reverse(settings.LOGIN_REDIRECT_URL)


def test_half_done_sign_in_expires(en: Client, clerk: User) -> None:
    assert en.get(VERIFY)["Location"] == LOGIN
    add_confirmed_device(clerk)
    log_in(en, "motcua.vtv")
    session = en.session
    state = session[signin.PENDING_KEY]
    state["started"] = time.time() - signin.PENDING_SECONDS - 1
    session[signin.PENDING_KEY] = state
    session.save()
    assert en.get(VERIFY)["Location"] == LOGIN


# --- citizens ----------------------------------------------------------------


def test_citizen_signs_in_with_password_only_and_lands_on_the_home_page(
    en: Client, citizen: User
) -> None:
    response = log_in(en, "091090001234")
    assert response["Location"] == "/"
    assert is_signed_in(en)
    assert en.get(SIGNED_IN_ONLY).status_code == 200
    assert en.get(STAFF_ONLY).status_code == 403


def test_citizen_with_two_step_on_is_asked_for_the_code(en: Client, citizen: User) -> None:
    device = add_confirmed_device(citizen)
    response = log_in(en, "091090001234", next="/tai-khoan/bao-mat/")
    assert response["Location"] == VERIFY
    response = en.post(VERIFY, {"token": token_for(device)})
    assert response["Location"] == "/tai-khoan/bao-mat/"
    page = en.get("/tai-khoan/bao-mat/")
    assert "On: signing in asks for a code" in page.content.decode()


def test_citizen_turns_two_step_on_and_off_from_the_security_page(
    en: Client, citizen: User
) -> None:
    log_in(en, "091090001234")
    page = en.get("/tai-khoan/bao-mat/")
    assert "Off: signing in asks only for your password." in page.content.decode()
    en.get(ENROL)
    device = TOTPDevice.objects.get(user=citizen)
    response = en.post(ENROL, {"token": token_for(device)})
    assert response["Location"] == "/tai-khoan/bao-mat/"
    device.refresh_from_db()
    assert device.confirmed

    response = en.post("/tai-khoan/bao-mat/tat-2fa/", {"password": "wrong"})
    assert response.status_code == 400
    assert "Your current password is not correct." in response.content.decode()
    response = en.post("/tai-khoan/bao-mat/tat-2fa/", {"password": PASSWORD})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=citizen).exists()


def test_staff_cannot_turn_two_step_off(en: Client, clerk: User) -> None:
    device = add_confirmed_device(clerk)
    log_in(en, "motcua.vtv")
    en.post(VERIFY, {"token": token_for(device)})
    page = en.get("/tai-khoan/bao-mat/").content.decode()
    assert "Staff accounts must keep two-step verification" in page
    en.post("/tai-khoan/bao-mat/tat-2fa/", {"password": PASSWORD})
    assert TOTPDevice.objects.filter(user=clerk).exists()


def test_change_password_page_keeps_the_session(en: Client, citizen: User) -> None:
    log_in(en, "091090001234")
    response = en.post(
        "/tai-khoan/doi-mat-khau/",
        {"old_password": PASSWORD, "new_password1": "Hon9Dat8Moi", "new_password2": "Hon9Dat8Moi"},
    )
    assert response["Location"] == "/tai-khoan/bao-mat/"
    assert en.get(SIGNED_IN_ONLY).status_code == 200
    citizen.refresh_from_db()
    assert citizen.check_password("Hon9Dat8Moi")


# --- lockout -----------------------------------------------------------------


def test_lockout_after_the_failure_limit(en: Client, clerk: User) -> None:
    limit = settings.AXES_FAILURE_LIMIT
    for attempt in range(limit - 1):
        # Changing the case does not give a fresh counter.
        name = "motcua.vtv" if attempt % 2 else "MOTCUA.vtv"
        response = log_in(en, name, "Sai7MatKhau")
        assert response.status_code == 200
        assert "The user name or password is not correct" in response.content.decode()
    response = log_in(en, "motcua.vtv", "Sai7MatKhau")
    assert response.status_code == 429
    assert "accounts/locked.html" in [t.name for t in response.templates]
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert response.context["minutes"] == minutes
    html = response.content.decode()
    assert "Account temporarily locked" in html
    assert f"Try again in about {minutes} minute(s)." in html
    # Locked means locked: even the right password is refused for now.
    assert log_in(en, "motcua.vtv").status_code == 429
    assert not is_signed_in(en)
    # Another user name is not affected.
    assert log_in(en, "khac.nguoi", "Sai7MatKhau").status_code == 200


def test_lockout_page_is_in_vietnamese_by_default(clerk: User) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = log_in(client, "motcua.vtv", "Sai7MatKhau")
    assert response.status_code == 429
    assert '<html lang="vi">' in response.content.decode()


def test_a_right_password_resets_the_failure_counter(en: Client, clerk: User) -> None:
    add_confirmed_device(clerk)
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        assert log_in(en, "motcua.vtv", "Sai7MatKhau").status_code == 200
    assert log_in(en, "motcua.vtv")["Location"] == VERIFY
    for _ in range(limit - 1):
        assert log_in(en, "motcua.vtv", "Sai7MatKhau").status_code == 200
    assert log_in(en, "motcua.vtv", "Sai7MatKhau").status_code == 429


# --- pages -------------------------------------------------------------------


def test_login_page_is_accessible_and_vietnamese_by_default(db: None) -> None:
    html = Client().get(LOGIN).content.decode()
    assert '<html lang="vi">' in html
    assert html.count("<h1") == 1
    assert '<label for="id_username"' in html
    assert '<label for="id_password"' in html
    assert 'autocomplete="username"' in html
    assert 'autocomplete="current-password"' in html


def test_login_errors_are_linked_to_their_fields(en: Client) -> None:
    html = en.post(LOGIN, {"username": "", "password": ""}).content.decode()
    assert re.search(r'aria-describedby="id_username_helptext id_username_error"', html)
    assert 'id="id_username_error"' in html
    assert 'aria-invalid="true"' in html


def test_logout_needs_post(en: Client, citizen: User) -> None:
    log_in(en, "091090001234")
    assert en.get("/tai-khoan/dang-xuat/").status_code == 405
    assert is_signed_in(en)
    response = en.post("/tai-khoan/dang-xuat/")
    assert response.status_code == 302
    assert not is_signed_in(en)


def test_lockout_response_signature_matches_axes() -> None:
    # django-axes calls the lockout callable as (request, original_response, credentials).
    from django.test import RequestFactory

    from egov.accounts.views import lockout_response

    request = RequestFactory().post(LOGIN, {"username": "ai.do"})
    response = lockout_response(request, None, {"username": "ai.do"})
    assert response.status_code == 429


# --- the admin site, when require_two_step_for_admin() is applied ------------


def test_admin_site_can_require_the_code(en: Client, db: None) -> None:
    from egov.accounts.tests.helpers import sign_in_verified

    root = User.objects.create_superuser("root", "Root2020pass", full_name="Quản trị gốc")
    response = en.get("/test/admin/")
    assert response["Location"].startswith("/test/admin/login/")
    response = en.get(response["Location"])
    assert response["Location"] == f"{LOGIN}?next=/test/admin/"
    en.force_login(root)  # password only
    response = en.get("/test/admin/login/?next=/test/admin/")
    assert response["Location"] == f"{ENROL}?next=%2Ftest%2Fadmin%2F"
    sign_in_verified(en, root)
    assert en.get("/test/admin/").status_code == 200


def test_admin_site_refuses_verified_non_admins(en: Client, citizen: User) -> None:
    en.force_login(citizen)
    assert en.get("/test/admin/login/?next=/test/admin/").status_code == 403


# --- lockout by user name and address, with a higher per-name limit ------------


def test_failures_from_another_address_do_not_lock_the_owner_out(clerk: User) -> None:
    attacker = Client(REMOTE_ADDR="203.0.113.7", HTTP_ACCEPT_LANGUAGE="en")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = log_in(attacker, "motcua.vtv", "Sai7MatKhau")
    # The address that guessed is locked out of this account...
    assert response.status_code == 429
    assert log_in(attacker, "motcua.vtv").status_code == 429
    # ...but the owner at the office signs in with the right password.
    owner = Client(REMOTE_ADDR="198.51.100.20", HTTP_ACCEPT_LANGUAGE="en")
    response = log_in(owner, "motcua.vtv")
    assert response.status_code == 302
    assert response["Location"] in (ENROL, VERIFY)


def test_the_per_name_limit_still_locks_guessing_spread_over_addresses(
    clerk: User, settings: Any
) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    settings.EGOV_LOGIN_NAME_FAILURE_LIMIT = 6
    for n in range(6):
        # Two tries from each address: never reaching the per-address limit.
        guesser = Client(REMOTE_ADDR=f"203.0.113.{10 + n // 2}", HTTP_ACCEPT_LANGUAGE="en")
        response = log_in(guesser, "motcua.vtv", "Sai7MatKhau")
        assert response.status_code == (429 if n == 5 else 200)
    owner = Client(REMOTE_ADDR="198.51.100.20", HTTP_ACCEPT_LANGUAGE="en")
    assert log_in(owner, "motcua.vtv").status_code == 429
    # Another account is not affected.
    assert log_in(owner, "khac.nguoi", "Sai7MatKhau").status_code == 200
