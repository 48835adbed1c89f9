"""The public lookup page (``/tra-cuu/``): a plain GET form, so it works without
JavaScript and from the QR code printed on every form (``?ma=<code>``)."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from egov.core.middleware import client_ip
from egov.dossiers.lookup import (
    MAX_CODE_LENGTH,
    LookupThrottle,
    not_found_message,
    public_view,
    throttled_message,
)


class LookupForm(forms.Form):
    ma = forms.CharField(
        label=gettext_lazy("Dossier code"),
        max_length=MAX_CODE_LENGTH + 20,
        help_text=gettext_lazy(
            "The code printed on your receipt and appointment slip, e.g. 000.00.31.H33-260115-0001."
        ),
        error_messages={"required": gettext_lazy("Enter the dossier code.")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "inputmode": "text",
            }
        ),
    )


@require_GET
def lookup_page(request: HttpRequest) -> HttpResponse:
    """Without ``ma``: the empty form. With it: the dossier, or a message next to the
    field (404 unknown code, 429 too many unknown codes from this address)."""
    form = LookupForm(request.GET if "ma" in request.GET else None)
    found = None
    status = 200
    retry_after: int | None = None
    if form.is_bound and form.is_valid():
        throttle = LookupThrottle(client_ip(request))
        retry_after = throttle.retry_after()
        if retry_after is not None:
            status = 429
            form.add_error("ma", throttled_message(retry_after))
        else:
            found = public_view(form.cleaned_data["ma"])
            throttle.count(found=found is not None)
            if found is None:
                status = 404
                form.add_error("ma", not_found_message(form.cleaned_data["ma"]))
    response = render(
        request, "dossiers/public/lookup.html", {"form": form, "found": found}, status=status
    )
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response
