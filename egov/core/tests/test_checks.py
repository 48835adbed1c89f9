"""Deploy checks (finding 2) and the production headers (finding 6): outside the
demo, a missing or published secret, the simulators or the demo's wiring stop the
platform; with real settings ``check --deploy`` is clean."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from egov.core import checks

ROOT = Path(__file__).resolve().parents[3]

SECRETS = {
    "EGOV_SECRET_KEY": "SECRET_KEY",
    "EGOV_PAYGOV_SECRET": "EGOV_PAYGOV_SECRET",
    "APPLICANTS_POSTAL_API_KEY": "APPLICANTS_POSTAL_API_KEY",
    "APPLICANTS_POSTAL_CALLBACK_SECRET": "APPLICANTS_POSTAL_CALLBACK_SECRET",
    "EGOV_SMS_API_KEY": "EGOV_SMS_API_KEY",
    "EGOV_IDENTITY_CLIENT_SECRET": "EGOV_IDENTITY_CLIENT_SECRET",
    "EGOV_PORTAL_SMS_TOKEN": "EGOV_PORTAL_SMS_TOKEN",
    "EGOV_AUDIT_KEY": "EGOV_AUDIT_KEY",
    "EGOV_SIGNATURES_AGENCY_PIN_SECRET": "EGOV_SIGNATURES_AGENCY_PIN_SECRET",
    "EGOV_EXCHANGE_SECRET": "EGOV_EXCHANGE_SECRET",
    "EGOV_DVCQG_SECRET": "EGOV_DVCQG_SECRET",
    "EGOV_GOVREPORT_SECRET": "EGOV_GOVREPORT_SECRET",
    "EGOV_LGSP_POPULATION_API_KEY": "EGOV_LGSP_POPULATION_API_KEY",
    "EGOV_SIGNATURES_REMOTE_CALLBACK_SECRET": "EGOV_SIGNATURES_REMOTE_CALLBACK_SECRET",
}
REAL_ENDPOINTS = {
    "EGOV_IDENTITY_ISSUER": "https://sso.dichvucong.gov.vn",
    "EGOV_PAYGOV_PAY_URL": "https://paygov.dichvucong.gov.vn/pay",
    "EGOV_PAYGOV_QUERY_URL": "https://paygov.dichvucong.gov.vn/query/",
    "APPLICANTS_POSTAL_API_URL": "https://api.vnpost.vn/parcels",
    "EGOV_SMS_API_URL": "https://sms.example.vn/send",
}


def _random() -> str:
    return secrets.token_urlsafe(50)


@pytest.fixture
def production(settings: Any) -> Any:
    """Settings as in production: no demo, no debug, real secrets and systems."""
    settings.EGOV_DEMO = False
    settings.DEBUG = False
    settings.EGOV_SIMULATORS = False
    settings.EGOV_SIGNATURES_DEMO_PKI = False
    for setting in SECRETS.values():
        setattr(settings, setting, _random())
    settings.EGOV_IDENTITY_SIM_CLIENT_SECRET = settings.EGOV_IDENTITY_CLIENT_SECRET
    for name, url in REAL_ENDPOINTS.items():
        setattr(settings, name, url)
    settings.EGOV_IDENTITY_HTTP_TRANSPORT = "http"
    settings.EGOV_PAYMENTS_TRANSPORT = "egov.payments.transport.HttpTransport"
    settings.APPLICANTS_POSTAL_ADAPTER = "http"
    settings.APPLICANTS_POSTAL_INPROCESS = False
    settings.EGOV_NOTIFY_CHANNELS = ["email", "sms"]
    return settings


def ids(messages: list[Any]) -> set[tuple[str, str]]:
    return {(message.id, message.obj) for message in messages}


def test_real_settings_pass(production: Any) -> None:
    assert checks.check_secrets() == []
    assert checks.check_simulators() == []
    assert checks.check_not_demo() == []
    checks.refuse_unsafe_start()  # does not raise


def test_every_secret_setting_is_covered() -> None:
    assert set(SECRETS) <= set(checks.secret_names())
    assert "EGOV_PASSWORD_MIN_LENGTH" not in checks.secret_names()


@pytest.mark.parametrize("name", sorted(SECRETS))
def test_an_empty_secret_is_refused(production: Any, name: str) -> None:
    setattr(production, SECRETS[name], "")
    assert ids(checks.check_secrets()) == {("egov.E001", name)}
    with pytest.raises(ImproperlyConfigured, match=name):
        checks.refuse_unsafe_start()


@pytest.mark.parametrize("name", sorted(SECRETS))
def test_a_published_secret_is_refused(production: Any, name: str) -> None:
    for published in ("dev-only-paygov-secret-change-me", "django-insecure-" + "x" * 50):
        setattr(production, SECRETS[name], published)
        assert ids(checks.check_secrets()) == {("egov.E002", name)}
        with pytest.raises(ImproperlyConfigured, match=name):
            checks.refuse_unsafe_start()


def test_every_old_default_is_known_as_published() -> None:
    assert {
        "dev-only-paygov-secret-change-me",
        "dev-postal-callback-secret",
        "dev-postal-key",
        "demo-sms-key",
        "simulator-secret",
    } == checks.PUBLISHED_VALUES


def test_a_short_shared_secret_is_a_warning(production: Any) -> None:
    production.EGOV_PAYGOV_SECRET = "short"
    found = checks.check_secrets()
    assert ids(found) == {("egov.W003", "EGOV_PAYGOV_SECRET")}
    checks.refuse_unsafe_start()  # warnings do not stop the platform


def test_secrets_of_features_switched_off_may_stay_empty(production: Any) -> None:
    production.EGOV_IDENTITY_ENABLED = False
    production.EGOV_IDENTITY_CLIENT_SECRET = ""
    production.EGOV_IDENTITY_SIM_CLIENT_SECRET = ""
    production.EGOV_NOTIFY_CHANNELS = ["email"]
    production.EGOV_SMS_API_KEY = ""
    production.APPLICANTS_POSTAL_ADAPTER = "none"
    production.APPLICANTS_POSTAL_API_KEY = ""
    assert checks.check_secrets() == []
    # A callback secret guards an inbound endpoint: always needed.
    production.APPLICANTS_POSTAL_CALLBACK_SECRET = ""
    assert ids(checks.check_secrets()) == {("egov.E001", "APPLICANTS_POSTAL_CALLBACK_SECRET")}


def test_simulators_on_are_refused(production: Any) -> None:
    production.EGOV_SIMULATORS = True
    assert ids(checks.check_simulators()) == {("egov.E010", "EGOV_SIMULATORS")}
    # The simulated provider's client secret is needed again.
    production.EGOV_IDENTITY_SIM_CLIENT_SECRET = ""
    assert ids(checks.check_secrets()) == {("egov.E001", "EGOV_IDENTITY_SIM_CLIENT_SECRET")}
    with pytest.raises(ImproperlyConfigured, match="EGOV_SIMULATORS"):
        checks.refuse_unsafe_start()


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("EGOV_IDENTITY_ISSUER", ""),
        ("EGOV_IDENTITY_HTTP_TRANSPORT", "inprocess"),
        ("EGOV_PAYGOV_PAY_URL", ""),
        ("EGOV_PAYGOV_QUERY_URL", ""),
        ("EGOV_PAYMENTS_TRANSPORT", "egov.payments.transport.DjangoClientTransport"),
        ("APPLICANTS_POSTAL_API_URL", "http://127.0.0.1:8000/ca-nhan/mo-phong/buu-dien/api"),
        ("APPLICANTS_POSTAL_INPROCESS", True),
        ("EGOV_SMS_API_URL", "http://127.0.0.1:8000/thong-bao/mo-phong/sms/api/send"),
    ],
)
def test_settings_wired_to_the_simulators_are_refused(
    production: Any, setting: str, value: object
) -> None:
    setattr(production, setting, value)
    assert ids(checks.check_simulators()) == {("egov.E011", setting)}
    with pytest.raises(ImproperlyConfigured, match=setting):
        checks.refuse_unsafe_start()


def test_the_demo_starts_but_is_never_deployable(production: Any) -> None:
    production.EGOV_DEMO = True
    production.EGOV_SIMULATORS = True
    production.EGOV_PAYGOV_SECRET = ""
    checks.refuse_unsafe_start()  # the demo is exempt from the start-up refusal
    assert ids(checks.check_not_demo()) == {("egov.E012", "EGOV_DEMO")}


def test_debug_does_not_exempt_from_the_refusal(production: Any) -> None:
    production.DEBUG = True
    production.EGOV_PAYGOV_SECRET = ""
    with pytest.raises(ImproperlyConfigured, match="EGOV_PAYGOV_SECRET"):
        checks.refuse_unsafe_start()


# --- the real commands, in a production-like environment ----------------------------------


def _production_environment(tmp_path: Path) -> dict[str, str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("EGOV_", "APPLICANTS_", "PYTEST_", "DJANGO_"))
        and key != "DATABASE_URL"
    }
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": "egov.settings",
            "EGOV_VAR_DIR": str(tmp_path),
            "EGOV_DEMO": "false",
            "EGOV_DEBUG": "false",
            "EGOV_SIMULATORS": "false",
            "EGOV_ALLOWED_HOSTS": "dichvucong.kiengiang.gov.vn",
            "EGOV_PUBLIC_BASE_URL": "https://dichvucong.kiengiang.gov.vn",
            "EGOV_PROXY_HTTPS_HEADER": "X-Forwarded-Proto",
            **{name: _random() for name in SECRETS},
            **REAL_ENDPOINTS,
        }
    )
    return environment


def _run(arguments: list[str], environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.database_independent
def test_check_deploy_is_clean_with_production_settings_and_fails_with_a_default(
    tmp_path: Path,
) -> None:
    environment = _production_environment(tmp_path)
    clean = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], environment)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "no issues" in clean.stdout

    environment["APPLICANTS_POSTAL_CALLBACK_SECRET"] = "dev-postal-callback-secret"
    published = _run(["manage.py", "check", "--deploy"], environment)
    assert published.returncode != 0
    assert "egov.E002" in published.stderr
    assert "APPLICANTS_POSTAL_CALLBACK_SECRET" in published.stderr

    # gunicorn and runserver load the WSGI module: it refuses too.
    served = _run(["-c", "import egov.wsgi"], environment)
    assert served.returncode != 0
    assert "refuses to start" in served.stderr
    assert "APPLICANTS_POSTAL_CALLBACK_SECRET" in served.stderr


@pytest.mark.database_independent
def test_production_defaults_are_https_only(tmp_path: Path) -> None:
    environment = _production_environment(tmp_path)
    shown = _run(
        [
            "-c",
            "import django; django.setup(); from django.conf import settings as s; "
            "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, "
            "s.CSRF_COOKIE_SECURE, s.SECURE_PROXY_SSL_HEADER, s.EGOV_SIMULATORS)",
        ],
        environment,
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.split("\n")[0] == (
        "True 31536000 True True ('HTTP_X_FORWARDED_PROTO', 'https') False"
    )


# --- headers ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_answer_carries_the_content_security_policy(settings: Any) -> None:
    settings.EGOV_PAYGOV_PAY_URL = "https://paygov.dichvucong.gov.vn/pay"
    for path in ("/", "/tai-khoan/dang-nhap/", "/api/v1/portal/fields", "/no-such-page/"):
        response = Client().get(path)
        policy = response["Content-Security-Policy"]
        assert "default-src 'self'" in policy
        assert "script-src 'self';" in policy and "style-src 'self';" in policy
        assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
        # The "pay" button's answer redirects to the payment platform's page.
        assert "form-action 'self' https://paygov.dichvucong.gov.vn" in policy
        assert "unsafe-inline" not in policy


@pytest.mark.django_db
def test_plain_http_redirects_to_https_except_the_health_check(settings: Any) -> None:
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    client = Client()
    redirected = client.get("/dich-vu-cong/")
    assert redirected.status_code == 301
    assert redirected["Location"].startswith("https://")
    assert client.get("/healthz").status_code == 200
    secure = client.get("/", secure=True)
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
