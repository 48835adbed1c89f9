"""The statistics page of incoming documents (per agency the person keeps the
registers of or directs, for a period)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from egov.accounts.decorators import staff_required
from egov.accounts.permissions import Perm
from egov.documents.statistics import unit_statistics
from egov.documents.views import _agencies, _period


@staff_required
@require_GET
def statistics(request: HttpRequest) -> HttpResponse:
    agencies = _agencies(request.user, Perm.REGISTER_DOCUMENTS, Perm.ASSIGN_DOCUMENTS)
    if not agencies:
        raise PermissionDenied(_("Only records clerks and leaders read the statistics."))
    form, chosen = _period(request, agencies)
    rows = []
    if chosen is not None:
        _agency, start, end, _confidential = chosen
        for row in unit_statistics(list(agencies), start, end):
            rows.append(
                {
                    "agency": row.agency,
                    "received": row.received,
                    "electronic": row.electronic,
                    "electronic_percent": round(100 * row.electronic_share),
                    "on_time": row.on_time,
                    "late": row.late,
                    "overdue_open": row.overdue_open,
                }
            )
    status = 200 if chosen is not None else 422
    return render(request, "documents/statistics.html", {"form": form, "rows": rows}, status=status)
