"""Refusals of the exchange (answered by the core's one handler)."""

from __future__ import annotations

from egov.core.errors import DomainError


class AlreadyDealtWith(DomainError):
    code = "already_dealt_with"
    http_status = 409
