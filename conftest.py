"""Suite-wide test set-up. App-specific factories and fixtures live in each
app's ``tests/`` package."""

from __future__ import annotations

import os

# Playwright's sync API runs an event loop in the test thread; Django's ORM is
# still used synchronously there (fixtures, assertions).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
