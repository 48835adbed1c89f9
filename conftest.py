"""Suite-wide test set-up. App-specific factories and fixtures live in each
app's ``tests/`` package."""

from __future__ import annotations

import os

# Playwright's sync API runs an event loop in the test thread; Django's ORM is
# still used synchronously there (fixtures, assertions).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest
from django.utils import translation


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
