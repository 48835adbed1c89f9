"""Counters behind every official number (dossier codes, document numbers)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sequence(models.Model):
    """Last value issued for one scope in one period.

    ``scope`` names what is being numbered (e.g. ``dossier:000.00.12.H33``,
    ``register:42``); ``period`` is the reset window (``260115`` for a day,
    ``2026`` for a year, ``-`` for never). The row is only ever changed by an
    atomic upsert inside the caller's transaction (see ``core.numbering``).
    """

    scope = models.CharField(_("scope"), max_length=120)
    period = models.CharField(_("period"), max_length=20)
    last_value = models.BigIntegerField(_("last value"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")
        constraints = [
            models.UniqueConstraint(fields=["scope", "period"], name="core_sequence_scope_period")
        ]

    def __str__(self) -> str:
        return f"{self.scope}/{self.period}={self.last_value}"
