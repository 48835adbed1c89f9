"""What the applicant's own space stores besides the dossier itself: how they want
to receive the result, and the parcel that carries it by public post.

The simulated postal service (``mo-phong/buu-dien/``) keeps its own parcels in
:class:`SimulatedParcel`: it stands for an outside system, so it shares nothing
with the platform's rows but the HTTP protocol.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DeliveryMethod(models.TextChoices):
    DESK = "desk", _("Collect at the one-stop desk")
    POST = "post", _("Delivery by public post (VNPost)")


class DeliveryChoice(models.Model):
    """How the applicant wants to receive the result (one per dossier)."""

    dossier = models.OneToOneField(
        "dossiers.Dossier", on_delete=models.CASCADE, related_name="delivery_choice"
    )
    method = models.CharField(_("how to receive"), max_length=10, choices=DeliveryMethod.choices)
    recipient_name = models.CharField(_("recipient"), max_length=255, blank=True)
    address = models.CharField(_("delivery address"), max_length=500, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    fee = models.BigIntegerField(_("postage (đồng)"), default=0)
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("delivery choice")
        verbose_name_plural = _("delivery choices")

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.method}"


class ParcelState(models.TextChoices):
    TO_BOOK = "to_book", _("To be booked with the post office")
    BOOKED = "booked", _("Booked: waiting for the postman")
    PICKED_UP = "picked_up", _("Picked up at the one-stop desk")
    IN_TRANSIT = "in_transit", _("On its way")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Delivery failed")
    BOOKING_FAILED = "booking_failed", _("Could not be booked: the desk will call you")
    CANCELLED = "cancelled", _("Cancelled")


#: States whose parcel the post office already holds or handled: the choice is final.
BOOKED_STATES = frozenset(
    {
        ParcelState.BOOKED,
        ParcelState.PICKED_UP,
        ParcelState.IN_TRANSIT,
        ParcelState.DELIVERED,
        ParcelState.FAILED,
    }
)


class Parcel(models.Model):
    """The result of a dossier sent by public post: booked by ``book_parcels``
    (never inside the dossier's transaction), then followed by the callbacks."""

    dossier = models.OneToOneField(
        "dossiers.Dossier", on_delete=models.CASCADE, related_name="parcel"
    )
    #: Sent to the postal API as the idempotency key of the booking.
    reference = models.CharField(max_length=64, unique=True)
    state = models.CharField(
        _("state"), max_length=20, choices=ParcelState.choices, default=ParcelState.TO_BOOK
    )
    tracking_number = models.CharField(_("tracking number"), max_length=40, blank=True)
    recipient_name = models.CharField(_("recipient"), max_length=255)
    address = models.CharField(_("delivery address"), max_length=500)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_error = models.TextField(blank=True)
    failure_reason = models.CharField(_("reason"), max_length=500, blank=True)
    booked_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    #: Set when the delivery could be recorded as the return of the result (9 → 10).
    result_returned = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("parcel")
        verbose_name_plural = _("parcels")
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self) -> str:
        return self.tracking_number or self.reference


class ParcelEvent(models.Model):
    """One status callback of the postal service; ``event_id`` is unique so the
    same callback twice is recorded once."""

    parcel = models.ForeignKey(Parcel, on_delete=models.CASCADE, related_name="events")
    event_id = models.CharField(max_length=100, unique=True)
    status = models.CharField(max_length=20)
    reason = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["parcel", "at", "id"]

    def __str__(self) -> str:
        return f"{self.parcel_id} {self.status}"


class SimulatedParcel(models.Model):
    """A parcel as the *simulated* post office knows it (``mo-phong/buu-dien/``)."""

    tracking_number = models.CharField(max_length=40, unique=True)
    client_reference = models.CharField(max_length=64, unique=True)
    sender = models.CharField(max_length=255, blank=True)
    pickup_address = models.CharField(max_length=500, blank=True)
    recipient_name = models.CharField(max_length=255)
    address = models.CharField(max_length=500)
    phone = models.CharField(max_length=20, blank=True)
    note = models.CharField(max_length=500, blank=True)
    callback_url = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=20, default="booked")
    reason = models.CharField(max_length=500, blank=True)
    events_sent = models.PositiveIntegerField(default=0)
    last_callback = models.CharField(max_length=200, blank=True)
    #: The body of the last callback sent, to send it again (duplicates test).
    last_event = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.tracking_number
