"""The JSON API (version 1): one NinjaAPI, one router per app.

The OpenAPI document it generates is checked in at ``docs/api/openapi.json``
and compared in the test suite, so any change to the API shows in review.
"""

from __future__ import annotations

from ninja import NinjaAPI

from egov.core.api import router as core_router

api = NinjaAPI(
    title="egov API",
    version="1",
    description="JSON API of the provincial e-government platform. Errors are JSON objects "
    "with a machine-readable `code` and a human-readable `message`.",
    urls_namespace="api-v1",
)
api.add_router("/", core_router)
