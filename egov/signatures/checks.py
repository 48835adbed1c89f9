"""Deploy check: nothing of the demo PKI is trusted or used outside the demo.

Registered with the platform's deploy tag (``egov.core.checks.TAG``), so
``check --deploy`` reports it and ``refuse_unsafe_start`` refuses to start on it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register
from django.db import DatabaseError

from egov.core.checks import TAG


def _demo_anchors() -> list[str]:
    """Enabled anchors that are the demo's (flagged so, or carrying its mark)."""
    from asn1crypto import x509 as asn1_x509

    from egov.signatures.models import TrustAnchor
    from egov.signatures.pki import DEMO_MARK

    found = []
    try:
        rows = list(TrustAnchor.objects.filter(enabled=True))
    except DatabaseError:  # not migrated yet: nothing trusted either
        return []
    for row in rows:
        subject = asn1_x509.Certificate.load(bytes(row.certificate)).subject.native
        unit = subject.get("organizational_unit_name") or ""
        if row.is_demo or DEMO_MARK in (unit if isinstance(unit, str) else " ".join(unit)):
            found.append(row.name)
    return found


@register(Tags.security, TAG, deploy=True)
def check_demo_pki(app_configs: Iterable[Any] | None = None, **kwargs: Any) -> list[CheckMessage]:
    found: list[CheckMessage] = []
    if getattr(settings, "EGOV_SIGNATURES_DEMO_PKI", False):
        found.append(
            Error(
                "EGOV_SIGNATURES_DEMO_PKI is on: documents would be signed with the test "
                "PKI, whose keys are in files anyone with the server can read.",
                hint="Set EGOV_SIGNATURES_DEMO_PKI=false and load the real trust anchors.",
                id="egov.E040",
                obj="EGOV_SIGNATURES_DEMO_PKI",
            )
        )
    for name in _demo_anchors():
        found.append(
            Error(
                f"The trust anchor “{name}” is the demo PKI's root.",
                hint="Disable or delete it in the admin (Trust anchors).",
                id="egov.E041",
                obj="signatures.TrustAnchor",
            )
        )
    return found
