"""The organisation tree: agencies (cơ quan) and their units (đơn vị), nested."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from egov.core.validators import validate_agency_code


class UnitLevel(models.TextChoices):
    PROVINCE = "province", _("Province (People's Committee)")
    PROVINCIAL_AGENCY = "provincial_agency", _("Provincial department or agency")
    DISTRICT = "district", _("District (People's Committee)")
    DISTRICT_AGENCY = "district_agency", _("District office")
    COMMUNE = "commune", _("Commune (People's Committee)")
    INTERNAL = "internal", _("Internal unit")


class Unit(MP_Node):
    """An agency or one of its units; the tree follows the administrative hierarchy.

    Units are never deleted: a merged or abolished unit keeps its row, gets
    ``dissolved_at`` and points to its ``successor``, so that every record that
    refers to it stays readable.
    """

    code = models.CharField(
        _("electronic identifier code"),
        max_length=40,
        validators=[validate_agency_code],
        help_text=_("Mã định danh điện tử (QĐ 20/2020/QĐ-TTg), e.g. 000.00.00.H33."),
    )
    name = models.CharField(_("name"), max_length=255)
    name_en = models.CharField(_("name in English"), max_length=255, blank=True)
    short_name = models.CharField(
        _("short name"),
        max_length=30,
        blank=True,
        help_text=_("Abbreviation used in document symbols, e.g. UBND, STTTT."),
    )
    level = models.CharField(_("level"), max_length=20, choices=UnitLevel.choices)
    is_one_stop = models.BooleanField(
        _("one-stop unit"),
        default=False,
        help_text=_("Bộ phận Một cửa: receives dossiers and returns results."),
    )
    statistics_code = models.CharField(
        _("statistics code"),
        max_length=10,
        blank=True,
        help_text=_("Code of the administrative division from the General Statistics Office."),
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    successor = models.ForeignKey(
        "self",
        verbose_name=_("successor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="predecessors",
    )
    dissolved_at = models.DateTimeField(_("dissolved at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=models.Q(dissolved_at__isnull=True),
                name="core_unit_active_code_unique",
            )
        ]
        indexes = [models.Index(fields=["code"]), models.Index(fields=["level"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.dissolved_at is None


class UnitCode(models.Model):
    """Every identifier code a unit has carried, so old codes keep resolving."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="code_history")
    code = models.CharField(_("identifier code"), max_length=40, db_index=True)
    valid_from = models.DateTimeField(_("valid from"))
    valid_to = models.DateTimeField(_("valid to"), null=True, blank=True)

    class Meta:
        verbose_name = _("identifier code history")
        verbose_name_plural = _("identifier code history")
        ordering = ["unit", "valid_from"]

    def __str__(self) -> str:
        return f"{self.code} ({self.unit_id})"
