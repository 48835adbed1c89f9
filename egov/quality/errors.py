"""Refusals of the index pages and API (``core.errors.DomainError``)."""

from __future__ import annotations

from egov.core.errors import DomainError


class BadPeriod(DomainError):
    code = "invalid_period"
    http_status = 422
    field = "start"
