"""Notifications to applicants: the templates (data an operator edits), the outbox
(one row per message to send), and what the SMS gateway simulator received."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NotifyChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class Event(models.TextChoices):
    """Dossier actions (``DossierEvent.action``) the applicant is told about.

    The key is the action string sent with ``dossiers.signals.dossier_changed``;
    a template for any other action string would work the same way.
    """

    RECEIVE = "receive", _("Dossier received at the desk or by post")
    SUBMIT_ONLINE = "submit_online", _("Dossier submitted online")
    ACCEPT = "accept", _("Online dossier accepted")
    DESK_SUPPLEMENT_REQUEST = (
        "desk_supplement_request",
        _("Supplement requested at the desk (incomplete dossier)"),
    )
    REQUEST_SUPPLEMENT = "request_supplement", _("Supplement requested")
    RECEIVE_SUPPLEMENT = "receive_supplement", _("Supplement received")
    REQUEST_PAYMENT = "request_payment", _("Taxes and fees to pay")
    APOLOGY = "apology", _("Apology letter and new appointment")
    RESULT_READY = "result_ready", _("Result ready")
    REFUSE = "refuse", _("Online dossier refused")
    REFUSE_AT_DESK = "refuse_at_desk", _("Dossier refused at the desk")
    STOP = "stop", _("Processing stopped")


class NotificationTemplate(models.Model):
    """The text sent on one channel when a dossier event happens.

    ``subject`` (e-mail only) and ``body`` are Django templates rendered with the
    small context documented in :mod:`egov.notifications.rendering`.
    """

    event = models.CharField(_("event"), max_length=40, choices=Event.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=NotifyChannel.choices)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="vi"
    )
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body = models.TextField(_("text"))
    unaccented = models.BooleanField(
        _("send without diacritics"),
        default=False,
        help_text=_(
            "SMS only: remove Vietnamese diacritics before sending, so a segment holds "
            "153–160 characters instead of 67–70."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("notification template")
        verbose_name_plural = _("notification templates")
        ordering = ["event", "channel", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "channel", "language"], name="notifications_template_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.channel} {self.language}"

    def clean(self) -> None:
        from egov.notifications.rendering import check_template

        check_template(
            channel=self.channel,
            subject=self.subject,
            body=self.body,
            unaccented=self.unaccented,
        )


class NotificationStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed, will retry")
    DEAD = "dead", _("Given up")


class Notification(models.Model):
    """One message to one applicant on one channel (the outbox).

    Written in the dossier's own transaction; a worker sends it later
    (:mod:`egov.notifications.worker`). One row per (dossier event, channel).
    """

    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.CASCADE, related_name="notifications"
    )
    dossier_event = models.ForeignKey(
        "dossiers.DossierEvent", on_delete=models.CASCADE, related_name="+"
    )
    event = models.CharField(_("event"), max_length=40)
    channel = models.CharField(_("channel"), max_length=10, choices=NotifyChannel.choices)
    recipient = models.CharField(_("recipient"), max_length=254)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body = models.TextField(_("text"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=NotificationStatus.choices,
        default=NotificationStatus.QUEUED,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    #: When a queued or failed row is due; while sending, when the worker's lease ends.
    next_attempt_at = models.DateTimeField(_("next attempt"))
    last_error = models.TextField(_("last error"), blank=True)
    provider_message_id = models.CharField(_("provider message id"), max_length=255, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier_event", "channel"], name="notifications_one_per_event_channel"
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="notif_due")]

    def __str__(self) -> str:
        return f"{self.event} {self.channel} → {self.recipient}"


class SimulatedSms(models.Model):
    """A message the SMS gateway simulator accepted (demo and tests only)."""

    message_id = models.CharField(max_length=64, unique=True)
    client_ref = models.CharField(max_length=100, blank=True, db_index=True)
    brandname = models.CharField(max_length=20)
    phone = models.CharField(max_length=20, db_index=True)
    text = models.TextField()
    encoding = models.CharField(max_length=10)
    segments = models.PositiveSmallIntegerField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.phone} {self.message_id}"


class SimulatorFaults(models.Model):
    """What the SMS simulator does to the next requests (one row, pk=1)."""

    fail_next = models.PositiveIntegerField(default=0)
    timeout_next = models.PositiveIntegerField(default=0)
    #: How long a "timed out" request hangs before answering (seconds).
    hang_seconds = models.FloatField(default=15.0)

    def __str__(self) -> str:
        return f"fail {self.fail_next}, time out {self.timeout_next}"
