"""The one-stop bridge on pages: the section of the staff dossier page listing the
dossier's official documents and offering to draft them, and the act of drafting."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from egov.accounts.decorators import staff_required
from egov.core.errors import DomainError
from egov.outgoing import access
from egov.outgoing.services import bridge


def dossier_section(user: Any, dossier: Any) -> Mapping[str, Any] | None:
    """What the dossier page shows (the page checked the person may see it)."""
    documents = [d for d in bridge.documents_for(dossier.code) if access.may_see(user, d)]
    unit = dossier.current_unit
    may_draft = unit is not None and access.may_draft_in(user, unit)
    if not documents and not may_draft:
        return None
    return {
        "code": dossier.code,
        "documents": documents,
        "purposes": list(bridge.PURPOSES.values()) if may_draft else [],
    }


@staff_required
@require_POST
def from_dossier(request: HttpRequest, code: str) -> HttpResponse:
    try:
        document = bridge.draft_for_dossier(
            request.user, code, purpose=request.POST.get("purpose", "")
        )
    except (PermissionDenied, ValidationError, DomainError) as error:
        text = getattr(error, "message", None) or " ".join(
            getattr(error, "messages", []) or [str(error)]
        )
        messages.error(request, text or _("You are not allowed to do this."))
        return redirect("dossiers_staff:detail", code=code)
    messages.success(request, _("Draft linked to dossier %(code)s.") % {"code": code})
    return redirect("outgoing:detail", reference=document.reference)
