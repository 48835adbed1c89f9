"""Public pages of the portal (no sign-in): the catalogue with its search, a
procedure, the lists by field and by agency, and the kiosk of the one-stop hall."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from egov.core.middleware import client_ip
from egov.dossiers.public.lookup import LookupResult, throttled_lookup
from egov.dossiers.public.views import add_lookup_error
from egov.portal.forms import CatalogueForm, KioskForm
from egov.portal.search import get_index
from egov.portal.selectors import agency_groups, field_counts, procedure_page, rows_for


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return redirect("portal:catalogue")


@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    """Every procedure in force, or those matching the search words and filters,
    best match first, one page at a time."""
    index = get_index()
    form = CatalogueForm(request.GET if request.GET else None, index=index)
    filters = form.filters()
    result = index.search(filters.pop("query"), **filters)
    page = Paginator(result.hits, settings.EGOV_PORTAL_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/catalogue.html",
        {
            "form": form,
            "page": page,
            "rows": rows_for(list(page.object_list)),
            "result": result,
            "searching": bool(result.query),
            "filtered": form.filtered,
        },
    )


@require_GET
def procedure(request: HttpRequest, national_code: str) -> HttpResponse:
    found = procedure_page(national_code)
    if found is None:
        return render(
            request, "portal/not_found.html", {"national_code": national_code[:40]}, status=404
        )
    return render(request, "portal/procedure.html", {"p": found, "v": found.version})


@require_GET
def fields(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/fields.html", {"fields": field_counts()})


@require_GET
def agencies(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/agencies.html", {"groups": agency_groups()})


@require_GET
def kiosk(request: HttpRequest) -> HttpResponse:
    """The public lookup in large type. After a result (or an error) the page goes
    back to the blank form by itself (meta refresh), so the next person never sees
    the previous one's dossier."""
    form = KioskForm(request.GET if "ma" in request.GET else None)
    result = LookupResult(None)
    status = 200
    if form.is_bound and form.is_valid():
        result = throttled_lookup(client_ip(request), form.cleaned_data["ma"])
        add_lookup_error(form, result, form.cleaned_data["ma"])
        status = result.status
    found, retry_after = result.found, result.retry_after
    response = render(
        request,
        "portal/kiosk.html",
        {
            "form": form,
            "found": found,
            "reset_seconds": settings.EGOV_PORTAL_KIOSK_RESET_SECONDS if form.is_bound else None,
            "reset_url": reverse("portal:kiosk"),
        },
        status=status,
    )
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    # A kiosk is shared: never let its browser keep a looked-up page.
    response["Cache-Control"] = "no-store"
    return response
