"""The JSON API (version 1): one NinjaAPI, one router per app.

The OpenAPI document it generates is checked in at ``docs/api/openapi.json``
and compared in the test suite, so any change to the API shows in review.
Every error answers with the same JSON shape (``core.schemas.ErrorOut``).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from egov.applicants.api import router as applicants_router
from egov.core.api import router as core_router
from egov.core.errors import DomainError, api_answer
from egov.documents.api import router as documents_router
from egov.dossiers.api import router as dossiers_router
from egov.dossiers.public.api import router as public_router
from egov.dossiers.stats.api import router as stats_router
from egov.exchange.api import router as exchange_router
from egov.feedback.api import router as feedback_router
from egov.identity.api import router as identity_router
from egov.notifications.api import router as notifications_router
from egov.outgoing.api import router as outgoing_router
from egov.payments.api import router as payments_router
from egov.portal.api import router as portal_router
from egov.procedures.api import router as procedures_router
from egov.quality.api import router as quality_router
from egov.reporting.api import router as reporting_router
from egov.signatures.api import router as signatures_router
from egov.submissions.api import router as submissions_router
from egov.tasks.api import router as tasks_router
from egov.workfiles.api import router as workfiles_router

api = NinjaAPI(
    title="egov API",
    version="1",
    description="JSON API of the provincial e-government platform. Errors are JSON objects "
    "with a machine-readable `code`, a human-readable `message` and, when one field is at "
    "fault, its name in `field`.",
    urls_namespace="api-v1",
)
api.add_router("/", core_router)
api.add_router("/procedures", procedures_router, tags=["procedures"])
api.add_router("/dossiers", dossiers_router, tags=["dossiers"])
api.add_router("/statistics", stats_router, tags=["statistics"])
api.add_router("/public", public_router, tags=["public"])
api.add_router("/portal", portal_router, tags=["portal"])
api.add_router("/identity", identity_router, tags=["identity"])
api.add_router("/submissions", submissions_router, tags=["submissions"])
api.add_router("/me", applicants_router, tags=["applicant"])
api.add_router("/payments", payments_router, tags=["payments"])
api.add_router("/notifications", notifications_router, tags=["notifications"])
api.add_router("/feedback", feedback_router, tags=["feedback"])
api.add_router("/documents", documents_router, tags=["documents"])
api.add_router("/outgoing", outgoing_router, tags=["outgoing documents"])
api.add_router("/workfiles", workfiles_router, tags=["work files"])
api.add_router("/signatures", signatures_router, tags=["signatures"])
api.add_router("/quality", quality_router, tags=["service-quality index"])
api.add_router("/tasks", tasks_router, tags=["tasks"])
api.add_router("/reporting", reporting_router, tags=["reporting"])
api.add_router("/exchange", exchange_router, tags=["document exchange"])


@api.exception_handler(ValidationError)
def _invalid_request(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    first = exc.errors[0] if exc.errors else {}
    location = [str(part) for part in first.get("loc", [])]
    field = location[-1] if location else None
    return api.create_response(
        request,
        {
            "code": "invalid",
            "message": _("The request is not valid: check the field “%(field)s”.")
            % {"field": field or "?"},
            "field": field,
        },
        status=422,
    )


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(
        request, {"code": "not_found", "message": _("Not found."), "field": None}, status=404
    )


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request,
        {"code": "unauthenticated", "message": _("Sign-in required."), "field": None},
        status=401,
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # e.g. ninja's CSRF refusal (403): same error shape as every other answer.
    codes = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found"}
    return api.create_response(
        request,
        {"code": codes.get(exc.status_code, "error"), "message": str(exc), "field": None},
        status=exc.status_code,
    )


# Refusals of the services (domain errors, PermissionDenied, Django's
# ValidationError) map themselves: one body for all, no try/except in the routers.
_refused = api_answer(
    lambda request, body, status: api.create_response(request, body, status=status)
)
for _refusal in (DomainError, PermissionDenied, DjangoValidationError):
    api.add_exception_handler(_refusal, _refused)
