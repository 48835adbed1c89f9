"""The public verification page: upload a signed PDF, read the report."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from egov.signatures import callbacks
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


@csrf_exempt
@require_POST
def remote_answer(request: HttpRequest) -> HttpResponse:
    """The remote-signing service's callback (HMAC-signed body, no session)."""
    if not callbacks.enabled():
        return JsonResponse({"code": "callback_off", "message": "no callback secret"}, status=503)
    try:
        callbacks.receive(request.body, request.headers.get(callbacks.SIGNATURE_HEADER))
    except callbacks.BadCallback as error:
        status = 403 if str(error) == "bad signature" else 400
        return JsonResponse({"code": "bad_callback", "message": str(error)}, status=status)
    return HttpResponse(status=204)
