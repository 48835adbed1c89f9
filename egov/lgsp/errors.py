"""Refusals of the gateway and of the registry's write path."""

from __future__ import annotations

from typing import Any

from egov.core.errors import DomainError


class GatewayRefusal(DomainError):
    """A call the gateway answers itself (nothing reached the provider, or the
    provider failed). ``outcome`` goes to the message log."""

    outcome = "invalid"

    def __init__(
        self,
        message: str,
        *,
        code: str,
        http_status: int,
        outcome: str,
        consumer: str = "",
        service: str = "",
        retry_after: int | None = None,
    ) -> None:
        super().__init__(message, code=code, http_status=http_status)
        self.outcome = outcome
        self.consumer = consumer
        self.service = service
        self.retry_after = retry_after

    def extra(self) -> dict[str, Any]:
        extra: dict[str, Any] = {}
        if self.consumer:
            extra["consumer"] = self.consumer
        if self.service:
            extra["service"] = self.service
        if self.retry_after is not None:
            extra["retry_after"] = self.retry_after
        return extra


class RegistryError(DomainError):
    code = "lgsp_registry"
    http_status = 422
