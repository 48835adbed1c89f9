"""Deploy checks: outside the demo the platform does not run with a secret that is
missing or was published in its source, nor with the demo's simulators and wiring.

The checks are deploy checks (``manage.py check --deploy`` reports them as errors).
Servers run no deploy checks, so :func:`refuse_unsafe_start` runs the same checks
where the platform starts serving, the WSGI application (``egov/wsgi.py``: gunicorn,
``runserver``) and the background worker (``run_background``), and raises outside
the demo. The demo (``EGOV_DEMO``: ``make run``, the test suite) is exempt from that
refusal, never from ``check --deploy``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register, run_checks
from django.core.exceptions import ImproperlyConfigured

from egov.conf import REGISTRY

TAG = "egov_deploy"

#: Declared variables whose name ends so hold secrets (a new one is covered by its name).
SECRET_NAME = re.compile(r"(SECRET|_KEY|TOKEN)$")

#: Values that were defaults in the source code or its documentation: anyone can sign
#: with them, so they are refused even when set on purpose.
PUBLISHED_VALUES = frozenset(
    {
        "dev-only-paygov-secret-change-me",
        "dev-postal-callback-secret",
        "dev-postal-key",
        "demo-sms-key",
        "simulator-secret",
    }
)
#: Django's startproject template writes keys starting so into public repositories.
PUBLISHED_PREFIXES = ("django-insecure-",)

#: Shorter shared secrets can be guessed offline from one signed message.
MIN_SECRET_LENGTH = 16

#: Where a variable's value ends up when the setting has another name.
SETTING_OF = {"EGOV_SECRET_KEY": "SECRET_KEY"}


def _setting(name: str, default: Any = None) -> Any:
    return getattr(settings, name, default)


#: Secrets a switched-off feature does not use may stay empty.
NEEDED_WHEN: dict[str, Callable[[], bool]] = {
    "EGOV_IDENTITY_SIM_CLIENT_SECRET": lambda: bool(_setting("EGOV_SIMULATORS")),
    "EGOV_IDENTITY_CLIENT_SECRET": lambda: bool(_setting("EGOV_IDENTITY_ENABLED", True)),
    "EGOV_SMS_API_KEY": lambda: "sms" in (_setting("EGOV_NOTIFY_CHANNELS") or ()),
    "APPLICANTS_POSTAL_API_KEY": lambda: _setting("APPLICANTS_POSTAL_ADAPTER") == "http",
    # Empty: /metrics answers the allowed addresses only.
    "EGOV_METRICS_TOKEN": lambda: False,
}

GENERATE_HINT = (
    "Set it in the environment to a long random value, e.g. the output of "
    "`python3 -c 'import secrets; print(secrets.token_urlsafe(48))'` (a shared secret: "
    "the value agreed with the other system). Only the demo (EGOV_DEMO=1) makes its own."
)


def secret_names() -> list[str]:
    """Every declared variable that holds a secret."""
    return sorted(name for name in REGISTRY if SECRET_NAME.search(name))


def secret_value(name: str) -> str:
    """The value in force for variable ``name`` (the setting, else the environment)."""
    try:
        value = getattr(settings, SETTING_OF.get(name, name))
    except AttributeError:
        value = os.environ.get(name, "")
    except ImproperlyConfigured:  # Django refuses to read an empty SECRET_KEY
        value = ""
    return str(value or "")


def is_published(value: str) -> bool:
    return value in PUBLISHED_VALUES or value.startswith(PUBLISHED_PREFIXES)


@register(Tags.security, TAG, deploy=True)
def check_secrets(app_configs: Iterable[Any] | None = None, **kwargs: Any) -> list[CheckMessage]:
    found: list[CheckMessage] = []
    for name in secret_names():
        value = secret_value(name)
        if not value:
            needed = NEEDED_WHEN.get(name)
            if needed is None or needed():
                found.append(
                    Error(f"{name} is empty.", hint=GENERATE_HINT, id="egov.E001", obj=name)
                )
        elif is_published(value):
            found.append(
                Error(
                    f"{name} has a value published in the platform's source code: anyone "
                    "can sign messages or sessions with it.",
                    hint=GENERATE_HINT,
                    id="egov.E002",
                    obj=name,
                )
            )
        elif len(value) < MIN_SECRET_LENGTH and name not in SETTING_OF:
            # SECRET_KEY's strength is Django's own check (security.W009).
            found.append(
                Warning(
                    f"{name} is shorter than {MIN_SECRET_LENGTH} characters.",
                    hint=GENERATE_HINT,
                    id="egov.W003",
                    obj=name,
                )
            )
    return found


def _demo_wiring() -> list[tuple[str, str]]:
    """``(setting, why)`` for each setting that still points at a simulator or an
    in-process shortcut of the tests."""
    wiring: list[tuple[str, str]] = []
    if _setting("EGOV_IDENTITY_ENABLED", True):
        if not _setting("EGOV_IDENTITY_ISSUER"):
            wiring.append(("EGOV_IDENTITY_ISSUER", "empty: sign-in goes to the simulator"))
        if _setting("EGOV_IDENTITY_HTTP_TRANSPORT") == "inprocess":
            wiring.append(("EGOV_IDENTITY_HTTP_TRANSPORT", "inprocess: only for the simulator"))
    if not _setting("EGOV_PAYGOV_PAY_URL"):
        wiring.append(("EGOV_PAYGOV_PAY_URL", "empty: fees are paid in the simulator"))
    if not _setting("EGOV_PAYGOV_QUERY_URL"):
        wiring.append(("EGOV_PAYGOV_QUERY_URL", "empty: reconciliation asks the simulator"))
    for name in ("EGOV_PAYMENTS_TRANSPORT", "EGOV_SMS_TRANSPORT"):
        transport = str(_setting(name, ""))
        if transport == "inprocess" or "DjangoClient" in transport:
            wiring.append((name, "inprocess: only for the simulator"))
    if _setting("APPLICANTS_POSTAL_ADAPTER") == "http":
        if "/mo-phong/" in str(_setting("APPLICANTS_POSTAL_API_URL", "")):
            wiring.append(("APPLICANTS_POSTAL_API_URL", "the postal simulator's address"))
        if _setting("APPLICANTS_POSTAL_INPROCESS"):
            wiring.append(("APPLICANTS_POSTAL_INPROCESS", "on: only for the simulator"))
    sms_used = "sms" in (_setting("EGOV_NOTIFY_CHANNELS") or ())
    if sms_used and "/mo-phong/" in str(_setting("EGOV_SMS_API_URL", "")):
        wiring.append(("EGOV_SMS_API_URL", "the SMS simulator's address"))
    return wiring


@register(Tags.security, TAG, deploy=True)
def check_simulators(app_configs: Iterable[Any] | None = None, **kwargs: Any) -> list[CheckMessage]:
    found: list[CheckMessage] = []
    if _setting("EGOV_SIMULATORS"):
        found.append(
            Error(
                "EGOV_SIMULATORS is on: the simulators sign payments as paid and show "
                "every SMS and parcel.",
                hint="Set EGOV_SIMULATORS=false; they are for the demo and the tests.",
                id="egov.E010",
                obj="EGOV_SIMULATORS",
            )
        )
    for name, why in _demo_wiring():
        found.append(
            Error(
                f"{name} is set for the demo ({why}).",
                hint="Point it at the real system (see README, Production settings).",
                id="egov.E011",
                obj=name,
            )
        )
    return found


@register(Tags.security, deploy=True)
def check_not_demo(app_configs: Iterable[Any] | None = None, **kwargs: Any) -> list[CheckMessage]:
    if not _setting("EGOV_DEMO"):
        return []
    return [
        Error(
            "EGOV_DEMO is on: this is a demonstration set-up (generated secrets, "
            "simulators, plain HTTP).",
            hint="Unset EGOV_DEMO in production.",
            id="egov.E012",
            obj="EGOV_DEMO",
        )
    ]


def refuse_unsafe_start() -> None:
    """Raise ``ImproperlyConfigured`` naming every problem, outside the demo, when a
    secret is missing or published or the demo's simulators are wired in."""
    if _setting("EGOV_DEMO"):
        return
    problems = [
        message
        for message in run_checks(tags=[TAG], include_deployment_checks=True)
        if message.is_serious()
    ]
    if problems:
        lines = "\n".join(f"  {message}" for message in problems)
        raise ImproperlyConfigured(
            "The platform refuses to start outside the demo (EGOV_DEMO):\n" + lines
        )
