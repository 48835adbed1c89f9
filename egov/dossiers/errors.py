"""Refusals of the dossier services, each with a machine ``code``, its HTTP status
and a message for people (translated: Vietnamese by default); they are
:class:`~egov.core.errors.DomainError`, so the API answers them by itself:
:class:`TransitionNotAllowed` and :class:`StaleDossier` → 409,
:class:`IncompleteDossier` and :class:`IdempotencyKeyReused` → 422.
Permission refusals are Django's ``PermissionDenied``; bad input is Django's
``ValidationError`` (with field names)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from egov.core.errors import DomainError

#: The request header carrying the key of an idempotent creation.
IDEMPOTENCY_HEADER = "Idempotency-Key"


class DossierError(DomainError):
    code = "dossier_error"
    http_status = 409


class TransitionNotAllowed(DossierError):
    """The move is not in the workflow table for the dossier's current state;
    nothing was changed."""

    code = "transition_not_allowed"
    http_status = 409

    def __init__(self, message: str, *, action: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.action = action
        self.status = status


class StaleDossier(DossierError):
    """Someone changed the dossier since the caller read it (optimistic locking)."""

    code = "stale"
    http_status = 409

    def __init__(self, *, expected: int, current: int) -> None:
        super().__init__(
            _(
                "The dossier was changed by someone else in the meantime (version %(current)s, "
                "you had version %(expected)s). Reload it and try again."
            )
            % {"current": current, "expected": expected}
        )
        self.expected = expected
        self.current = current


@dataclass(frozen=True)
class MissingPaper:
    """A required paper absent or short at reception."""

    required_paper_id: int
    name: str
    copies_required: int
    copies_given: int
    form_required: str
    reason: str  # "missing" | "not_enough_copies" | "wrong_form"


class IncompleteDossier(DossierError):
    """The papers do not satisfy the procedure's list; nothing was written. The desk
    then asks for a supplement (form 02) or refuses (form 03)."""

    code = "incomplete_dossier"
    http_status = 422
    field = "papers"

    def __init__(self, missing: Sequence[MissingPaper]) -> None:
        names = "; ".join(paper.name for paper in missing)
        super().__init__(
            _("The dossier is incomplete. Missing or insufficient papers: %(names)s.")
            % {"names": names}
        )
        self.missing = list(missing)

    def extra(self) -> dict[str, Any]:
        return {
            "missing": [
                {
                    "required_paper": paper.required_paper_id,
                    "name": paper.name,
                    "copies_required": paper.copies_required,
                    "copies_given": paper.copies_given,
                    "form_required": paper.form_required,
                    "reason": paper.reason,
                }
                for paper in self.missing
            ]
        }


class IdempotencyKeyReused(DossierError):
    """The same ``Idempotency-Key`` came with a different request body."""

    code = "idempotency_key_reused"
    http_status = 422
    field = IDEMPOTENCY_HEADER

    def __init__(self) -> None:
        super().__init__(
            _(
                "This Idempotency-Key was already used for a different request. Use a new "
                "key for a new dossier."
            )
        )
