"""Suite-wide test set-up. App-specific factories and fixtures live in each
app's ``tests/`` package."""

from __future__ import annotations

import os

# Playwright's sync API runs an event loop in the test thread; Django's ORM is
# still used synchronously there (fixtures, assertions).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest
from django.utils import translation
from hypothesis import HealthCheck, settings

# Property tests judge correctness, not speed: on a loaded CI machine (parallel
# workers, browsers) Hypothesis' timing checks would fail tests that are right.
settings.register_profile(
    "egov", deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
settings.load_profile("egov")


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    """The production hasher (PBKDF2, a million rounds) is slow on purpose: about
    0.4 s per password on one core. The suite creates users and signs in thousands
    of times, so it hashes with MD5, as Django's documentation advises for tests.
    Nothing here tests the hasher's strength; the settings check does."""
    from django.test.utils import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the site's default language (Vietnamese), whatever an
    earlier test or request left active (tests about English say so with
    ``translation.override("en")``), and with empty per-process caches."""
    from django.conf import settings

    from egov.core.caches import clear_process_caches

    translation.activate(settings.LANGUAGE_CODE)
    clear_process_caches()
    yield
    translation.deactivate()
