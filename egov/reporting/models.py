"""Reporting regimes (Nghị định 09/2019/NĐ-CP) as data, the reports filed under
them, their history, and the simulator's side of the Government reporting system.

A :class:`Regime` says what is reported (its :class:`Indicator` rows and text
sections), by which units (levels), to whom, how often and by when. A
:class:`Report` is one unit's report for one period; a correction after approval
is a new row (``version`` + 1) that replaces the previous one as ``is_current``,
so the earlier version stays readable. :class:`ReportEvent` rows are the history.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    SIX_MONTHS = "six_months", _("Six-monthly")
    NINE_MONTHS = "nine_months", _("Nine-monthly")
    YEARLY = "yearly", _("Yearly")
    THEMATIC = "thematic", _("Thematic")
    AD_HOC = "ad_hoc", _("Ad hoc")


class IndicatorKind(models.TextChoices):
    INTEGER = "integer", _("Whole number")
    DECIMAL = "decimal", _("Decimal number")
    PERCENT = "percent", _("Percentage")
    TEXT = "text", _("Text")


class Regime(models.Model):
    """A reporting regime: what, who, to whom, how often, by when."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=300)
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    frequency = models.CharField(_("frequency"), max_length=12, choices=Frequency.choices)
    #: Unit levels (``core.UnitLevel`` values) whose units file this report.
    levels = models.JSONField(_("reporting unit levels"), default=list)
    receiver = models.CharField(_("received by"), max_length=200)
    deadline_working_days = models.PositiveSmallIntegerField(
        _("deadline (working days after the cut-off)"), default=2
    )
    #: Thematic and ad hoc regimes: the period they cover (local dates).
    period_start = models.DateField(_("period start"), null=True, blank=True)
    period_end = models.DateField(_("period end"), null=True, blank=True)
    #: Text sections: ``[{"code": "...", "title": "...", "required": bool}]``.
    sections = models.JSONField(_("text sections"), default=list, blank=True)
    sends_to_government = models.BooleanField(
        _("sent to the Government reporting system"), default=False
    )
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("reporting regime")
        verbose_name_plural = _("reporting regimes")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.title


class Indicator(models.Model):
    """One figure of a regime's form, with its type, unit and validation rules."""

    regime = models.ForeignKey(Regime, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("code"), max_length=40)
    label = models.CharField(_("indicator"), max_length=300)
    group = models.CharField(_("group"), max_length=200, blank=True)
    kind = models.CharField(_("type"), max_length=10, choices=IndicatorKind.choices)
    measure = models.CharField(_("unit of measure"), max_length=40, blank=True)
    required = models.BooleanField(_("required"), default=False)
    min_value = models.DecimalField(
        _("minimum"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    max_value = models.DecimalField(
        _("maximum"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    #: Codes of indicators of the same regime whose sum must equal this one.
    sum_of = models.JSONField(_("sum of"), default=list, blank=True)
    #: Key of an automatic source (``reporting.sources``); empty: entered by people.
    source = models.CharField(_("automatic source"), max_length=60, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["regime", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["regime", "code"], name="reporting_indicator_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"

    @property
    def is_automatic(self) -> bool:
        return bool(self.source)


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for approval")
    APPROVED = "approved", _("Approved")
    SENT = "sent", _("Sent")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")


class Report(models.Model):
    """One unit's report for one period of a regime (one version of it)."""

    regime = models.ForeignKey(Regime, on_delete=models.PROTECT, related_name="reports")
    unit = models.ForeignKey(
        "core.Unit", verbose_name=_("reporting unit"), on_delete=models.PROTECT, related_name="+"
    )
    period_key = models.CharField(_("period"), max_length=20)
    period_label = models.CharField(_("period name"), max_length=120)
    period_start = models.DateField(_("data from"))
    period_end = models.DateField(_("data to"))
    deadline = models.DateField(_("deadline"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    is_current = models.BooleanField(default=True)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    correction_reason = models.TextField(_("reason for the correction"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    #: ``{code: {"value": str, "note": str, "auto": bool}}``: values as entered
    #: (normalised text) so that nothing typed is lost.
    values = models.JSONField(default=dict, blank=True)
    #: ``{code: text}`` of the regime's text sections.
    texts = models.JSONField(default=dict, blank=True)
    #: Breakdown tables computed with the automatic figures (by field, by unit).
    tables = models.JSONField(default=dict, blank=True)
    computed_at = models.DateTimeField(_("figures computed at"), null=True, blank=True)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    is_late = models.BooleanField(_("late"), default=False)
    late_reason = models.TextField(_("reason for lateness"), blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    is_signed = models.BooleanField(_("digitally signed"), default=False)
    signed_pdf = models.BinaryField(null=True, blank=True, editable=False)
    #: Sending to the Government system: asked for by a leader, done by the background
    #: job ``reporting.send_reports`` (``next_send_at``: when it tries next; empty when
    #: nothing is waiting to go).
    send_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    send_queued_at = models.DateTimeField(_("queued for sending at"), null=True, blank=True)
    next_send_at = models.DateTimeField(null=True, blank=True, db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    send_attempts = models.PositiveSmallIntegerField(default=0)
    send_error = models.CharField(max_length=300, blank=True)
    remote_id = models.CharField(_("receipt number"), max_length=80, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    lock_version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-period_end", "regime", "unit"]
        constraints = [
            # One current report per unit, regime and period: a second one is refused.
            models.UniqueConstraint(
                fields=["regime", "unit", "period_key"],
                condition=Q(is_current=True),
                name="reporting_one_current_report",
            ),
            models.UniqueConstraint(
                fields=["regime", "unit", "period_key", "version"],
                name="reporting_report_version",
            ),
        ]
        indexes = [models.Index(fields=["regime", "period_key", "is_current"])]

    def __str__(self) -> str:
        return f"{self.regime.title} — {self.period_label} — v{self.version}"

    @property
    def is_editable(self) -> bool:
        return self.status == Status.DRAFT and self.is_current


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")
    SAVED = "saved", _("Figures saved")
    RECOMPUTED = "recomputed", _("Automatic figures computed")
    SUBMITTED = "submitted", _("Submitted for approval")
    RETURNED = "returned", _("Returned for changes")
    APPROVED = "approved", _("Approved")
    SIGNED = "signed", _("Digitally signed")
    CORRECTED = "corrected", _("Correction opened")
    SEND_QUEUED = "send_queued", _("Queued for sending")
    SENT = "sent", _("Sent")
    SEND_FAILED = "send_failed", _("Sending failed")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")


class ReportEvent(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=14, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField()
    note = models.TextField(blank=True)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"


class GovernmentReceipt(models.Model):
    """The simulator of the Government reporting system: what it received."""

    receipt_id = models.CharField(max_length=80, unique=True)
    idempotency_key = models.CharField(max_length=120, unique=True)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return self.receipt_id


class GovernmentSimulatorFaults(models.Model):
    """The simulator answers HTTP 503 to the next ``fail_next`` requests."""

    fail_next = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"fail next {self.fail_next}"
