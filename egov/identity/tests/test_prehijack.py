"""A self-declared CCCD number or tax code proves nothing (issue 8, finding 1).

Before the fix, whoever registered first with someone's CCCD number got that
person's verified identity linked into their account at the person's first VNeID
sign-in, and kept reading their profile and dossiers with the password.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from egov.accounts import services as account_services
from egov.accounts.models import AccountKind, User
from egov.accounts.permissions import RoleCode
from egov.core.models import AuditEntry
from egov.identity import services
from egov.identity.models import ExternalIdentity, Profile
from egov.identity.tests.conftest import BUSINESS_SUBJECT, NEW_PERSON_SUBJECT, sign_in

pytestmark = pytest.mark.django_db

VICTIM_ID = "091185004321"  # the simulator's "Trần Thị Bích Ngọc"
PASSWORD = "Sao8Mai9Sang"
LOGIN = "/tai-khoan/dang-nhap/"
PROFILE = "/tai-khoan/dinh-danh/ho-so-ca-nhan/"


def signed_in_user(client: Client) -> User | None:
    pk = client.session.get(SESSION_KEY)
    return User.objects.get(pk=pk) if pk else None


def password_client(username: str, password: str = PASSWORD) -> tuple[Client, Any]:
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    response = client.post(LOGIN, {"username": username, "password": password})
    return client, response


@pytest.fixture
def squatter() -> User:
    return account_services.register_citizen(
        national_id=VICTIM_ID,
        full_name="Kẻ Mạo Danh",
        password=PASSWORD,
        email="mao.danh@example.com",
    )


def test_the_attack_no_longer_works(
    squatter: User, django_capture_on_commit_callbacks: Any
) -> None:
    from egov.applicants.tests.helpers import client_for
    from egov.dossiers.tests.factories import applicant, build_world, receive

    attacker, response = password_client(VICTIM_ID)
    assert response.status_code == 302 and signed_in_user(attacker) == squatter

    victim_browser = Client(HTTP_ACCEPT_LANGUAGE="vi")
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_in(victim_browser, NEW_PERSON_SUBJECT)
    assert response.status_code == 302
    victim = signed_in_user(victim_browser)
    assert victim is not None and victim.pk != squatter.pk
    # The verified account owns the number and the user name.
    assert (victim.username, victim.national_id) == (VICTIM_ID, VICTIM_ID)
    assert victim.identifier_verified("national_id")
    assert ExternalIdentity.objects.get(subject=NEW_PERSON_SUBJECT).user == victim
    # The squatter's account lost the number, was renamed and is flagged.
    squatter.refresh_from_db()
    assert squatter.national_id == "" and squatter.detached_identifier == VICTIM_ID
    assert squatter.username != VICTIM_ID
    assert not ExternalIdentity.objects.filter(user=squatter).exists()
    squatter_profile = Profile.objects.filter(user=squatter).first()
    assert squatter_profile is None or not squatter_profile.verified_fields
    # The person is told, in Vietnamese, what happened.
    page = victim_browser.get(PROFILE).content.decode()
    assert "không còn số này" in page and squatter.username in page
    # The squatter's holder hears about it at their own address.
    assert [m.to for m in mail.outbox] == [["mao.danh@example.com"]]
    assert AuditEntry.objects.filter(action="identity.identifier_detached").count() == 1

    # The victim's dossier, received at a desk for the verified account...
    world = build_world()
    dossier = receive(
        world, applicant=applicant(user=victim, name=victim.full_name, id_number=VICTIM_ID)
    )
    assert client_for(victim).get("/ca-nhan/ho-so/").content.decode().count(dossier.code)
    # ...is invisible to the squatter's password session, and so is the profile.
    assert signed_in_user(attacker) == squatter
    assert dossier.code not in attacker.get("/ca-nhan/ho-so/").content.decode()
    assert attacker.get(f"/ca-nhan/ho-so/{dossier.code}/").status_code == 404
    profile = attacker.get(PROFILE).content.decode()
    assert "Trần Thị Bích Ngọc" not in profile and "Mỹ Lâm" not in profile
    assert VICTIM_ID not in attacker.get("/api/v1/identity/me").content.decode()
    # The password no longer opens anything under the victim's number.
    again, response = password_client(VICTIM_ID)
    assert signed_in_user(again) is None


def test_business_adding_a_cccd_on_the_profile_does_not_take_the_person() -> None:
    business = account_services.register_business(
        tax_code="0312345678", full_name="Công ty Mạo Danh", password=PASSWORD
    )
    services.update_profile(business, national_id=VICTIM_ID)
    business.refresh_from_db()
    assert business.national_id == VICTIM_ID and not business.identifier_verified("national_id")

    browser = Client()
    sign_in(browser, NEW_PERSON_SUBJECT)
    person = signed_in_user(browser)
    assert person is not None and person.pk != business.pk
    assert person.kind == AccountKind.CITIZEN and person.national_id == VICTIM_ID
    business.refresh_from_db()
    # The business keeps its own user name (its tax code) but not the person's number.
    assert business.username == "0312345678"
    assert business.national_id == "" and business.detached_identifier == VICTIM_ID


def test_citizen_adding_a_business_tax_code_does_not_take_the_business() -> None:
    citizen = account_services.register_citizen(
        national_id="091190007777", full_name="Lê Văn Mạo", password=PASSWORD
    )
    services.update_profile(citizen, tax_code="1701234567")  # the simulator's business
    browser = Client()
    sign_in(browser, BUSINESS_SUBJECT)
    business = signed_in_user(browser)
    assert business is not None and business.pk != citizen.pk
    assert business.kind == AccountKind.BUSINESS and business.tax_code == "1701234567"
    citizen.refresh_from_db()
    assert citizen.tax_code == "" and citizen.username == "091190007777"


def test_confirming_from_inside_ones_own_account_verifies_it(squatter: User) -> None:
    # Here the "squatter" is the real Trần Thị Bích Ngọc who registered with a password.
    browser, _response = password_client(VICTIM_ID)
    assert "Xác nhận qua VNeID" in browser.get(PROFILE).content.decode()
    response = sign_in(browser, NEW_PERSON_SUBJECT)
    assert response.status_code == 302
    assert signed_in_user(browser) == squatter
    squatter.refresh_from_db()
    assert squatter.identifier_verified("national_id")
    assert ExternalIdentity.objects.get(subject=NEW_PERSON_SUBJECT).user == squatter
    page = browser.get(PROFILE).content.decode()
    assert "định danh quốc gia đã xác nhận" in page
    assert "Xác nhận qua VNeID" not in page
    # From now on the provider sign-in opens this account from anywhere.
    elsewhere = Client()
    sign_in(elsewhere, NEW_PERSON_SUBJECT)
    assert signed_in_user(elsewhere) == squatter
    assert User.objects.filter(kind=AccountKind.CITIZEN).count() == 1


def test_confirming_someone_elses_number_from_inside_changes_nothing() -> None:
    mine = account_services.register_citizen(
        national_id="091190007777", full_name="Lê Văn Mạo", password=PASSWORD
    )
    browser, _response = password_client("091190007777")
    response = sign_in(browser, NEW_PERSON_SUBJECT)
    assert response.status_code == 400
    assert 'data-reason="conflict"' in response.content.decode()
    assert "khác với số của tài khoản" in response.content.decode()
    mine.refresh_from_db()
    assert not mine.identifier_verified("national_id")
    assert not ExternalIdentity.objects.exists()
    assert not User.objects.filter(username=VICTIM_ID).exists()


def test_a_proved_number_is_never_taken_away(squatter: User) -> None:
    services.verify_identifier_at_desk(None, squatter, "national_id", document="CCCD")
    browser = Client()
    sign_in(browser, NEW_PERSON_SUBJECT)
    # Checked at a desk: this is the person's account, so the provider opens it.
    assert signed_in_user(browser) == squatter
    squatter.refresh_from_db()
    assert squatter.national_id == VICTIM_ID and squatter.detached_identifier == ""


def test_desk_confirmation_needs_a_clerk_and_is_audited(squatter: User) -> None:
    from egov.dossiers.tests.factories import build_org, staff_member

    org = build_org()
    clerk = staff_member("motcua.test", RoleCode.ONE_STOP_CLERK, org.desk)
    specialist = staff_member("chuyenvien.test", RoleCode.SPECIALIST, org.justice)
    with pytest.raises(PermissionDenied):
        services.verify_identifier_at_desk(specialist, squatter, "national_id", document="CCCD")
    with pytest.raises(ValidationError):
        services.verify_identifier_at_desk(clerk, squatter, "national_id", document=" ")
    services.verify_identifier_at_desk(clerk, squatter, "national_id", document="CCCD gốc")
    squatter.refresh_from_db()
    assert squatter.identifier_verified("national_id")
    entry = AuditEntry.objects.get(action="identity.identifier_confirmed")
    assert entry.changes["by"] == "desk" and entry.changes["document"] == "CCCD gốc"
    with pytest.raises(ValidationError):
        services.verify_identifier_at_desk(clerk, squatter, "national_id", document="CCCD")


def test_detached_accounts_are_listed_for_review(squatter: User) -> None:
    from egov.accounts.tests.helpers import english_client, sign_in_verified

    sign_in(Client(), NEW_PERSON_SUBJECT)
    squatter.refresh_from_db()
    root = User.objects.create_superuser("root", "Root2020pass", full_name="Quản trị gốc")
    client = english_client()
    sign_in_verified(client, root)
    html = client.get("/admin/accounts/user/", {"detached": "yes"}).content.decode()
    assert squatter.username in html
    assert f">{VICTIM_ID}<" not in html  # the verified account is not flagged


def test_existing_numbers_stay_verified_only_where_the_provider_confirmed_them() -> None:
    from importlib import import_module

    from django.apps import apps

    migration = import_module("egov.identity.migrations.0002_mark_provider_confirmed_identifiers")
    confirmed = User.objects.create_user(
        "091090001234", None, full_name="An", kind=AccountKind.CITIZEN, national_id="091090001234"
    )
    ExternalIdentity.objects.create(user=confirmed, provider="vneid", subject="s-1")
    Profile.objects.create(user=confirmed, verified_fields=["full_name", "national_id"])
    typed = User.objects.create_user(
        VICTIM_ID, None, full_name="Mạo", kind=AccountKind.CITIZEN, national_id=VICTIM_ID
    )
    Profile.objects.create(user=typed, verified_fields=["national_id"])  # but never linked
    migration.mark_confirmed(apps, None)
    confirmed.refresh_from_db()
    typed.refresh_from_db()
    assert confirmed.identifier_verified("national_id")
    assert not typed.identifier_verified("national_id")
