"""Adapter of the Government reporting system (Hệ thống thông tin báo cáo Chính
phủ): JSON over HTTP, each body signed with HMAC-SHA256 in ``X-Signature``.

Protocol (the simulator in :mod:`egov.reporting.simulator` speaks it):

* ``POST {base}/reports`` with the report as JSON and ``Idempotency-Key``: answers
  ``201 {"receipt_id": ...}`` (``200`` with the same receipt for a repeat).
* ``GET {base}/reports/{receipt_id}``: ``{"status": "received" | "accepted"}``.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from egov.core.integrations import (
    HeaderSigner,
    HmacSha256Signer,
    OutsideSystem,
    TransportError,
    default_retry,
    transport_for,
)
from egov.reporting.models import Report

SYSTEM = "government_reporting"


class GovernmentUnavailable(Exception):
    pass


def _secret() -> str:
    return str(getattr(settings, "EGOV_GOVREPORT_SECRET", "") or "")


def signer() -> HeaderSigner:
    return HeaderSigner(HmacSha256Signer(_secret()), "X-Signature")


def system() -> OutsideSystem:
    return OutsideSystem(
        SYSTEM,
        transport=transport_for(str(settings.EGOV_GOVREPORT_TRANSPORT)),
        timeout=float(settings.EGOV_GOVREPORT_TIMEOUT_SECONDS),
        retry=default_retry(),
        signer=signer(),
    )


def _base() -> str:
    return str(settings.EGOV_GOVREPORT_URL).rstrip("/")


def idempotency_key(report: Report) -> str:
    return f"{report.regime.code}:{report.unit.code}:{report.period_key}:v{report.version}"


def payload_of(report: Report) -> dict[str, Any]:
    pdf = bytes(report.signed_pdf) if report.signed_pdf else b""
    return {
        "key": idempotency_key(report),
        "regime": report.regime.code,
        "regime_title": report.regime.title,
        "unit_code": report.unit.code,
        "unit_name": report.unit.name,
        "period": report.period_key,
        "period_start": report.period_start.isoformat(),
        "period_end": report.period_end.isoformat(),
        "version": report.version,
        "late": report.is_late,
        "signed": report.is_signed,
        "signed_pdf_sha256": hashlib.sha256(pdf).hexdigest() if pdf else "",
        "values": {code: (item or {}).get("value", "") for code, item in report.values.items()},
        "texts": report.texts,
    }


def submit(payload: dict[str, Any]) -> str:
    """Send one report; its receipt number. Safe to repeat (idempotency key)."""
    if not _secret():
        raise GovernmentUnavailable(_("the connection to the Government system is not configured"))
    try:
        response = system().post_json(
            "submit_report",
            f"{_base()}/reports",
            payload,
            headers={"Idempotency-Key": payload["key"]},
            idempotent=True,
        )
    except TransportError as error:
        raise GovernmentUnavailable(_("no answer (%(error)s)") % {"error": error}) from None
    if response.status not in (200, 201):
        raise GovernmentUnavailable(_("HTTP %(status)s") % {"status": response.status})
    try:
        receipt = str(response.json()["receipt_id"])
    except (ValueError, KeyError, TypeError):
        raise GovernmentUnavailable(_("an answer that could not be read")) from None
    return receipt[:80]


def acknowledged(receipt_id: str) -> bool:
    try:
        response = system().get("report_status", f"{_base()}/reports/{receipt_id}")
    except TransportError as error:
        raise GovernmentUnavailable(str(error)) from None
    if response.status != 200:
        raise GovernmentUnavailable(_("HTTP %(status)s") % {"status": response.status})
    try:
        return response.json().get("status") == "accepted"
    except (ValueError, AttributeError):
        return False
