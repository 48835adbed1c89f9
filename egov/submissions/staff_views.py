"""Staff pages of online submission (mounted at ``/can-bo/to-khai/``): the online
declaration of a dossier as PDF, for those who may see the dossier's page."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from egov.accounts.decorators import staff_required
from egov.dossiers import selectors as dossier_selectors
from egov.submissions import services
from egov.submissions.declaration_pdf import render_declaration


@require_GET
def _declaration_pdf(request: HttpRequest, code: str) -> HttpResponse:
    # The dossier page's own rule: 404 alike for an unknown code and one out of scope.
    dossier = dossier_selectors.visible_dossier(request.user, code)
    if dossier is None:
        raise Http404(_("No dossier with this code."))
    content = render_declaration(dossier)
    if content is None:
        raise Http404(_("This dossier has no online declaration."))
    services.record_declaration_printed(request.user, dossier)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="to-khai-{dossier.code}.pdf"'
    # Personal data: no shared cache may keep it.
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


declaration_pdf = staff_required(_declaration_pdf)
