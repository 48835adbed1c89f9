"""The public verification page: upload a signed PDF, read the report."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from egov.signatures.errors import SignatureError
from egov.signatures.limits import count_verification


class VerifyForm(forms.Form):
    file = forms.FileField(
        label=_("Signed PDF file"),
        help_text=_("The file is checked here and not kept."),
    )


@require_http_methods(["GET", "POST"])
def verify_page(request: HttpRequest) -> HttpResponse:
    from egov.signatures.verification import verify_pdf

    report = None
    status = 200
    form = VerifyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            count_verification(request)
            report = verify_pdf(upload.read(), name=upload.name)
        except SignatureError as error:
            form.add_error("file", error.message)
            status = error.http_status
    elif request.method == "POST":
        status = 422
    return render(
        request, "signatures/verify.html", {"form": form, "report": report}, status=status
    )
