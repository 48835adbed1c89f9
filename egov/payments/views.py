"""Pages of online payment: pay for a dossier, the return from the platform, the
receipt, and the staff reconciliation page. Thin: the work is in ``services``."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from egov.accounts.decorators import staff_required, verified_login_required
from egov.core.date_parts import DatePartsField
from egov.core.formatting import format_amount
from egov.core.request_context import current as request_context
from egov.dossiers.models import Dossier, Status
from egov.payments import selectors, services
from egov.payments.models import Payment, PaymentStatus
from egov.payments.receipt import amount_in_words


def _ip(request: HttpRequest) -> str | None:
    return request_context().ip_address or request.META.get("REMOTE_ADDR") or None


@verified_login_required
@require_http_methods(["GET", "POST"])
def pay(request: HttpRequest, code: str) -> HttpResponse:
    # Another person's dossier is "not found": codes are not secrets, ownership is.
    dossier = get_object_or_404(
        Dossier.objects.select_related("procedure_version", "receiving_agency"),
        code=code,
        applicant=request.user,
    )
    if request.method == "POST":
        try:
            payment, _created = services.start_payment(request.user, dossier)
        except services.PaymentNotPossible as refusal:
            messages.error(request, refusal.message)
            return redirect("payments:pay", code=dossier.code)
        return_url = request.build_absolute_uri(reverse("payments:return"))
        return HttpResponseRedirect(services.redirect_url(payment, return_url, _ip(request)))
    awaiting = dossier.status == Status.AWAITING_PAYMENT and (dossier.payment_requested or 0) > 0
    history = list(selectors.payments_of(dossier))
    return render(
        request,
        "payments/pay.html",
        {
            "dossier": dossier,
            "awaiting": awaiting,
            "amount": dossier.payment_requested or 0,
            "amount_text": format_amount(dossier.payment_requested),
            "amount_words": amount_in_words(dossier.payment_requested or 0),
            "fees": selectors.fee_rows(dossier),
            "open_payment": selectors.open_payment(dossier),
            "history": history,
            "status_label": Status(dossier.status).label,
        },
    )


def _storable(query: Any) -> dict[str, str]:
    """The query's parameters (last value of each) with NUL replaced: PostgreSQL
    can neither compare nor keep text holding it, and the return is recorded."""
    return {
        str(key).replace("\x00", "\ufffd"): str(value).replace("\x00", "\ufffd")
        for key, value in query.items()
    }


@verified_login_required
@require_GET
def payment_return(request: HttpRequest) -> HttpResponse:
    """Where the platform sends the browser back. The parameters are only checked
    and recorded: the payment is paid when the platform's notification says so."""
    message = services.record_return(_storable(request.GET), _ip(request))
    payment = (
        Payment.objects.select_related("dossier", "dossier__receiving_unit")
        .filter(reference=message.reference)
        .first()
    )
    if payment is None or not selectors.may_see_payment(request.user, payment):
        raise Http404
    if not message.signature_valid:
        state = "invalid"
    elif payment.status == PaymentStatus.SUCCEEDED:
        state = "paid"
    elif payment.status == PaymentStatus.PENDING:
        state = "failed_pending" if message.status != "success" else "confirming"
    else:
        state = "closed"
    return render(
        request,
        "payments/return.html",
        {
            "payment": payment,
            "dossier": payment.dossier,
            "state": state,
            "amount_text": format_amount(payment.amount),
            "status_label": PaymentStatus(payment.status).label,
        },
        status=400 if state == "invalid" else 200,
    )


@verified_login_required
@require_GET
def receipt(request: HttpRequest, reference: str) -> HttpResponse:
    payment = get_object_or_404(
        Payment.objects.select_related(
            "dossier",
            "dossier__procedure_version",
            "dossier__receiving_agency",
            "dossier__receiving_unit",
            "payer",
        ),
        reference=reference,
        status=PaymentStatus.SUCCEEDED,
    )
    if not selectors.may_see_payment(request.user, payment):
        raise Http404
    pdf, _signed = services.receipt_pdf(payment)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="bien-lai-{payment.reference}.pdf"'
    return response


# --- staff: reconciliation ---------------------------------------------------------------


#: The days a reconciliation period may start or end on.
FIRST_DAY = dt.date(2000, 1, 1)
LAST_DAY = dt.date(2099, 12, 31)


def _range_message() -> str:
    return _("Enter a date between %(first)s and %(last)s.") % {
        "first": f"{FIRST_DAY:%d/%m/%Y}",
        "last": f"{LAST_DAY:%d/%m/%Y}",
    }


#: The same words whether the year is past the three boxes' limits or only the page's.
RANGE_ERRORS = {"year": lazy(_range_message, str)()}


class ReconcileFilter(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("All")), *PaymentStatus.choices],
    )
    start = DatePartsField(
        label=gettext_lazy("Created from"), required=False, error_messages=RANGE_ERRORS
    )
    end = DatePartsField(
        label=gettext_lazy("Created until"), required=False, error_messages=RANGE_ERRORS
    )
    review = forms.BooleanField(
        label=gettext_lazy("Only those needing reconciliation"), required=False
    )

    def _in_range(self, name: str) -> dt.date | None:
        day: dt.date | None = self.cleaned_data.get(name)
        if day is not None and not FIRST_DAY <= day <= LAST_DAY:
            # Days at the calendar's ends overflow when turned into moments.
            raise forms.ValidationError(_range_message())
        return day

    def clean_start(self) -> dt.date | None:
        return self._in_range("start")

    def clean_end(self) -> dt.date | None:
        return self._in_range("end")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("The end date is before the start date."))
        return data


MAX_ROWS = 500


@staff_required
@require_http_methods(["GET", "POST"])
def reconciliation(request: HttpRequest) -> HttpResponse:
    if not selectors.may_reconcile(request.user):
        raise PermissionDenied(_("You do not have permission to reconcile payments."))
    scoped = selectors.scoped_payments(request.user)
    if request.method == "POST":
        todo = list(services.pending_to_check().filter(pk__in=scoped.values("pk")))
        report = services.reconcile(payments=todo)
        messages.success(
            request,
            _(
                "%(checked)s pending payments checked with the platform: %(changed)s changed, "
                "%(pending)s still pending, %(errors)s could not be checked."
            )
            % {
                "checked": report.checked,
                "changed": sum(report.changed.values()),
                "pending": report.still_pending,
                "errors": len(report.errors),
            },
        )
        return redirect(request.get_full_path())
    form = ReconcileFilter(request.GET or None)
    data: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
    today = dt.date.today()
    start = data.get("start") or (today - dt.timedelta(days=30) if not form.is_bound else None)
    payments = selectors.in_period(
        scoped,
        status=data.get("status") or "",
        start=start,
        end=data.get("end"),
        review_only=bool(data.get("review")),
    )
    if request.GET.get("format") == "csv":
        return _csv(payments)
    rows = list(payments[:MAX_ROWS])
    shown: list[dict[str, Any]] = [
        {"payment": p, "amount": format_amount(p.amount), "issues": selectors.issue_labels(p)}
        for p in rows
    ]
    return render(
        request,
        "payments/reconciliation.html",
        {
            "form": form,
            "rows": shown,
            "truncated": len(rows) == MAX_ROWS,
            "totals": [
                {
                    "day": t.day,
                    "total": t,
                    "counts": [t.by_status.get(code, 0) for code, _label in PaymentStatus.choices],
                    "paid": format_amount(t.paid_amount),
                }
                for t in selectors.daily_totals(rows)
            ],
            "review": [row for row in shown if row["payment"].needs_review],
            "bad_signatures": list(
                selectors.bad_signature_events(request.user, start, data.get("end"))[:100]
            ),
            "csv_query": _with_csv(request),
            "statuses": PaymentStatus.choices,
        },
    )


def _with_csv(request: HttpRequest) -> str:
    query = request.GET.copy()
    query["format"] = "csv"
    return query.urlencode()


def _csv(payments: Any) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in selectors.csv_rows(payments.iterator()):
        writer.writerow(row)
    # BOM: spreadsheet programs then read the Vietnamese text as UTF-8.
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="doi-soat-thanh-toan.csv"'
    return response
