"""Append-only, hash-chained record of every state change."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """One state change. Rows are never updated or deleted (database triggers refuse
    it); each row's ``entry_hash`` covers its content and the previous row's hash, so
    editing or removing a row breaks the chain that ``verify_audit`` walks."""

    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_repr = models.CharField(_("actor"), max_length=255, blank=True)
    action = models.CharField(_("action"), max_length=80, db_index=True)
    object_type = models.CharField(_("object type"), max_length=80)
    object_id = models.CharField(_("object id"), max_length=80)
    object_repr = models.CharField(_("object"), max_length=255, blank=True)
    unit = models.ForeignKey(
        "core.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(_("client IP"), null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_type}:{self.object_id}"


class AuditChainHead(models.Model):
    """Single row holding the tip of the chain; locking it serialises appends and
    lets ``verify_audit`` notice a removed last entry.

    ``seal`` is the keyed seal of the whole chain (ADR 2): a start value keyed on
    entry ``sealed_from_id``, plus, modulo 2**62, a keyed MAC of every later entry's
    content. It is computed with ``EGOV_AUDIT_KEY``, which the database never sees,
    so whoever rewrites entries directly in the database cannot make it match."""

    last_entry_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)
    seal = models.BigIntegerField(default=0)
    sealed_from_id = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"#{self.last_entry_id} {self.last_hash[:12]}"
