"""Refusals of the domain, and how they are answered.

A service refuses with a :class:`DomainError`: a machine ``code``, the HTTP status
it answers with, optionally the ``field`` at fault, and a ``message`` for people
(translated: Vietnamese by default). Each app's errors inherit it, so they map
themselves: the API has one handler (:func:`api_answer`, registered in
``egov/api.py``) giving every refusal the same JSON body as
:class:`egov.core.schemas.ErrorOut`, and pages have one middleware
(:class:`DomainErrorMiddleware`) that shows a refusal no view handled on an error
page, with its status. Django's own refusals — ``PermissionDenied`` (403) and
``ValidationError`` (422, the first field at fault) — get the same body.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


class DomainError(Exception):
    """A refusal of the domain; nothing was changed."""

    code = "error"
    http_status = 400
    field: str | None = None

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        field: str | None = None,
        http_status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if field is not None:
            self.field = field
        if http_status is not None:
            self.http_status = http_status

    def extra(self) -> dict[str, Any]:
        """More keys of the JSON body (e.g. the missing papers)."""
        return {}


def error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "field": field}


def answer_for(exc: Exception) -> tuple[int, dict[str, Any]] | None:
    """The HTTP status and JSON body for a refusal, or ``None`` for anything else."""
    if isinstance(exc, DomainError):
        return exc.http_status, {**error_body(exc.code, exc.message, exc.field), **exc.extra()}
    if isinstance(exc, PermissionDenied):
        message = str(exc) or _("You are not allowed to do this.")
        return 403, error_body("forbidden", message)
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            field, errors = next(iter(exc.error_dict.items()))
            message = errors[0].messages[0] if errors else _("The request is not valid.")
            return 422, error_body("invalid", message, None if field == "__all__" else field)
        messages = exc.messages
        return 422, error_body(
            "invalid", messages[0] if messages else _("The request is not valid.")
        )
    return None


def api_answer(
    respond: Callable[[HttpRequest, Any, int], HttpResponse],
) -> Callable[[HttpRequest, Any], HttpResponse]:
    """An API exception handler answering with :func:`answer_for`'s body;
    ``respond(request, body, status)`` renders it (the API's own renderer)."""

    def handler(request: HttpRequest, exc: Any) -> HttpResponse:
        answer = answer_for(exc)
        if answer is None:  # pragma: no cover - registered for refusals only
            raise exc
        status, body = answer
        return respond(request, body, status)

    return handler


class DomainErrorMiddleware:
    """Pages: a :class:`DomainError` no view handled is shown on an error page with
    its message and status, instead of a server error."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not isinstance(exc, DomainError):
            return None
        context = {"message": exc.message, "code": exc.code}
        return render(request, "refused.html", context, status=exc.http_status)
