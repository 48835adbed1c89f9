"""Deploy check: the demo PKI is refused outside the demo.

Registered with the platform's deploy tag (``egov.core.checks.TAG``), so
``check --deploy`` reports it and ``refuse_unsafe_start`` refuses to start on it.
Without the setting, the demo's roots are not trusted even if an operator enabled
one as an anchor (:func:`egov.signatures.trust.anchors` leaves them out, by flag
and by the demo mark in their subject), so the check needs no database.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

from egov.core.checks import TAG


@register(Tags.security, TAG, deploy=True)
def check_demo_pki(app_configs: Iterable[Any] | None = None, **kwargs: Any) -> list[CheckMessage]:
    if not getattr(settings, "EGOV_SIGNATURES_DEMO_PKI", False):
        return []
    return [
        Error(
            "EGOV_SIGNATURES_DEMO_PKI is on: documents would be signed with the test PKI, "
            "whose keys are in files anyone with the server can read, and its root trusted.",
            hint="Set EGOV_SIGNATURES_DEMO_PKI=false and load the real trust anchors.",
            id="egov.E040",
            obj="EGOV_SIGNATURES_DEMO_PKI",
        )
    ]
