"""Every change to an online payment.

* :func:`start_payment` — the applicant presses "Thanh toán": one open payment per
  dossier (the dossier row is locked, and a partial unique index backs it up), an
  open one for the same amount is reused;
* :func:`record_return` — the browser came back: an event, never a status change;
* :func:`handle_notification` — the platform's signed server-to-server
  notification: the only way, with :func:`reconcile`, a payment becomes paid;
* :func:`reconcile` — ask the platform about payments left pending.

A success moves the dossier on with ``dossiers.services.confirm_payment`` (system
actor ``None``) in the same transaction. When that cannot be done (the dossier
left status 6, the amount requested changed, a late success after the payment was
closed) the payment still records the money received and is flagged
``needs_review`` ("cần đối soát") with the reason in ``issues``.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core import audit
from egov.core.errors import DomainError
from egov.dossiers import services as dossier_services
from egov.dossiers.errors import StaleDossier, TransitionNotAllowed
from egov.dossiers.models import Dossier, Status
from egov.payments.adapters import PlatformError, PlatformMessage, get_platform
from egov.payments.models import (
    EventKind,
    Issue,
    Payment,
    PaymentEvent,
    PaymentStatus,
)

log = logging.getLogger(__name__)

#: An open payment about to expire is not handed out again (the applicant needs
#: time on the platform's page).
REUSE_MARGIN = timedelta(minutes=2)

_PLATFORM_TO_STATUS = {
    "success": PaymentStatus.SUCCEEDED,
    "failed": PaymentStatus.FAILED,
    "cancelled": PaymentStatus.CANCELLED,
    "expired": PaymentStatus.EXPIRED,
}


class PaymentNotPossible(DomainError):
    """The dossier does not await a payment (or not one that can be made online)."""

    code = "payment_not_possible"
    http_status = 409


def _now() -> datetime:
    return timezone.now()


def new_reference(at: datetime | None = None) -> str:
    """``TT`` + local date (yymmdd) + 10 random hex digits, e.g. ``TT260302A1B2C3D4E5``."""
    day = timezone.localtime(at or _now()).strftime("%y%m%d")
    return f"TT{day}{secrets.token_hex(5).upper()}"


def purpose_of(dossier: Dossier) -> str:
    return f"Thanh toan phi, le phi ho so {dossier.code}"


def _unit(payment: Payment) -> Any:
    dossier = payment.dossier
    return dossier.receiving_unit


def _event(
    payment: Payment | None,
    kind: str,
    *,
    reference: str = "",
    signature_valid: bool | None = None,
    outcome: str = "",
    payload: Mapping[str, Any] | None = None,
    raw: str = "",
    remote_addr: str | None = None,
    at: datetime | None = None,
) -> PaymentEvent:
    return PaymentEvent.objects.create(
        payment=payment,
        reference=(reference or (payment.reference if payment else ""))[:100],
        kind=kind,
        at=at or _now(),
        signature_valid=signature_valid,
        outcome=outcome[:40],
        payload=dict(payload or {}),
        raw=raw[:20000],
        remote_addr=remote_addr or None,
    )


def _close(payment: Payment, status: str, at: datetime, actor: Any, why: str) -> None:
    before = payment.status
    payment.status = status
    payment.closed_at = at
    payment.save()
    kind = EventKind.CANCEL if status == PaymentStatus.CANCELLED else EventKind.EXPIRE
    _event(payment, kind, outcome=why, at=at)
    audit.record(
        actor=actor,
        action=f"payments.{status}",
        obj=payment,
        unit=_unit(payment),
        changes={"status": [before, status], "reason": why},
    )


# --- the applicant starts a payment ------------------------------------------------


def start_payment(user: Any, dossier: Dossier) -> tuple[Payment, bool]:
    """The open payment of ``dossier`` for the amount requested: the existing one if
    still payable, else a new one (``created`` is the second item)."""
    if dossier.applicant_id is None or getattr(user, "pk", None) != dossier.applicant_id:
        raise PermissionDenied(_("Only the applicant can pay for this dossier."))
    payment, created = _start_once(user, dossier.pk)
    if not created and _closed_on_platform(payment):
        # The applicant already went to the platform with it and the platform has
        # closed it (e.g. timed out there): a new payment.
        payment, created = _start_once(user, dossier.pk)
    return payment, created


def _start_once(user: Any, dossier_id: int) -> tuple[Payment, bool]:
    for attempt in range(2):
        try:
            return _start(user, dossier_id)
        except IntegrityError:
            # Another request created the open payment between our read and insert
            # (only possible where row locks do nothing): take that one.
            if attempt:
                raise
    raise AssertionError("unreachable")


def _closed_on_platform(payment: Payment) -> bool:
    """Ask the platform about an open payment the applicant was already sent with;
    apply a final answer (as reconciliation would). Unknown or pending: still open."""
    if not payment.events.filter(kind=EventKind.REQUEST).exists():
        return False
    try:
        message = get_platform().query(payment.reference)
    except PlatformError:
        return False
    if not message.trusted or message.status not in _PLATFORM_TO_STATUS:
        return False
    _reconcile_one(payment.pk, message, _now())
    return True


def _start(user: Any, dossier_id: int) -> tuple[Payment, bool]:
    now = _now()
    with transaction.atomic():
        # The dossier row serialises two clicks (PostgreSQL waits here).
        locked = (
            Dossier.objects.select_for_update(of=("self",))
            .select_related("receiving_unit")
            .get(pk=dossier_id)
        )
        amount = locked.payment_requested or 0
        if locked.status != Status.AWAITING_PAYMENT or amount <= 0:
            raise PaymentNotPossible(_("This dossier is not waiting for a payment."))
        open_payment = (
            Payment.objects.select_for_update()
            .filter(dossier=locked, status=PaymentStatus.PENDING)
            .first()
        )
        if open_payment is not None:
            if open_payment.amount == amount and open_payment.expires_at > now + REUSE_MARGIN:
                return open_payment, False
            why = "amount_changed" if open_payment.amount != amount else "expired_locally"
            status = (
                PaymentStatus.CANCELLED if open_payment.amount != amount else PaymentStatus.EXPIRED
            )
            open_payment.dossier = locked
            _close(open_payment, status, now, user, why)
        minutes = int(settings.EGOV_PAYMENTS_EXPIRY_MINUTES)
        payment = Payment.objects.create(
            dossier=locked,
            payer=user,
            amount=amount,
            purpose=purpose_of(locked),
            provider=get_platform().name,
            reference=new_reference(now),
            expires_at=now + timedelta(minutes=minutes),
        )
        audit.record(
            actor=user,
            action="payments.start",
            obj=payment,
            unit=locked.receiving_unit,
            changes={
                "dossier": locked.code,
                "amount": amount,
                "expires_at": str(payment.expires_at),
            },
        )
        return payment, True


def redirect_url(payment: Payment, return_url: str, remote_addr: str | None = None) -> str:
    """Where to send the applicant's browser: the platform's page with the signed
    request (recorded as an event)."""
    url = get_platform().payment_url(payment, return_url)
    _event(
        payment,
        EventKind.REQUEST,
        outcome="redirect",
        payload={"return_url": return_url, "amount": payment.amount},
        remote_addr=remote_addr,
    )
    return url


# --- what the platform tells us --------------------------------------------------------


def record_return(params: Mapping[str, Any], remote_addr: str | None = None) -> PlatformMessage:
    """The browser came back from the platform: check and record; change nothing."""
    message = get_platform().read_return(params)
    payment = Payment.objects.filter(reference=message.reference).first()
    signature = str(message.params.get("signature", ""))
    already = PaymentEvent.objects.filter(
        kind=EventKind.RETURN, reference=message.reference, payload__signature=signature
    )
    if signature and any(event.payload == message.params for event in already[:20]):
        return message  # the same return page reloaded: recorded once
    if not message.signature_valid:
        outcome = "bad_signature"
    elif not message.trusted:
        outcome = "malformed"
    else:
        outcome = message.status
    _event(
        payment,
        EventKind.RETURN,
        reference=message.reference,
        signature_valid=message.signature_valid,
        outcome=outcome,
        payload=message.params,
        remote_addr=remote_addr,
    )
    return message


@dataclass(frozen=True)
class NotificationAnswer:
    """Our answer to the platform: ``{"code": ..., "message": ...}``."""

    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


#: Answer codes (the platform retries on anything but "00"; see api.py).
OK = NotificationAnswer("00", "Confirmed")
RECORDED = NotificationAnswer("00", "Recorded")
UNKNOWN_REFERENCE = NotificationAnswer("01", "Unknown reference")
WRONG_MERCHANT = NotificationAnswer("02", "Unknown merchant code")
AMOUNT_MISMATCH = NotificationAnswer("04", "Amount does not match")
BAD_SIGNATURE = NotificationAnswer("97", "Invalid signature")
MALFORMED = NotificationAnswer("99", "Malformed notification")


def handle_notification(
    body: Any, raw: str = "", remote_addr: str | None = None
) -> NotificationAnswer:
    """The platform's server-to-server notification (IPN). Idempotent: the same
    notification again is recorded and answered the same; a success never pays twice."""
    if not isinstance(body, dict):
        _event(None, EventKind.CALLBACK, outcome="malformed", raw=raw, remote_addr=remote_addr)
        return MALFORMED
    message = get_platform().read_notification(body)

    def note(payment: Payment | None, outcome: str, valid: bool = True) -> None:
        _event(
            payment,
            EventKind.CALLBACK,
            reference=message.reference,
            signature_valid=valid,
            outcome=outcome,
            payload=message.params,
            raw=raw,
            remote_addr=remote_addr,
        )

    if not message.signature_valid:
        note(Payment.objects.filter(reference=message.reference).first(), "bad_signature", False)
        return BAD_SIGNATURE
    if not message.merchant_ok:
        note(None, "wrong_merchant")
        return WRONG_MERCHANT
    if message.problems:
        note(None, "malformed")
        return MALFORMED
    with transaction.atomic():
        payment = (
            Payment.objects.select_for_update()
            .select_related("dossier__receiving_unit")
            .filter(reference=message.reference)
            .first()
        )
        if payment is None:
            note(None, "unknown_reference")
            return UNKNOWN_REFERENCE
        payment.callbacks = [*payment.callbacks, message.params]
        if message.amount != payment.amount:
            _amount_mismatch(payment, message, source="callback")
            note(payment, "amount_mismatch")
            return AMOUNT_MISMATCH
        note(payment, _apply(payment, message))
    return OK if message.status == "success" else RECORDED


def _amount_mismatch(payment: Payment, message: PlatformMessage, *, source: str) -> None:
    payment.add_issue(Issue.AMOUNT_MISMATCH)
    payment.save()
    audit.record(
        actor=None,
        action="payments.amount_mismatch",
        obj=payment,
        unit=_unit(payment),
        changes={"expected": payment.amount, "reported": message.amount, "source": source},
    )


def _apply(payment: Payment, message: PlatformMessage) -> str:
    """Apply a trusted platform status to a locked payment; the outcome word."""
    now = _now()
    if message.status == "success":
        return _succeed(payment, message, now)
    target = _PLATFORM_TO_STATUS.get(message.status)
    if target is None:  # "pending" / "unknown" from a query: nothing to change here
        return message.status
    if payment.status == PaymentStatus.PENDING:
        before = payment.status
        payment.status = target
        payment.closed_at = now
        if message.transaction_id and not _tid_taken(payment, message.transaction_id):
            payment.provider_transaction_id = message.transaction_id
        payment.save()
        audit.record(
            actor=None,
            action=f"payments.{target}",
            obj=payment,
            unit=_unit(payment),
            changes={"status": [before, target]},
        )
        return str(target)
    if payment.status == PaymentStatus.SUCCEEDED:
        payment.add_issue(Issue.FAILED_AFTER_SUCCESS)
        payment.save()
        return "failed_after_success"
    payment.save()  # keeps the notification body
    return "duplicate"


def _tid_taken(payment: Payment, transaction_id: str) -> bool:
    return (
        Payment.objects.filter(provider_transaction_id=transaction_id)
        .exclude(pk=payment.pk)
        .exists()
    )


def _succeed(payment: Payment, message: PlatformMessage, now: datetime) -> str:
    tid = message.transaction_id
    if payment.status == PaymentStatus.SUCCEEDED:
        if tid and payment.provider_transaction_id and tid != payment.provider_transaction_id:
            payment.add_issue(Issue.PAID_TWICE)
            payment.save()
            audit.record(
                actor=None,
                action="payments.paid_twice",
                obj=payment,
                unit=_unit(payment),
                changes={"transactions": [payment.provider_transaction_id, tid]},
            )
            return "paid_twice"
        payment.save()  # keeps the notification body
        return "duplicate"
    before = payment.status
    late = before != PaymentStatus.PENDING
    payment.status = PaymentStatus.SUCCEEDED
    payment.paid_at = message.paid_at or now
    payment.closed_at = payment.closed_at or now
    if tid and not _tid_taken(payment, tid):
        payment.provider_transaction_id = tid
    elif tid:
        payment.add_issue(Issue.PAID_TWICE)
    if late:
        payment.add_issue(Issue.LATE_SUCCESS)
    payment.save()
    audit.record(
        actor=None,
        action="payments.succeeded",
        obj=payment,
        unit=_unit(payment),
        changes={
            "status": [before, PaymentStatus.SUCCEEDED],
            "amount": payment.amount,
            "transaction_id": tid,
            "late": late,
        },
    )
    _confirm_dossier(payment, now)
    return "late_success" if late else "succeeded"


def _confirm_dossier(payment: Payment, now: datetime) -> bool:
    """``confirm_payment`` on the dossier, retried once on a concurrent change; flag
    the payment instead when the dossier no longer waits for this amount."""
    for attempt in range(2):
        dossier = Dossier.objects.get(pk=payment.dossier_id)
        if dossier.status != Status.AWAITING_PAYMENT:
            payment.add_issue(Issue.DOSSIER_NOT_AWAITING)
            payment.save()
            return False
        if dossier.payment_requested != payment.amount:
            payment.add_issue(Issue.AMOUNT_DIFFERS)
            payment.save()
            return False
        try:
            dossier_services.confirm_payment(
                None,
                dossier,
                expected_version=dossier.version,
                amount=payment.amount,
                reference=payment.reference,
            )
        except StaleDossier:
            if attempt == 0:
                continue
            log.warning("payment %s: dossier kept changing, not confirmed", payment.reference)
        except (TransitionNotAllowed, ValidationError) as error:
            log.warning("payment %s: dossier not confirmed: %s", payment.reference, error)
        else:
            payment.dossier_confirmed_at = now
            payment.save()
            _event(payment, EventKind.CONFIRM, outcome="dossier_confirmed", at=now)
            return True
        break
    payment.add_issue(Issue.CONFIRM_FAILED)
    payment.save()
    return False


# --- reconciliation -------------------------------------------------------------------


@dataclass
class ReconcileReport:
    checked: int = 0
    changed: dict[str, int] = field(default_factory=dict)
    still_pending: int = 0
    errors: list[str] = field(default_factory=list)

    def count(self, outcome: str) -> None:
        self.changed[outcome] = self.changed.get(outcome, 0) + 1


def pending_to_check(
    *, now: datetime | None = None, older_than_minutes: int | None = None
) -> QuerySet[Payment]:
    now = now or _now()
    minutes = (
        int(settings.EGOV_PAYMENTS_RECONCILE_AFTER_MINUTES)
        if older_than_minutes is None
        else older_than_minutes
    )
    return Payment.objects.filter(
        status=PaymentStatus.PENDING, created_at__lte=now - timedelta(minutes=minutes)
    ).order_by("created_at")


def reconcile(
    *,
    now: datetime | None = None,
    older_than_minutes: int | None = None,
    payments: Iterable[Payment] | None = None,
) -> ReconcileReport:
    """Ask the platform about every pending payment older than the setting (or
    ``older_than_minutes``) and apply what it says, as a notification would."""
    now = now or _now()
    report = ReconcileReport()
    todo = list(
        payments
        if payments is not None
        else pending_to_check(now=now, older_than_minutes=older_than_minutes)
    )
    platform = get_platform()
    for candidate in todo:
        report.checked += 1
        try:
            message = platform.query(candidate.reference)
        except PlatformError as error:
            _event(candidate, EventKind.QUERY, outcome="unreachable", payload={"error": str(error)})
            report.errors.append(f"{candidate.reference}: {error}")
            continue
        outcome = _reconcile_one(candidate.pk, message, now)
        if outcome in ("pending",):
            report.still_pending += 1
        else:
            report.count(outcome)
    return report


def _reconcile_one(payment_id: int, message: PlatformMessage, now: datetime) -> str:
    with transaction.atomic():
        payment = (
            Payment.objects.select_for_update()
            .select_related("dossier__receiving_unit")
            .get(pk=payment_id)
        )
        if not message.trusted:
            outcome = "bad_signature" if not message.signature_valid else "malformed"
        elif payment.status != PaymentStatus.PENDING:
            outcome = "already_" + payment.status  # a notification came meanwhile
        elif message.status == "success" and message.amount != payment.amount:
            _amount_mismatch(payment, message, source="query")
            outcome = "amount_mismatch"
        elif message.status == "unknown" or (
            message.status == "pending" and payment.expires_at < now - timedelta(minutes=5)
        ):
            # Never reached the platform (or left there long after the request
            # expired, which the platform refuses to pay): expired.
            _close(payment, PaymentStatus.EXPIRED, now, None, f"platform_{message.status}")
            outcome = "expired"
        else:
            outcome = _apply(payment, message)
        _event(
            payment,
            EventKind.QUERY,
            signature_valid=message.signature_valid,
            outcome=outcome,
            payload=message.params,
            at=now,
        )
        return outcome


# --- the receipt -----------------------------------------------------------------------


def receipt_pdf(payment: Payment) -> tuple[bytes, bool]:
    """The receipt of a succeeded payment and whether it is digitally signed.

    A receipt is a system-issued document: it is signed (PAdES B-LT, invisible
    signature) with the receiving agency's key in the server's token, through the
    signatures service, the first time it is asked for, and kept, so every later
    download is the same signed file. While the agency has no key, or if signing
    fails, the receipt is made unsigned, marked "BIÊN LAI CHƯA KÝ SỐ", and not kept
    (the next download tries again)."""
    from egov.payments.receipt import SIGNATURE_FIELD, render_receipt
    from egov.signatures import services as signatures
    from egov.signatures.errors import NoSigningKey

    if payment.status != PaymentStatus.SUCCEEDED:
        raise ValidationError(_("Only a completed payment has a receipt."))
    if payment.receipt_pdf:
        return bytes(payment.receipt_pdf), True
    agency = payment.dossier.receiving_agency
    try:
        holder = signatures.holder_for_agency(agency)
    except NoSigningKey:
        return render_receipt(payment, signed=False), False
    try:
        signed = signatures.sign_pdf(
            render_receipt(payment, signed=True),
            holder=holder,
            actor=None,
            level=signatures.Level.B_LT,
            reason="Biên lai thu phí, lệ phí điện tử",
            field_name=SIGNATURE_FIELD,
            unit=agency,
            subject=f"Biên lai {payment.reference}",
        )
    except Exception:  # a token, timestamp or revocation service down: unsigned, marked
        log.exception("receipt %s: signing failed, given unsigned", payment.reference)
        return render_receipt(payment, signed=False), False
    with transaction.atomic():
        current = Payment.objects.select_for_update().get(pk=payment.pk)
        if current.receipt_pdf:  # signed by a concurrent download meanwhile
            return bytes(current.receipt_pdf), True
        current.receipt_pdf = signed
        current.save(update_fields=["receipt_pdf", "updated_at"])
        audit.record(
            actor=None,
            action="payments.receipt_signed",
            obj=current,
            unit=agency,
            changes={"reference": current.reference},
        )
    payment.receipt_pdf = signed
    return signed, True
