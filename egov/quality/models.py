"""The outbox of the synchronisation with the national public-service portal (DVCQG).

One :class:`DossierSync` row per dossier: the platform's state of the dossier the
portal should have (``wanted_version``) and the last one it acknowledged
(``acknowledged_version``). A change of the dossier marks the row pending; the
sync job sends the current state until the portal acknowledges it, waiting
longer after each failure. What was sent is kept in :class:`SyncMessage`.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SyncState(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged by the national portal")
    FAILED = "failed", _("Failed, will be retried")


class DossierSync(models.Model):
    dossier = models.OneToOneField(
        "dossiers.Dossier", on_delete=models.CASCADE, related_name="+", verbose_name=_("dossier")
    )
    state = models.CharField(
        _("state"), max_length=15, choices=SyncState.choices, default=SyncState.PENDING
    )
    wanted_version = models.PositiveIntegerField(_("dossier version to send"), default=0)
    acknowledged_version = models.PositiveIntegerField(_("dossier version acknowledged"), default=0)
    ever_acknowledged = models.BooleanField(_("acknowledged at least once"), default=False)
    attempts = models.PositiveIntegerField(_("failed attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True, db_index=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("dossier synchronisation")
        verbose_name_plural = _("dossier synchronisations")
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.state}"


class SyncMessage(models.Model):
    """One state sent to the portal, and its answer."""

    sync = models.ForeignKey(DossierSync, on_delete=models.CASCADE, related_name="messages")
    dossier_version = models.PositiveIntegerField()
    payload = models.JSONField(_("sent"))
    sent_at = models.DateTimeField(_("sent at"))
    acknowledged = models.BooleanField(_("acknowledged"), default=False)
    answer = models.CharField(_("answer"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("message to the national portal")
        verbose_name_plural = _("messages to the national portal")
        ordering = ["sync", "-sent_at", "-id"]

    def __str__(self) -> str:
        return f"{self.sync_id} v{self.dossier_version}"
