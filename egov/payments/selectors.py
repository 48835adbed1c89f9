"""Reads for the payment pages: the pay page, the history of a dossier, the staff
reconciliation list with its per-day totals and mismatches."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from egov.accounts.permissions import Perm, has_perm_in_unit, units_with_perm
from egov.core.integrations import TransportError
from egov.core.models import Unit
from egov.dossiers.models import Dossier
from egov.payments.adapters import PlatformError, PlatformMessage, get_platform
from egov.payments.models import Issue, Payment, PaymentEvent, PaymentStatus
from egov.procedures import fees as fee_rules

#: Permission of a finance role (kế toán) reconciling payments; granted by a Role as
#: data. The one-stop desk's ``dossiers.receive`` allows the same.
RECONCILE_PAYMENTS = Perm.RECONCILE_PAYMENTS
RECONCILE_PERMS = (RECONCILE_PAYMENTS, Perm.RECEIVE_DOSSIERS)


def fee_rows(dossier: Dossier) -> list[dict[str, str]]:
    """The procedure's fees and charges, one row each (name, amount or rule, note)."""
    rows = []
    for item in dossier.procedure_version.fees or []:
        if not isinstance(item, dict) or "name" not in item:
            continue
        try:
            text = fee_rules.describe(item)
        except (KeyError, TypeError, ValueError):
            text = ""
        rows.append({"name": str(item["name"]), "amount": text, "note": str(item.get("note", ""))})
    return rows


def payments_of(dossier: Dossier) -> QuerySet[Payment]:
    return Payment.objects.filter(dossier=dossier).order_by("-created_at", "-id")


def open_payment(dossier: Dossier) -> Payment | None:
    return Payment.objects.filter(dossier=dossier, status=PaymentStatus.PENDING).first()


def may_reconcile(user: Any) -> bool:
    return any(has_perm_in_unit(user, perm, None) for perm in RECONCILE_PERMS)


def may_see_payment(user: Any, payment: Payment) -> bool:
    """The applicant who owns the dossier, or staff who may reconcile in its unit."""
    if not user.is_authenticated:
        return False
    if payment.dossier.applicant_id == user.pk:
        return True
    unit = payment.dossier.receiving_unit
    return any(has_perm_in_unit(user, perm, unit) for perm in RECONCILE_PERMS)


def units_in_scope(user: Any) -> QuerySet[Unit]:
    scope = Q(pk__in=[])
    for perm in RECONCILE_PERMS:
        scope |= Q(pk__in=units_with_perm(user, perm).values("pk"))
    return Unit.objects.filter(scope)


def scoped_payments(user: Any) -> QuerySet[Payment]:
    return Payment.objects.filter(dossier__receiving_unit__in=units_in_scope(user)).select_related(
        "dossier", "dossier__procedure_version", "dossier__receiving_unit"
    )


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def in_period(
    payments: QuerySet[Payment],
    *,
    status: str = "",
    start: dt.date | None = None,
    end: dt.date | None = None,
    review_only: bool = False,
) -> QuerySet[Payment]:
    if status:
        payments = payments.filter(status=status)
    if start:
        payments = payments.filter(created_at__gte=_day_start(start))
    if end:
        payments = payments.filter(created_at__lt=_day_start(end + dt.timedelta(days=1)))
    if review_only:
        payments = payments.filter(needs_review=True)
    return payments.order_by("-created_at", "-id")


@dataclass
class DayTotal:
    day: dt.date
    count: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    paid_amount: int = 0
    review: int = 0


def daily_totals(payments: Iterable[Payment]) -> list[DayTotal]:
    """Per local day of creation: how many in each status, the amount paid, how many
    need reconciling (computed in Python over the filtered page of rows)."""
    days: dict[dt.date, DayTotal] = {}
    for payment in payments:
        day = timezone.localtime(payment.created_at).date()
        total = days.setdefault(day, DayTotal(day))
        total.count += 1
        total.by_status[payment.status] = total.by_status.get(payment.status, 0) + 1
        if payment.status == PaymentStatus.SUCCEEDED:
            total.paid_amount += payment.amount
        if payment.needs_review:
            total.review += 1
    return sorted(days.values(), key=lambda t: t.day, reverse=True)


def issue_labels(payment: Payment) -> list[str]:
    labels = dict(Issue.choices)
    return [str(labels.get(code, code)) for code in payment.issues]


def bad_signature_events(
    user: Any, start: dt.date | None = None, end: dt.date | None = None
) -> QuerySet[PaymentEvent]:
    """Messages that claimed to come from the platform with a wrong signature: those
    about payments in the user's scope, and, for platform operators, unattached ones."""
    events = PaymentEvent.objects.filter(signature_valid=False).select_related("payment")
    scope = Q(payment__dossier__receiving_unit__in=units_in_scope(user))
    if has_perm_in_unit(user, Perm.OPERATE_PLATFORM, None):
        scope |= Q(payment__isnull=True)
    events = events.filter(scope)
    if start:
        events = events.filter(at__gte=_day_start(start))
    if end:
        events = events.filter(at__lt=_day_start(end + dt.timedelta(days=1)))
    return events.order_by("-at", "-id")


CSV_HEADER = [
    "reference",
    "dossier",
    "procedure",
    "unit",
    "amount",
    "status",
    "provider_transaction_id",
    "created_at",
    "paid_at",
    "dossier_confirmed_at",
    "needs_review",
    "issues",
]


def _iso(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).isoformat() if moment else ""


def csv_rows(payments: Iterable[Payment]) -> Iterable[list[str]]:
    yield CSV_HEADER
    for p in payments:
        yield [
            p.reference,
            p.dossier.code,
            p.dossier.procedure_version.name,
            p.dossier.receiving_unit.code,
            str(p.amount),
            p.status,
            p.provider_transaction_id or "",
            _iso(p.created_at),
            _iso(p.paid_at),
            _iso(p.dossier_confirmed_at),
            "1" if p.needs_review else "0",
            " ".join(p.issues),
        ]


def paid_online_count(dossiers: QuerySet[Any]) -> int:
    """How many of ``dossiers`` (a ``values("pk")`` subquery) have a successful
    online payment (index 766, 3.6)."""
    return (
        Payment.objects.filter(dossier_id__in=dossiers, status=PaymentStatus.SUCCEEDED)
        .order_by()
        .values("dossier_id")
        .distinct()
        .count()
    )


def has_paid_online(dossier: Dossier) -> bool:
    """Whether the dossier's fees were paid online (a successful payment)."""
    return Payment.objects.filter(dossier=dossier, status=PaymentStatus.SUCCEEDED).exists()


def platform_status(reference: str) -> PlatformMessage:
    """The state of the payment ``reference`` at the national payment platform, by the
    adapter's signed status query. Raises ``TransportError`` when the platform did not
    answer (timed out or unreachable), :class:`PlatformError` when its answer cannot
    be trusted. Changes nothing here (reconciliation is :mod:`.services`' job)."""
    try:
        return get_platform().query(reference)
    except PlatformError as error:
        if isinstance(error.__cause__, TransportError):
            raise error.__cause__ from None
        raise
