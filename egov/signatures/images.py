"""Staff page: a person uploads their own signature image; an agency's
administrators upload its seal (PNG with transparency; checked and audited by
:func:`egov.signatures.services.upload_image`)."""

from __future__ import annotations

import base64
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from egov.accounts.decorators import staff_required
from egov.accounts.permissions import Perm, units_with_perm
from egov.signatures.errors import SignatureError
from egov.signatures.models import ImageKind


class ImageForm(forms.Form):
    image = forms.FileField(
        label=_("PNG image with a transparent background"),
        help_text=_("At most 1 MB, 50–2,000 pixels a side."),
    )
    unit: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, required=False, label=_("Agency (for its seal)")
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        if not units.exists():
            del self.fields["unit"]


def _data_url(png: bytes | None) -> str:
    return f"data:image/png;base64,{base64.b64encode(png).decode()}" if png else ""


@staff_required
@require_http_methods(["GET", "POST"])
def signature_images(request: HttpRequest) -> HttpResponse:
    from egov.signatures import services

    units = units_with_perm(request.user, Perm.MANAGE_STAFF)
    form = ImageForm(request.POST or None, request.FILES or None, units=units)
    status = 200
    if request.method == "POST" and form.is_valid():
        unit = form.cleaned_data.get("unit")
        kind = ImageKind.SEAL if unit else ImageKind.SIGNATURE
        try:
            services.upload_image(
                actor=request.user,
                kind=kind,
                data=form.cleaned_data["image"].read(),
                user=None if unit else request.user,
                unit=unit,
            )
        except SignatureError as error:
            form.add_error("image", error.message)
            status = error.http_status
        else:
            messages.success(request, _("The image was saved."))
            return redirect("signatures:images")
    elif request.method == "POST":
        status = 422
    mine = services.signature_image(user=request.user, kind=ImageKind.SIGNATURE)
    return render(
        request,
        "signatures/images.html",
        {"form": form, "signature_url": _data_url(mine)},
        status=status,
    )
