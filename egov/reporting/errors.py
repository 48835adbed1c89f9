"""Refusals of the reporting services (``core.errors.DomainError``: the API and the
pages answer them by themselves)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from egov.core.errors import DomainError


class ReportingError(DomainError):
    code = "reporting_error"
    http_status = 409


class NotAllowedNow(ReportingError):
    code = "not_allowed_now"


class AlreadyFiled(ReportingError):
    """A report of this regime, unit and period exists: a second one is refused."""

    code = "already_filed"

    def __init__(self, period_label: str, status_label: str) -> None:
        super().__init__(
            _(
                "A report for %(period)s already exists (%(status)s). Open it instead; "
                "after approval, corrections are made as a new version."
            )
            % {"period": period_label, "status": status_label}
        )


class UnknownPeriod(ReportingError):
    code = "unknown_period"
    http_status = 422
    field = "period"

    def __init__(self, key: str) -> None:
        super().__init__(_("“%(key)s” is not a period of this regime.") % {"key": key[:30]})


class InvalidFigures(ReportingError):
    """Some figures break the regime's rules; nothing was saved."""

    code = "invalid_figures"
    http_status = 422

    def __init__(self, errors: dict[str, str]) -> None:
        first = next(iter(errors.values()))
        super().__init__(first)
        self.errors = errors
        self.field = next(iter(errors))

    def extra(self) -> dict[str, Any]:
        return {"errors": self.errors}


class StaleReport(ReportingError):
    code = "stale"

    def __init__(self) -> None:
        super().__init__(
            _(
                "Someone else saved this report in the meantime. Reload it, check the "
                "figures and save again."
            )
        )
