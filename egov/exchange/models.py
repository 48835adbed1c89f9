"""Rows of the document exchange (edXML, the national axis, in-province exchange)
and of the axis simulator.

- :class:`AxisAgency` — the national list of agencies, synced from the axis;
- :class:`ExchangeMessage` — every edXML message sent or received (document or
  status), the exact bytes, the signature check and the reader's warnings; its
  constraints make receipt idempotent;
- :class:`OutboxItem` — one durable row per message to send, with its send key
  (the axis deduplicates on it) and a lease so that a killed worker's send is
  taken up again, never doubled;
- :class:`Quarantine` — a received message that could not be understood, kept
  byte for byte with the reason until an operator retries or rejects it;
- :class:`SimAgency`, :class:`SimEnvelope`, :class:`SimSwitch` — the simulator's
  own state (the axis as the platform sees it in the demo and in tests).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Direction(models.TextChoices):
    OUT = "out", _("Sent")
    IN = "in", _("Received")


class Channel(models.TextChoices):
    AXIS = "axis", _("National document axis")
    PLATFORM = "platform", _("Inside the province (on the platform)")


class Kind(models.TextChoices):
    DOCUMENT = "document", _("Document")
    STATUS = "status", _("Status")


class SignatureState(models.TextChoices):
    VALID = "valid", _("Signature valid")
    UNTRUSTED = "untrusted", _("Signature matches, certificate not trusted")
    INVALID = "invalid", _("Signature does not match (altered)")
    UNSIGNED = "unsigned", _("Not signed")
    REVOKED = "revoked", _("Signer's certificate revoked")
    OWN = "own", _("Signed by us")


class AxisAgency(models.Model):
    organ_id = models.CharField(_("identifier code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=255)
    synced_at = models.DateTimeField(_("synced at"))

    class Meta:
        verbose_name = _("agency on the axis")
        verbose_name_plural = _("agencies on the axis")
        ordering = ["organ_id"]

    def __str__(self) -> str:
        return f"{self.organ_id} {self.name}"


class ExchangeMessage(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    document_id = models.CharField(_("DocumentId"), max_length=500)
    business_type = models.PositiveSmallIntegerField(_("business type"), default=0)
    from_organ = models.CharField(_("from"), max_length=40, blank=True)
    to_organ = models.CharField(_("to"), max_length=40, blank=True)
    status_code = models.CharField(_("status code"), max_length=2, blank=True)
    status_at = models.DateTimeField(_("status time"), null=True, blank=True)
    subject = models.CharField(_("subject"), max_length=500, blank=True)
    description = models.CharField(_("description"), max_length=500, blank=True)
    raw = models.BinaryField(_("edXML"))
    sha256 = models.CharField(max_length=64)
    signature = models.CharField(
        _("signature"), max_length=10, choices=SignatureState.choices, default=SignatureState.OWN
    )
    signature_note = models.CharField(_("signature check"), max_length=500, blank=True)
    signer = models.CharField(_("signer"), max_length=300, blank=True)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    axis_id = models.CharField(_("axis message id"), max_length=100, blank=True)
    outgoing_reference = models.CharField(max_length=100, blank=True)
    incoming_document = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("edXML message")
        verbose_name_plural = _("edXML messages")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # The same DocumentId and business type never makes a second receipt.
            models.UniqueConstraint(
                fields=["direction", "document_id", "business_type", "to_organ"],
                condition=models.Q(kind="document"),
                name="exchange_document_once",
            ),
            # A status is recorded once per document, reporting agency and code.
            models.UniqueConstraint(
                fields=["direction", "document_id", "from_organ", "to_organ", "status_code"],
                condition=models.Q(kind="status"),
                name="exchange_status_once",
            ),
        ]
        indexes = [
            models.Index(fields=["document_id", "kind"]),
            models.Index(fields=["outgoing_reference"]),
            models.Index(fields=["axis_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.kind} {self.document_id}"


class OutboxState(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    REFUSED = "refused", _("Refused by the axis")
    FAILED = "failed", _("Failed (gave up)")


class OutboxItem(models.Model):
    send_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.AXIS
    )
    from_organ = models.CharField(_("from"), max_length=40)
    to_organ = models.CharField(_("to"), max_length=40)
    to_name = models.CharField(_("recipient"), max_length=255, blank=True)
    document_id = models.CharField(_("DocumentId"), max_length=500)
    business_type = models.PositiveSmallIntegerField(default=0)
    status_code = models.CharField(max_length=2, blank=True)
    status_at = models.DateTimeField(null=True, blank=True)
    description = models.CharField(max_length=500, blank=True)
    outgoing_reference = models.CharField(max_length=100, blank=True)
    payload = models.BinaryField(_("signed edXML"), blank=True, default=b"")
    state = models.CharField(
        _("state"), max_length=10, choices=OutboxState.choices, default=OutboxState.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    axis_id = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("message to send")
        verbose_name_plural = _("messages to send")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["document_id", "business_type", "to_organ"],
                condition=models.Q(kind="document"),
                name="exchange_outbox_document_once",
            ),
            models.UniqueConstraint(
                fields=["document_id", "from_organ", "to_organ", "status_code"],
                condition=models.Q(kind="status"),
                name="exchange_outbox_status_once",
            ),
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.document_id} → {self.to_organ}"


class QuarantineState(models.TextChoices):
    HELD = "held", _("Held")
    IMPORTED = "imported", _("Imported on retry")
    REJECTED = "rejected", _("Rejected (status 02 sent)")


class Quarantine(models.Model):
    raw = models.BinaryField(_("message as received"))
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    reason = models.CharField(_("reason"), max_length=1000)
    axis_id = models.CharField(_("axis message id"), max_length=100, blank=True)
    sender_hint = models.CharField(_("sender (as announced)"), max_length=40, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=QuarantineState.choices, default=QuarantineState.HELD
    )
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("quarantined message")
        verbose_name_plural = _("quarantined messages")
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["axis_id"], condition=~models.Q(axis_id=""), name="exchange_quarantine_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.received_at:%Y-%m-%d %H:%M} {self.reason[:60]}"


# --- the simulator's own state --------------------------------------------------------


class SimAgency(models.Model):
    organ_id = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=255)
    system_id = models.CharField(max_length=60, blank=True)

    class Meta:
        verbose_name = _("simulated axis agency")
        verbose_name_plural = _("simulated axis agencies")
        ordering = ["organ_id"]

    def __str__(self) -> str:
        return self.organ_id


class SimEnvelope(models.Model):
    axis_id = models.UUIDField(default=uuid.uuid4, unique=True)
    send_key = models.CharField(max_length=100)
    from_system = models.CharField(max_length=60)
    from_organ = models.CharField(max_length=40)
    to_organ = models.CharField(max_length=40)
    message_type = models.CharField(max_length=20)
    body = models.BinaryField()
    status = models.CharField(max_length=12, default="new")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("simulated axis message")
        verbose_name_plural = _("simulated axis messages")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["from_system", "send_key", "to_organ"], name="exchange_sim_send_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.from_organ} → {self.to_organ} ({self.message_type})"


class SimSwitch(models.Model):
    """Misbehaviour switches of the simulator (one row per name, on or off)."""

    name = models.CharField(max_length=20, unique=True)
    on = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("simulator switch")
        verbose_name_plural = _("simulator switches")

    def __str__(self) -> str:
        return f"{self.name}={'on' if self.on else 'off'}"
