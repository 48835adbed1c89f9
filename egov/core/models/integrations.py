"""The log of calls to outside systems (one row per attempt).

Operational, not the audit log: it says which system was asked what, when, how
long it took and how it ended, so an operator can see an outage or a slow
partner. It never holds bodies, query strings, credentials or personal data:
only the host, the operation's name and a masked error text.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CallOutcome(models.TextChoices):
    OK = "ok", _("answered (2xx/3xx)")
    HTTP_ERROR = "http_error", _("answered with an HTTP error")
    TIMEOUT = "timeout", _("no answer in time")
    UNREACHABLE = "unreachable", _("outside system unreachable")


class IntegrationCall(models.Model):
    at = models.DateTimeField(_("called at"), default=timezone.now, db_index=True)
    system = models.CharField(_("outside system"), max_length=40)
    operation = models.CharField(_("call operation"), max_length=60)
    method = models.CharField(_("HTTP method"), max_length=10)
    host = models.CharField(_("called host"), max_length=255, blank=True)
    status = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=CallOutcome.choices)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"))
    attempt = models.PositiveSmallIntegerField(_("attempt number"), default=1)
    error = models.CharField(_("call error"), max_length=300, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("call to an outside system")
        verbose_name_plural = _("calls to outside systems")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["system", "-at"], name="core_integ_system_at")]

    def __str__(self) -> str:
        return f"{self.system}.{self.operation} #{self.attempt}: {self.outcome}"
