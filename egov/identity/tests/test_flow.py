"""The OpenID Connect code flow end to end against the simulator (in-process)."""

from __future__ import annotations

import base64
import json
import re
from datetime import date
from typing import Any

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.accounts import services as account_services
from egov.accounts.models import AccountKind, User
from egov.core.models import AuditEntry
from egov.identity import adapters, oidc
from egov.identity import services as identity_services
from egov.identity.models import ExternalIdentity, Profile
from egov.identity.oidc import FLOW_KEY
from egov.identity.tests.conftest import (
    BUSINESS_SUBJECT,
    CITIZEN_SUBJECT,
    NEW_PERSON_SUBJECT,
    RewritingTransport,
    alert_text,
    choose,
    now,
    path_of,
    query_of,
    resign,
    sign_in,
    to_provider,
)

pytestmark = pytest.mark.django_db

PROFILE = "/tai-khoan/dinh-danh/ho-so-ca-nhan/"


def signed_in_user(client: Client) -> User | None:
    pk = client.session.get(SESSION_KEY)
    return User.objects.get(pk=pk) if pk else None


def actions() -> list[str]:
    return list(AuditEntry.objects.order_by("id").values_list("action", flat=True))


@pytest.fixture
def demo_citizen() -> User:
    return account_services.register_citizen(
        national_id="091090001234",
        full_name="Nguyễn Văn An",
        password="KienGiang2020",
        email="old@example.com",
        phone="0912345678",
    )


def use_transport(monkeypatch: pytest.MonkeyPatch, transport: Any) -> None:
    monkeypatch.setattr(adapters, "transport", lambda: transport)


# --- the authorization request -------------------------------------------------------


def test_authorization_request_carries_state_nonce_and_pkce() -> None:
    client = Client()
    url = to_provider(client)
    params = query_of(url)
    flow = client.session[FLOW_KEY]
    assert url.startswith("http://127.0.0.1:8000/tai-khoan/dinh-danh/mo-phong/uy-quyen/?")
    assert params["state"] == flow["state"] and len(flow["state"]) >= 40
    assert params["nonce"] == flow["nonce"] and flow["nonce"] != flow["state"]
    assert params["code_challenge_method"] == "S256"
    assert params["code_challenge"] != flow["verifier"]
    assert params["redirect_uri"] == "http://127.0.0.1:8000/tai-khoan/dinh-danh/ket-qua/"
    assert "openid" in params["scope"].split()


def test_offsite_next_is_ignored() -> None:
    client = Client()
    to_provider(client, next_url="https://evil.example.com/")
    assert client.session[FLOW_KEY]["next"] == ""


# --- success ------------------------------------------------------------------------


def confirmed_at_desk(user: User, field: str = "national_id") -> User:
    return identity_services.verify_identifier_at_desk(None, user, field, document="CCCD")


def test_existing_citizen_is_linked_and_signed_in_verified(demo_citizen: User) -> None:
    # The legitimate path: signed in with the password, the person confirms their
    # own number through the provider from inside the account (before issue 8 the
    # provider sign-in took over any account that had merely typed the number in).
    client = Client()
    client.force_login(demo_citizen)
    response = sign_in(client, CITIZEN_SUBJECT)
    assert response.status_code == 302
    assert response["Location"] == PROFILE
    assert signed_in_user(client) == demo_citizen
    link = ExternalIdentity.objects.get(user=demo_citizen)
    assert (link.provider, link.subject) == ("vneid", CITIZEN_SUBJECT)
    demo_citizen.refresh_from_db()
    assert demo_citizen.email == "nguyenvanan@example.com"  # verified e-mail from VNeID
    assert demo_citizen.check_password("KienGiang2020")  # the password still works
    profile = Profile.objects.get(user=demo_citizen)
    assert profile.date_of_birth == date(1990, 10, 9)
    assert "Rạch Giá" in profile.address
    assert {"full_name", "national_id", "date_of_birth", "address", "phone", "email"} <= set(
        profile.verified_fields
    )
    assert client.session[DEVICE_ID_SESSION_KEY].startswith("identity.identityproviderdevice/")
    assert client.get(PROFILE).status_code == 200
    assert "identity.linked" in actions() and "identity.signed_in" in actions()
    assert FLOW_KEY not in client.session
    assert demo_citizen.identifier_verified("national_id")
    assert "identity.identifier_confirmed" in actions()

    # A second sign-in uses the link and adds no new one.
    other = Client()
    assert sign_in(other, CITIZEN_SUBJECT).status_code == 302
    assert signed_in_user(other) == demo_citizen
    assert ExternalIdentity.objects.filter(user=demo_citizen).count() == 1
    assert actions().count("identity.linked") == 1
    assert actions().count("identity.signed_in") == 2


def test_citizen_with_authenticator_needs_no_code_after_vneid(demo_citizen: User) -> None:
    TOTPDevice.objects.create(user=demo_citizen, name="authenticator", confirmed=True)
    client = Client()
    sign_in(client, CITIZEN_SUBJECT)
    # Password sign-in would now ask for the code; the identity provider did that.
    assert client.get(PROFILE).status_code == 200


def test_new_person_gets_a_citizen_account() -> None:
    client = Client()
    response = sign_in(client, NEW_PERSON_SUBJECT, next_url="/tai-khoan/bao-mat/")
    assert response.status_code == 302 and response["Location"] == "/tai-khoan/bao-mat/"
    user = User.objects.get(username="091185004321")
    assert signed_in_user(client) == user
    assert user.kind == AccountKind.CITIZEN
    assert user.national_id == "091185004321"
    assert user.full_name == "Trần Thị Bích Ngọc"
    assert user.phone == "0987654321"
    assert user.email == ""  # the provider did not verify it
    assert not user.has_usable_password()
    profile = Profile.objects.get(user=user)
    assert "email" not in profile.verified_fields
    assert profile.source == "idp"
    assert user.identifier_verified("national_id")
    assert actions()[-5:] == [
        "identity.account_created",
        "identity.linked",
        "identity.identifier_confirmed",
        "identity.profile_synced",
        "identity.signed_in",
    ]


def test_business_signs_in_by_tax_code() -> None:
    business = account_services.register_business(
        tax_code="1701234567", full_name="Biển Xanh", password="KienGiang2020"
    )
    confirmed_at_desk(business, "tax_code")
    client = Client()
    sign_in(client, BUSINESS_SUBJECT)
    assert signed_in_user(client) == business
    business.refresh_from_db()
    assert business.full_name == "Công ty TNHH Thương mại Biển Xanh"
    assert business.national_id == ""


def test_person_with_personal_tax_code_is_found_by_cccd(demo_citizen: User) -> None:
    from egov.identity.models import SimulatorIdentity

    identity = SimulatorIdentity.objects.get(subject=CITIZEN_SUBJECT)
    identity.claims["tax_code"] = "8012345678"
    identity.save()
    confirmed_at_desk(demo_citizen)
    client = Client()
    sign_in(client, CITIZEN_SUBJECT)
    assert signed_in_user(client) == demo_citizen
    demo_citizen.refresh_from_db()
    assert demo_citizen.tax_code == "8012345678"


# --- refusals -----------------------------------------------------------------------


def assert_refused(response: Any, status: int, reason: str, client: Client) -> None:
    assert response.status_code == status, response.content
    html = response.content.decode()
    assert f'data-reason="{reason}"' in html
    assert 'href="/tai-khoan/dang-nhap/"' in html
    assert alert_text(response)
    assert signed_in_user(client) is None


def test_access_denied() -> None:
    client = Client()
    answer = choose(client, to_provider(client), None)
    assert answer.params["error"] == "access_denied"
    response = client.get(path_of(answer.callback))
    assert_refused(response, 403, "access_denied", client)
    assert re.search("từ chối|declined", alert_text(response))
    assert FLOW_KEY not in client.session


def test_state_mismatch() -> None:
    client = Client()
    answer = choose(client, to_provider(client), CITIZEN_SUBJECT)
    forged = path_of(answer.callback).replace(answer.params["state"], "forged-state")
    assert_refused(client.get(forged), 400, "bad_state", client)
    # The real answer cannot be used afterwards either: the flow is gone.
    assert_refused(client.get(path_of(answer.callback)), 400, "bad_state", client)


def test_answer_in_another_browser_is_refused() -> None:
    client = Client()
    answer = choose(client, to_provider(client), CITIZEN_SUBJECT)
    attacker = Client()
    assert_refused(attacker.get(path_of(answer.callback)), 400, "bad_state", attacker)


def test_flow_expired() -> None:
    client = Client()
    answer = choose(client, to_provider(client), CITIZEN_SUBJECT)
    session = client.session
    session[FLOW_KEY] = {**session[FLOW_KEY], "started": now() - oidc.FLOW_SECONDS - 5}
    session.save()
    assert_refused(client.get(path_of(answer.callback)), 400, "flow_expired", client)


def test_wrong_pkce_verifier() -> None:
    client = Client()
    answer = choose(client, to_provider(client), CITIZEN_SUBJECT)
    session = client.session
    session[FLOW_KEY] = {**session[FLOW_KEY], "verifier": "x" * 64}
    session.save()
    assert_refused(client.get(path_of(answer.callback)), 400, "token_rejected", client)


def test_reused_code(demo_citizen: User) -> None:
    client = Client()
    answer = choose(client, to_provider(client), CITIZEN_SUBJECT)
    assert client.get(path_of(answer.callback)).status_code == 302
    # Replay the code in a fresh sign-in (the attacker's own valid state).
    attacker = Client()
    fresh = query_of(to_provider(attacker))
    replay = f"/tai-khoan/dinh-danh/ket-qua/?code={answer.params['code']}&state={fresh['state']}"
    assert_refused(attacker.get(replay), 400, "token_rejected", attacker)


@pytest.mark.parametrize(
    ("rewrite", "reason"),
    [
        pytest.param(
            lambda t: {**t, "id_token": t["id_token"][:-4] + "AAAA"}, "bad_token", id="sig"
        ),
        pytest.param(
            lambda t: {
                **t,
                "id_token": ".".join(
                    [
                        t["id_token"].split(".")[0],
                        base64.urlsafe_b64encode(
                            json.dumps({"sub": "someone-else", "aud": "egov-kien-giang"}).encode()
                        )
                        .rstrip(b"=")
                        .decode(),
                        t["id_token"].split(".")[2],
                    ]
                ),
            },
            "bad_token",
            id="payload-swapped",
        ),
        pytest.param(
            lambda t: {**t, "id_token": resign(t["id_token"], iat=now() - 3900, exp=now() - 3600)},
            "token_expired",
            id="expired",
        ),
        pytest.param(
            lambda t: {**t, "id_token": resign(t["id_token"], nonce="another-nonce")},
            "bad_token",
            id="nonce",
        ),
        pytest.param(
            lambda t: {**t, "id_token": resign(t["id_token"], iss="https://evil.example.com")},
            "bad_token",
            id="issuer",
        ),
        pytest.param(
            lambda t: {**t, "id_token": resign(t["id_token"], aud="another-client")},
            "bad_token",
            id="audience",
        ),
        pytest.param(
            lambda t: {**t, "id_token": resign(t["id_token"], iat=now() + 3600)},
            "bad_token",
            id="iat-future",
        ),
        pytest.param(
            lambda t: {**t, "id_token": resign(t["id_token"], sub="vneid-7b2d4e91-091185004321")},
            "bad_token",
            id="userinfo-other-subject",
        ),
    ],
)
def test_bad_id_token_is_refused(
    monkeypatch: pytest.MonkeyPatch, demo_citizen: User, rewrite: Any, reason: str
) -> None:
    use_transport(monkeypatch, RewritingTransport(rewrite))
    client = Client()
    response = sign_in(client, CITIZEN_SUBJECT)
    assert_refused(response, 400, reason, client)
    assert not ExternalIdentity.objects.exists()


def test_unsigned_token_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    def unsigned(tokens: dict[str, Any]) -> dict[str, Any]:
        import jwt

        claims = jwt.decode(tokens["id_token"], options={"verify_signature": False})
        return {**tokens, "id_token": jwt.encode(claims, "", algorithm="none")}

    use_transport(monkeypatch, RewritingTransport(unsigned))
    client = Client()
    assert_refused(sign_in(client, CITIZEN_SUBJECT), 400, "bad_token", client)


def test_staff_account_is_refused() -> None:
    staff = User.objects.create_user(
        "canbo.test",
        "x-Password-1",
        full_name="Cán bộ",
        kind=AccountKind.STAFF,
        national_id="091090001234",
    )
    client = Client()
    assert_refused(sign_in(client, CITIZEN_SUBJECT), 403, "staff", client)
    assert not ExternalIdentity.objects.exists()
    refusal = AuditEntry.objects.get(action="identity.sign_in_refused")
    assert refusal.object_id == str(staff.pk)
    assert refusal.changes["reason"] == "staff"


def test_disabled_account_is_refused(demo_citizen: User) -> None:
    confirmed_at_desk(demo_citizen)
    demo_citizen.is_active = False
    demo_citizen.save()
    client = Client()
    assert_refused(sign_in(client, CITIZEN_SUBJECT), 403, "inactive", client)


def test_unreachable_provider(settings: Any) -> None:
    settings.EGOV_IDENTITY_ISSUER = "http://127.0.0.1:8000/khong-co"
    client = Client()
    response = client.get("/tai-khoan/dinh-danh/dang-nhap/")
    assert response.status_code == 502
    assert 'data-reason="unreachable"' in response.content.decode()


def test_feature_off(settings: Any) -> None:
    settings.EGOV_IDENTITY_ENABLED = False
    response = Client().get("/tai-khoan/dinh-danh/dang-nhap/")
    assert response.status_code == 400
    assert "VNeID" not in Client().get("/tai-khoan/dang-nhap/").content.decode()


def test_sign_in_page_has_the_button() -> None:
    html = Client().get("/tai-khoan/dang-nhap/?next=/tai-khoan/bao-mat/").content.decode()
    assert 'href="/tai-khoan/dinh-danh/dang-nhap/?next=%2Ftai-khoan%2Fbao-mat%2F"' in html
