"""The one-stop bridge on pages: the section of the staff dossier page listing the
dossier's official documents and offering to draft them, and the act of drafting."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from egov.accounts.decorators import staff_required
from egov.core.errors import DomainError
from egov.outgoing import access
from egov.outgoing.models import DossierPurpose
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
        "purposes": [
            purpose
            for purpose in bridge.PURPOSES.values()
            if may_draft and purpose.code != DossierPurpose.APOLOGY
        ],
        "apology": ApologyDraftForm() if may_draft and bridge.apology_offered(dossier) else None,
    }


class ApologyDraftForm(forms.Form):
    """The apology letter's own inputs: why it is late and the new appointment."""

    reason = forms.CharField(
        label=gettext_lazy("Reason for the delay"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": gettext_lazy("Give the reason for the delay.")},
    )
    new_due_at = forms.DateTimeField(
        label=gettext_lazy("New appointment"),
        input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={
            "required": gettext_lazy("Enter the new appointment."),
            "invalid": gettext_lazy("Enter a valid date and time, for example 15/01/2026 16:00."),
        },
    )


@staff_required
@require_POST
def from_dossier(request: HttpRequest, code: str) -> HttpResponse:
    purpose = request.POST.get("purpose", "")
    extra: dict[str, Any] = {}
    if purpose == DossierPurpose.APOLOGY:
        form = ApologyDraftForm(request.POST)
        if not form.is_valid():
            for texts in form.errors.values():
                messages.error(request, " ".join(str(t) for t in texts))
            return redirect("dossiers_staff:detail", code=code)
        due = form.cleaned_data["new_due_at"]
        extra = {
            "reason": form.cleaned_data["reason"],
            "new_due_at": timezone.make_aware(due) if timezone.is_naive(due) else due,
        }
    try:
        document = bridge.draft_for_dossier(request.user, code, purpose=purpose, **extra)
    except (PermissionDenied, ValidationError, DomainError) as error:
        text = getattr(error, "message", None) or " ".join(
            getattr(error, "messages", []) or [str(error)]
        )
        messages.error(request, text or _("You are not allowed to do this."))
        return redirect("dossiers_staff:detail", code=code)
    messages.success(request, _("Draft linked to dossier %(code)s.") % {"code": code})
    return redirect("outgoing:detail", reference=document.reference)
