"""Online payments of a dossier's taxes and fees, and everything observed about them.

A :class:`Payment` is one attempt to pay what a dossier in status 6 ("awaiting taxes
and fees") was asked for, through the national payment platform. Only the
platform's signed server-to-server notification (or reconciliation asking the
platform) changes its status; the browser coming back only records an event.
Amounts are whole đồng (``BigIntegerField``), never floats.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Paid")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")
    CANCELLED = "cancelled", _("Cancelled")


#: Statuses after which only reconciliation flags can change.
CLOSED_STATUSES = frozenset(
    {
        PaymentStatus.SUCCEEDED,
        PaymentStatus.FAILED,
        PaymentStatus.EXPIRED,
        PaymentStatus.CANCELLED,
    }
)


class Issue(models.TextChoices):
    """Why a payment needs a person to reconcile it (cần đối soát)."""

    LATE_SUCCESS = "late_success", _("Paid after the payment was closed")
    DOSSIER_NOT_AWAITING = (
        "dossier_not_awaiting",
        _("Paid but the dossier no longer awaits payment"),
    )
    AMOUNT_DIFFERS = "amount_differs", _("Amount differs from the amount requested")
    AMOUNT_MISMATCH = "amount_mismatch", _("The platform reported another amount")
    PAID_TWICE = "paid_twice", _("The platform reported a second, different transaction")
    FAILED_AFTER_SUCCESS = "failed_after_success", _("Failure reported after success")
    CONFIRM_FAILED = "confirm_failed", _("The dossier could not be confirmed")


class Payment(models.Model):
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name=_("dossier"),
        on_delete=models.PROTECT,
        related_name="payments",
    )
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("payer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    amount = models.BigIntegerField(_("amount (đồng)"))
    currency = models.CharField(_("currency"), max_length=3, default="VND")
    purpose = models.CharField(_("purpose"), max_length=255)
    provider = models.CharField(_("provider"), max_length=30, default="paygov")
    reference = models.CharField(_("our reference"), max_length=40, unique=True)
    # unique + null: several rows may have none; a given transaction id only once.
    provider_transaction_id = models.CharField(
        _("platform transaction"), max_length=64, unique=True, null=True, blank=True
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=PaymentStatus.choices,
        default=PaymentStatus.PENDING,
        db_index=True,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    expires_at = models.DateTimeField(_("payable until"))
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True, db_index=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    #: When confirm_payment moved the dossier on (None: not, or not yet).
    dossier_confirmed_at = models.DateTimeField(_("dossier confirmed at"), null=True, blank=True)
    needs_review = models.BooleanField(_("needs reconciliation"), default=False, db_index=True)
    issues = models.JSONField(_("issues"), default=list, blank=True)
    #: Every notification body the platform sent, as received (audit).
    callbacks = models.JSONField(_("platform notifications"), default=list, blank=True)
    #: The receipt signed with the receiving agency's key (a system-issued document),
    #: made on the first download and kept; empty while the agency has no key.
    receipt_pdf = models.BinaryField(_("signed receipt"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-created_at", "-id"]
        constraints = [
            # A double click or two tabs must never leave two open payments.
            models.UniqueConstraint(
                fields=["dossier"],
                condition=Q(status="pending"),
                name="payments_one_pending_per_dossier",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payments_amount_positive"),
        ]

    def __str__(self) -> str:
        return self.reference

    def add_issue(self, issue: str) -> None:
        if issue not in self.issues:
            self.issues = [*self.issues, issue]
        self.needs_review = True


class EventKind(models.TextChoices):
    REQUEST = "request", _("Sent to the platform")
    RETURN = "return", _("Applicant came back")
    CALLBACK = "callback", _("Platform notification")
    QUERY = "query", _("Status asked of the platform")
    EXPIRE = "expire", _("Expired")
    CANCEL = "cancel", _("Cancelled")
    CONFIRM = "confirm", _("Dossier confirmed")


class PaymentEvent(models.Model):
    """One observation: a request sent, a browser return, a notification, a status
    query. Kept even when refused (bad signature, unknown reference)."""

    payment = models.ForeignKey(
        Payment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
    )
    reference = models.CharField(_("reference given"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=EventKind.choices)
    at = models.DateTimeField(_("time"), db_index=True)
    #: None: nothing signed was involved (e.g. a local expiry).
    signature_valid = models.BooleanField(_("valid signature"), null=True)
    outcome = models.CharField(_("outcome"), max_length=40, blank=True)
    payload = models.JSONField(_("data"), default=dict, blank=True)
    raw = models.TextField(_("raw body"), blank=True)
    remote_addr = models.GenericIPAddressField(_("from"), null=True, blank=True)

    class Meta:
        verbose_name = _("payment event")
        verbose_name_plural = _("payment events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["signature_valid", "at"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.kind} {self.outcome}"


class SimulatedTransaction(models.Model):
    """The simulated platform's own record of a transaction (only the simulator uses
    this table; the real platform keeps its own)."""

    merchant_code = models.CharField(max_length=40)
    reference = models.CharField(max_length=40, unique=True)
    transaction_id = models.CharField(max_length=64, blank=True)
    amount = models.BigIntegerField()
    description = models.CharField(max_length=255, blank=True)
    return_url = models.CharField(max_length=1000, blank=True)
    expires_at = models.DateTimeField()
    status = models.CharField(max_length=12, default="pending")
    channel = models.CharField(max_length=40, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("simulated platform transaction")
        verbose_name_plural = _("simulated platform transactions")

    def __str__(self) -> str:
        return self.reference
