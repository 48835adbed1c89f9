"""Property-based run of the whole checked-in API document against the app.

Schemathesis reads ``docs/api/openapi.json`` and, for every operation, sends
generated requests (valid and invalid) to the Django WSGI application in this
process — no network. Three callers: nobody, a clerk of the one-stop desk signed
in with the second factor, and a citizen. Whatever arrives, the app must never
answer 5xx, and a documented answer must match its documented schema and type.

The run is bounded (a few examples per operation, no shrinking) and
derandomised with a fixed seed, so it takes the same couple of minutes and finds
the same things on every run; no response-time deadline, so a slow shared
machine cannot make it flaky.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import Client
from django.utils.crypto import get_random_string
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup, ServerError
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from egov.accounts.tests.helpers import sign_in_verified
from egov.core.workcalendar import invalidate_calendar
from egov.dossiers.tests.factories import World, build_world

DOCUMENT = Path(__file__).resolve().parent.parent / "docs" / "api" / "openapi.json"
SEED = 20261207
EXAMPLES_PER_OPERATION = 6

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        "generation": {
            "max-examples": EXAMPLES_PER_OPERATION,
            "deterministic": True,
            "no-shrink": True,
            "database": "none",
        },
        # The examples and fuzzing phases only: the coverage phase alone would send
        # hundreds of requests per operation, beyond this run's few minutes.
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
    }
)
schema = schemathesis.openapi.from_path(DOCUMENT, config=CONFIG)

# The callers' fixtures are built once per operation, on purpose: every example of an
# operation shares them (and the database the examples change).
SETTINGS = settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]

pytestmark = pytest.mark.django_db


class _SignedInApp:
    """The Django WSGI application, with a caller's cookies added to every request
    and the CSRF double-submit token a browser would send along with them."""

    def __init__(self, cookies: dict[str, str]) -> None:
        self.handler = WSGIHandler()
        self.csrf = get_random_string(32)
        jar = {**cookies, "csrftoken": self.csrf} if cookies else {}
        self.cookies = "; ".join(f"{name}={value}" for name, value in jar.items())

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if self.cookies:
            # After any cookie the fuzzer made up (e.g. a random ``sessionid``): for
            # a name given twice Django keeps the last value.
            sent = environ.get("HTTP_COOKIE", "")
            environ["HTTP_COOKIE"] = f"{sent}; {self.cookies}" if sent else self.cookies
            environ["HTTP_X_CSRFTOKEN"] = self.csrf
        return self.handler(environ, start_response)


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """One organisation for the whole module (built once, rolled back at the end)."""
    with django_db_blocker.unblock():
        invalidate_calendar()
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            invalidate_calendar()


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    """As Django's test client does: a request must not close the connection that
    holds the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _cookies_of(user: Any, *, staff: bool) -> dict[str, str]:
    client = Client()
    if staff:
        sign_in_verified(client, user)
    else:
        client.force_login(user)
    return {name: morsel.value for name, morsel in client.cookies.items()}


def _run(case: schemathesis.Case, app: Callable[..., Any]) -> None:
    case.call_and_validate(app=app, checks=CHECKS)


@pytest.fixture
def anonymous_app(world: World) -> _SignedInApp:
    return _SignedInApp({})


@pytest.fixture
def staff_app(world: World) -> _SignedInApp:
    return _SignedInApp(_cookies_of(world.staff.clerk, staff=True))


@pytest.fixture
def citizen_app(world: World) -> _SignedInApp:
    return _SignedInApp(_cookies_of(world.staff.citizen, staff=False))


@schema.parametrize()
@SETTINGS
def test_anonymous(case: schemathesis.Case, anonymous_app: _SignedInApp) -> None:
    _run(case, anonymous_app)


@schema.parametrize()
@SETTINGS
def test_staff_with_second_factor(case: schemathesis.Case, staff_app: _SignedInApp) -> None:
    _run(case, staff_app)


@schema.parametrize()
@SETTINGS
def test_citizen(case: schemathesis.Case, citizen_app: _SignedInApp) -> None:
    _run(case, citizen_app)


def test_the_run_sees_a_server_error() -> None:
    """The checks fail on a 5xx (so the run above can fail)."""

    def broken(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("500 Internal Server Error", [("Content-Type", "text/plain")])
        return [b"boom"]

    case = schema["/api/v1/portal/fields"]["GET"].Case()
    with pytest.raises(FailureGroup) as caught:
        case.call_and_validate(app=broken, checks=CHECKS)
    assert any(isinstance(error, ServerError) for error in caught.value.exceptions)


@pytest.mark.parametrize(
    "signature",
    ["u+:oUß", "\ud920", "[" * 50 + "]" * 50],
    ids=["non-ascii", "lone-surrogate", "nested"],
)
def test_callbacks_an_earlier_run_found(anonymous_app: _SignedInApp, signature: str) -> None:
    body: dict[str, Any] = {
        "merchant_code": "KG-EGOV",
        "reference": "TT0000000000",
        "amount": 1,
        "status": "expired",
        "signature": signature,
    }
    case = schema["/api/v1/payments/callback"]["POST"].Case(body=body)
    case.call_and_validate(app=anonymous_app, checks=CHECKS)
