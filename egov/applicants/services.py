"""Every change the applicant's own space makes, and the postal delivery of results.

- :func:`answer_supplement`: checks each uploaded paper by its content, then hands
  them to :func:`egov.dossiers.services.receive_supplement` (the dossier's own
  write path: permission, workflow table, version, event and audit are its).
- :func:`choose_delivery`: desk or public post, until the parcel is booked.
- :func:`on_dossier_changed` (listener of ``dossier_changed``, inside the dossier's
  transaction): a result ready for an applicant who chose post queues a
  :class:`~egov.applicants.models.Parcel` "to book"; no network here.
- :func:`book_pending_parcels`: books queued parcels through the postal adapter,
  outside any dossier transaction, with retries and back-off (``book_parcels``
  command; the notifications worker may call it too).
- :func:`record_postal_event`: a signed status callback of the postal service,
  recorded once per ``event_id``; "delivered" returns the result (9 → 10) when the
  workflow lets a system actor do so.
"""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from egov.accounts.permissions import is_applicant
from egov.accounts.validators import normalize_phone, validate_phone
from egov.applicants import postal
from egov.applicants.models import (
    BOOKED_STATES,
    DeliveryChoice,
    DeliveryMethod,
    Parcel,
    ParcelEvent,
    ParcelState,
)
from egov.core import audit
from egov.core.errors import DomainError
from egov.core.uploads import check_upload, safe_name
from egov.dossiers import services as dossier_services
from egov.dossiers.models import Dossier, Status
from egov.dossiers.services import PaperIn
from egov.dossiers.workflow import Action

#: While these hold, the result is being prepared or is ready: the applicant may say
#: how to receive it.
DELIVERY_STATUSES = frozenset(
    {
        Status.RECEIVED,
        Status.PROCESSING,
        Status.SUPPLEMENT_REQUESTED,
        Status.AWAITING_PAYMENT,
        Status.RESULT_READY,
    }
)
#: Statuses whose result the owner may download.
RESULT_STATUSES = frozenset({Status.RESULT_READY, Status.RETURNED})


def _require_owner(user: Any, dossier: Dossier) -> None:
    if not is_applicant(user) or dossier.applicant_id != user.pk:
        raise PermissionDenied(_("This dossier is not yours."))


# --- the supplement ----------------------------------------------------------------------


@dataclass(frozen=True)
class SupplementUpload:
    """One uploaded paper: what it answers (a paper of the procedure by id, or a
    name) and the file. ``field`` names the form field for error messages."""

    name: str
    file: Any
    field: str = "files"
    required_paper: int | None = None
    copies: int = 1
    form: str = ""


def answer_supplement(
    user: Any,
    dossier: Dossier,
    *,
    expected_version: int,
    uploads: Sequence[SupplementUpload],
    note: str = "",
) -> Dossier:
    """Check every upload (all errors at once, per field), then receive the
    supplement through the dossier services. Raises ``ValidationError`` (fields),
    ``StaleDossier``, ``TransitionNotAllowed``, ``IncompleteDossier``,
    ``PermissionDenied``."""
    _require_owner(user, dossier)
    if not uploads:
        raise ValidationError({"files": _("Attach at least one of the papers requested.")})
    errors: dict[str, list[str]] = {}
    papers: list[PaperIn] = []
    for upload in uploads:
        try:
            kind = check_upload(upload.file, field=upload.field)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                errors.setdefault(name, []).extend(messages)
            continue
        upload.file.name = safe_name(getattr(upload.file, "name", "") or upload.name, kind)
        papers.append(
            PaperIn(
                required_paper=upload.required_paper,
                name=upload.name[:500],
                copies=upload.copies,
                form=upload.form,
                file=upload.file,
            )
        )
    if errors:
        raise ValidationError(errors)
    return dossier_services.receive_supplement(
        user, dossier, expected_version=expected_version, papers=papers, note=note
    )


# --- how to receive the result -------------------------------------------------------------


def postal_fee() -> int:
    return int(getattr(settings, "APPLICANTS_POSTAL_FEE", 0))


def may_choose_delivery(dossier: Dossier) -> bool:
    return dossier.status in DELIVERY_STATUSES


def delivery_locked(dossier: Dossier) -> bool:
    """Whether the post office already has the parcel (the choice is final)."""
    return Parcel.objects.filter(dossier=dossier, state__in=BOOKED_STATES).exists()


def _new_reference() -> str:
    return uuid.uuid4().hex


def _queue_parcel(dossier: Dossier, choice: DeliveryChoice) -> Parcel:
    """Create or refresh the dossier's parcel in state "to book" (no network)."""
    parcel = Parcel.objects.select_for_update().filter(dossier=dossier).first()
    if parcel is None:
        return Parcel.objects.create(
            dossier=dossier,
            reference=_new_reference(),
            state=ParcelState.TO_BOOK,
            recipient_name=choice.recipient_name,
            address=choice.address,
            phone=choice.phone,
        )
    if parcel.state in BOOKED_STATES:
        return parcel
    parcel.state = ParcelState.TO_BOOK
    parcel.recipient_name = choice.recipient_name
    parcel.address = choice.address
    parcel.phone = choice.phone
    parcel.attempts = 0
    parcel.next_attempt_at = None
    parcel.last_error = ""
    parcel.save()
    return parcel


def choose_delivery(
    user: Any,
    dossier: Dossier,
    *,
    method: str,
    recipient_name: str = "",
    address: str = "",
    phone: str = "",
) -> DeliveryChoice:
    """Record how the owner wants the result: at the desk, or by public post to an
    address. Allowed while the result is prepared or ready, and changed freely
    until the post office has the parcel. Audited."""
    _require_owner(user, dossier)
    errors: dict[str, str] = {}
    if method not in DeliveryMethod.values:
        errors["method"] = _("Choose how to receive the result.")
    recipient_name = (recipient_name or "").strip()[:255]
    address = (address or "").strip()[:500]
    phone = normalize_phone((phone or "").strip())[:20]
    if method == DeliveryMethod.POST:
        if not postal.post_offered():
            errors["method"] = _("Delivery by post is not offered at the moment.")
        if not recipient_name:
            errors["recipient_name"] = _("Enter the name of the person receiving the parcel.")
        if len(address) < 10:
            errors["address"] = _(
                "Enter the full address: house number, street, ward or commune, district."
            )
        try:
            validate_phone(phone)
        except ValidationError as error:
            errors["phone"] = error.messages[0]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
        if locked.status not in DELIVERY_STATUSES:
            raise ValidationError(
                {
                    "method": _(
                        "How to receive the result can be chosen only while it is being "
                        "prepared or ready."
                    )
                }
            )
        parcel = Parcel.objects.select_for_update().filter(dossier=locked).first()
        if parcel is not None and parcel.state in BOOKED_STATES:
            raise ValidationError(
                {
                    "method": _(
                        "The post office already has the parcel (tracking number %(number)s): "
                        "the choice can no longer be changed."
                    )
                    % {"number": parcel.tracking_number}
                }
            )
        choice = DeliveryChoice.objects.select_for_update().filter(dossier=locked).first()
        before: dict[str, Any] = {}
        if choice is None:
            choice = DeliveryChoice(dossier=locked)
        else:
            before = _choice_dict(choice)
        choice.method = method
        is_post = method == DeliveryMethod.POST
        choice.recipient_name = recipient_name if is_post else ""
        choice.address = address if is_post else ""
        choice.phone = phone if is_post else ""
        choice.fee = postal_fee() if is_post else 0
        choice.chosen_by = user
        choice.save()
        if is_post and locked.status == Status.RESULT_READY:
            _queue_parcel(locked, choice)
        elif not is_post and parcel is not None:
            parcel.state = ParcelState.CANCELLED
            parcel.save(update_fields=["state", "updated_at"])
        audit.record(
            actor=user,
            action="applicants.delivery_chosen",
            obj=choice,
            unit=locked.receiving_unit,
            changes={"dossier": locked.code, **audit.diff(before, _choice_dict(choice))},
        )
    return choice


def _choice_dict(choice: DeliveryChoice) -> dict[str, Any]:
    return {
        "method": choice.method,
        "recipient_name": choice.recipient_name,
        "address": choice.address,
        "phone": choice.phone,
        "fee": choice.fee,
    }


def on_dossier_changed(
    sender: Any, *, dossier: Dossier, event: Any, action: str, actor: Any, **kwargs: Any
) -> None:
    """Inside the dossier's transaction: queue the parcel when a result to be sent by
    post becomes ready. Quick, and no network."""
    if dossier.status != Status.RESULT_READY:
        return
    choice = DeliveryChoice.objects.filter(dossier=dossier, method=DeliveryMethod.POST).first()
    if choice is None:
        return
    parcel = _queue_parcel(dossier, choice)
    audit.record(
        actor=None,
        action="applicants.parcel_queued",
        obj=parcel,
        unit=dossier.receiving_unit,
        changes={"dossier": dossier.code, "state": parcel.state},
    )


# --- booking with the post office ------------------------------------------------------------


@dataclass
class BookingReport:
    booked: list[str] = field(default_factory=list)
    retrying: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    skipped: int = 0


#: While one worker books a parcel the others leave it alone for this long.
BOOKING_LEASE = timedelta(minutes=5)


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4 … minutes after each failed attempt, at most one hour."""
    return timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


def _booking(parcel: Parcel) -> postal.Booking:
    dossier = parcel.dossier
    unit = dossier.receiving_unit
    return postal.Booking(
        reference=parcel.reference,
        sender=unit.name,
        pickup_address=getattr(unit, "address", "") or unit.name,
        recipient_name=parcel.recipient_name,
        address=parcel.address,
        phone=parcel.phone,
        note=_("Result of dossier %(code)s") % {"code": dossier.code},
    )


def pending_parcels(now: datetime | None = None) -> Any:
    now = now or timezone.now()
    return Parcel.objects.filter(state=ParcelState.TO_BOOK).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )


def book_parcel(
    parcel: Parcel, *, adapter: postal.PostalAdapter | None = None, now: datetime | None = None
) -> str:
    """Book one parcel; returns "booked", "retrying", "failed" or "skipped" (another
    worker has it, or it is no longer to book). Never inside a transaction."""
    now = now or timezone.now()
    claimed = Parcel.objects.filter(
        pk=parcel.pk, state=ParcelState.TO_BOOK, attempts=parcel.attempts
    ).update(attempts=F("attempts") + 1, next_attempt_at=now + BOOKING_LEASE)
    if not claimed:
        return "skipped"
    parcel = Parcel.objects.select_related("dossier__receiving_unit").get(pk=parcel.pk)
    adapter = adapter or postal.get_adapter()
    try:
        if adapter is None:
            raise postal.PostalError("delivery by post is switched off", retry=False)
        number = adapter.book(_booking(parcel))
    except postal.PostalError as error:
        return _booking_failed(parcel, error, now)
    with transaction.atomic():
        locked = Parcel.objects.select_for_update().get(pk=parcel.pk)
        if locked.state != ParcelState.TO_BOOK:
            # Cancelled meanwhile: tell the post office, best effort.
            cancelled_meanwhile = True
        else:
            cancelled_meanwhile = False
            locked.state = ParcelState.BOOKED
            locked.tracking_number = number
            locked.booked_at = now
            locked.next_attempt_at = None
            locked.last_error = ""
            locked.save()
            audit.record(
                actor=None,
                action="applicants.parcel_booked",
                obj=locked,
                unit=parcel.dossier.receiving_unit,
                changes={"dossier": parcel.dossier.code, "tracking_number": number},
            )
    if cancelled_meanwhile:
        try:
            if adapter is not None:
                adapter.cancel(number)
        except postal.PostalError:
            pass
        return "skipped"
    return "booked"


def _booking_failed(parcel: Parcel, error: postal.PostalError, now: datetime) -> str:
    limit = int(getattr(settings, "APPLICANTS_POSTAL_MAX_ATTEMPTS", 8))
    with transaction.atomic():
        locked = Parcel.objects.select_for_update().get(pk=parcel.pk)
        locked.last_error = error.message[:2000]
        if error.retry and locked.attempts < limit:
            locked.next_attempt_at = now + retry_delay(locked.attempts)
            outcome = "retrying"
        else:
            locked.state = ParcelState.BOOKING_FAILED
            locked.next_attempt_at = None
            outcome = "failed"
        locked.save()
        audit.record(
            actor=None,
            action="applicants.parcel_booking_failed",
            obj=locked,
            unit=parcel.dossier.receiving_unit,
            changes={
                "dossier": parcel.dossier.code,
                "attempt": locked.attempts,
                "error": locked.last_error,
                "outcome": outcome,
            },
        )
    return outcome


def book_pending_parcels(
    *,
    adapter: postal.PostalAdapter | None = None,
    now: datetime | None = None,
    limit: int = 100,
) -> BookingReport:
    """Book every parcel due for a (new) attempt. Safe to run from several workers."""
    report = BookingReport()
    now = now or timezone.now()
    adapter = adapter or postal.get_adapter()
    for parcel in list(pending_parcels(now).select_related("dossier")[:limit]):
        outcome = book_parcel(parcel, adapter=adapter, now=now)
        if outcome == "booked":
            report.booked.append(parcel.dossier.code)
        elif outcome == "retrying":
            report.retrying.append(parcel.dossier.code)
        elif outcome == "failed":
            report.failed.append(parcel.dossier.code)
        else:
            report.skipped += 1
    return report


# --- status callbacks -------------------------------------------------------------------------


class CallbackRefused(DomainError):
    """A callback that is not recorded; ``status`` is the HTTP answer."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message, code=code, http_status=status)
        self.status = status


_STATE_OF = {
    "picked_up": ParcelState.PICKED_UP,
    "in_transit": ParcelState.IN_TRANSIT,
    "delivered": ParcelState.DELIVERED,
    "failed": ParcelState.FAILED,
}
_ORDER = {
    ParcelState.BOOKED: 0,
    ParcelState.PICKED_UP: 1,
    ParcelState.IN_TRANSIT: 2,
    ParcelState.FAILED: 3,
    ParcelState.DELIVERED: 4,
}


@dataclass(frozen=True)
class CallbackResult:
    parcel: Parcel
    duplicate: bool


def _parse_callback(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise CallbackRefused(400, "invalid", "the body is not JSON") from None
    if not isinstance(data, dict):
        raise CallbackRefused(400, "invalid", "the body must be a JSON object")
    event_id = str(data.get("event_id") or "").strip()
    number = str(data.get("tracking_number") or "").strip()
    status = str(data.get("status") or "").strip()
    if not event_id or len(event_id) > 100:
        raise CallbackRefused(400, "invalid", "event_id is required (at most 100 characters)")
    if not number:
        raise CallbackRefused(400, "invalid", "tracking_number is required")
    if status not in _STATE_OF:
        raise CallbackRefused(400, "invalid", f"status must be one of {', '.join(_STATE_OF)}")
    at = parse_datetime(str(data.get("at") or "")) if data.get("at") else None
    if at is not None and timezone.is_naive(at):
        at = timezone.make_aware(at)
    return {
        "event_id": event_id,
        "tracking_number": number,
        "status": status,
        "reason": str(data.get("reason") or "")[:500],
        "at": at or timezone.now(),
    }


def record_postal_event(body: bytes, signature: str | None) -> CallbackResult:
    """Verify and record one status callback. The same ``event_id`` again is
    answered as a duplicate and changes nothing."""
    if not postal.verify(body, signature):
        raise CallbackRefused(401, "bad_signature", "the signature does not match")
    data = _parse_callback(body)
    with transaction.atomic():
        parcel = (
            Parcel.objects.select_for_update()
            .filter(tracking_number=data["tracking_number"])
            .first()
        )
        if parcel is None:
            raise CallbackRefused(404, "unknown_parcel", "no parcel has this tracking number")
        if ParcelEvent.objects.filter(event_id=data["event_id"]).exists():
            return CallbackResult(parcel, duplicate=True)
        try:
            with transaction.atomic():
                ParcelEvent.objects.create(
                    parcel=parcel,
                    event_id=data["event_id"],
                    status=data["status"],
                    reason=data["reason"],
                    at=data["at"],
                )
        except IntegrityError:
            return CallbackResult(parcel, duplicate=True)
        before = {"state": parcel.state}
        new_state = _STATE_OF[data["status"]]
        # Late or out-of-order callbacks never move a parcel backwards.
        if _ORDER.get(ParcelState(new_state), 0) >= _ORDER.get(ParcelState(parcel.state), 0):
            parcel.state = new_state
        if new_state == ParcelState.FAILED:
            parcel.failure_reason = data["reason"]
        returned = False
        if new_state == ParcelState.DELIVERED and parcel.delivered_at is None:
            parcel.delivered_at = data["at"]
            returned = _return_result(parcel)
        parcel.save()
        audit.record(
            actor=None,
            action="applicants.parcel_status",
            obj=parcel,
            unit=None,
            changes={
                "dossier_id": parcel.dossier_id,
                "event_id": data["event_id"],
                "status": data["status"],
                "reason": data["reason"],
                "result_returned": returned,
                **audit.diff(before, {"state": parcel.state}),
            },
        )
    return CallbackResult(parcel, duplicate=False)


def _return_result(parcel: Parcel) -> bool:
    """Delivered: record the result as returned (9 → 10) if the workflow lets the
    platform (a system actor, ``None``) do it; else the delivery stays recorded on
    the parcel and the desk records the return."""
    dossier = Dossier.objects.select_for_update(of=("self",)).get(pk=parcel.dossier_id)
    if dossier.status != Status.RESULT_READY:
        return False
    if not dossier_services.may_act(None, dossier, Action.RETURN_RESULT):
        return False
    dossier_services.return_result(
        None,
        dossier,
        expected_version=dossier.version,
        note=_("Delivered by public post, tracking number %(number)s.")
        % {"number": parcel.tracking_number},
    )
    parcel.result_returned = True
    return True


def new_tracking_number() -> str:
    """A VNPost-like number for the simulator: two letters, nine digits, VN."""
    return "EG" + "".join(secrets.choice("0123456789") for _ in range(9)) + "VN"
