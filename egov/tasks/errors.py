"""Refusals of the task services (``core.errors.DomainError``): the API answers them
with the one JSON error body, pages show their message; nothing was changed."""

from __future__ import annotations

from django.utils.translation import gettext as _

from egov.core.errors import DomainError


class TaskError(DomainError):
    code = "task_error"
    http_status = 409


class InvalidInput(TaskError):
    code = "invalid"
    http_status = 422


class WrongState(TaskError):
    """The task is no longer in a state that allows this (someone acted first)."""

    code = "wrong_state"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message
            or _(
                "Someone has already acted on this task and it is no longer in a state "
                "that allows this. Nothing was changed; open the task again to see it."
            )
        )


class ExtensionPending(TaskError):
    code = "extension_pending"

    def __init__(self) -> None:
        super().__init__(
            _(
                "An extension request for this task is already waiting for a decision. "
                "Wait for the decision before asking again."
            )
        )


class DocumentNotFound(TaskError):
    code = "document_not_found"
    http_status = 404

    def __init__(self) -> None:
        super().__init__(
            _("The document does not exist or you may not see it."), field="document_id"
        )
