"""Attachments of an outgoing document on its page: add (PDF) and remove while the
draft is edited, download (the agency-signed file once issued). Thin: the work is
in ``services.attachments``."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from egov.accounts.decorators import staff_required
from egov.core.errors import DomainError
from egov.outgoing import services
from egov.outgoing.forms import AttachmentForm
from egov.outgoing.services.issuance import attachment_pdf
from egov.outgoing.views import _document, _download, _version, with_audit


def _refusal(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(getattr(error, "message", None) or error) or _("You are not allowed to do this.")


@staff_required
@require_POST
def add(request: HttpRequest, reference: str) -> HttpResponse:
    document = _document(request, reference)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        for texts in form.errors.values():
            messages.error(request, " ".join(str(t) for t in texts))
        return redirect("outgoing:detail", reference=document.reference)
    try:
        attachment = services.add_attachment(
            request.user,
            document,
            expected_version=form.cleaned_data["lock_version"],
            file=form.cleaned_data["file"],
            name=form.cleaned_data.get("name", ""),
        )
    except (ValidationError, DomainError, PermissionDenied) as error:
        messages.error(request, _refusal(error))
    else:
        messages.success(request, _("Attachment “%(name)s” added.") % {"name": attachment.name})
    return redirect("outgoing:detail", reference=document.reference)


@staff_required
@require_POST
def remove(request: HttpRequest, reference: str, attachment_id: int) -> HttpResponse:
    document = _document(request, reference)
    try:
        services.remove_attachment(
            request.user,
            document,
            expected_version=_version(request),
            attachment_id=attachment_id,
        )
    except (ValidationError, DomainError, PermissionDenied) as error:
        messages.error(request, _refusal(error))
    else:
        messages.success(request, _("Attachment removed."))
    return redirect("outgoing:detail", reference=document.reference)


@staff_required
@require_GET
def download(request: HttpRequest, reference: str, attachment_id: int) -> HttpResponse:
    document = _document(request, reference)
    attachment = document.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    with_audit(request, document, "outgoing.attachment_downloaded")
    label = attachment.name[:150].replace("/", "-").replace("\\", "-")
    return _download(attachment_pdf(attachment), f"{label}.pdf", "application/pdf", inline=True)
