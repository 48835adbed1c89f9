"""The public lookup page (``/tra-cuu/``): a plain GET form, so it works without
JavaScript and from the QR code printed on every form (``?ma=<code>``)."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from egov.core.middleware import client_ip
from egov.dossiers.public.limits import browser_of, remember_browser
from egov.dossiers.public.lookup import (
    MAX_CODE_LENGTH,
    LookupResult,
    not_found_message,
    throttled_lookup,
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
    field (404 unknown code, 429 too many unknown codes from this browser or network).
    Every answer names the browser with a cookie, so the first lookup already counts
    for this browser alone."""
    form = LookupForm(request.GET if "ma" in request.GET else None)
    browser = browser_of(request)
    result = LookupResult(None)
    status = 200
    if form.is_bound and form.is_valid():
        result = throttled_lookup(client_ip(request), form.cleaned_data["ma"], browser=browser.id)
        status = result.status
        add_lookup_error(form, result, form.cleaned_data["ma"])
    response = render(
        request,
        "dossiers/public/lookup.html",
        {"form": form, "found": result.found},
        status=status,
    )
    if result.retry_after is not None:
        response["Retry-After"] = str(result.retry_after)
    remember_browser(response, request, browser)
    return response


def add_lookup_error(form: forms.Form, result: LookupResult, code: str) -> None:
    """Put the refusal or the unknown-code message next to the code field."""
    if result.retry_after is not None:
        form.add_error("ma", result.refusal)
    elif result.found is None:
        form.add_error("ma", not_found_message(code))
