"""The province's IT plan as data (Kế hoạch ứng dụng CNTT): its targets and its
projects, loaded from the plan's text (:mod:`egov.dashboards.seed_plan`).

A :class:`Target` either names a ``measure`` (a key of
:mod:`egov.dashboards.measures`) and is evaluated live from the platform's own data,
or takes a value reported by the IT department with its evidence. A
:class:`Project` tracks its budget, funding source, disbursement and progress.
Reported values and project updates keep their history (:class:`TargetReport`,
:class:`ProjectUpdate`) and go through the audit log.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Plan(models.Model):
    code = models.CharField(_("plan"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=500)
    year = models.PositiveSmallIntegerField(_("year"))
    issued_on = models.DateField(_("issued on"))
    total_budget = models.BigIntegerField(_("total budget (đồng)"), default=0)

    class Meta:
        ordering = ["-year", "code"]

    def __str__(self) -> str:
        return self.code


class Comparison(models.TextChoices):
    AT_LEAST = "gte", _("at least")
    AT_MOST = "lte", _("at most")


class Target(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="targets")
    code = models.CharField(_("code"), max_length=20)
    text = models.TextField(pgettext_lazy("plan", "target"))
    #: The row of the platform's feature table the target belongs to (mission.md).
    system = models.CharField(_("system"), max_length=120, blank=True)
    value = models.DecimalField(_("target value"), max_digits=8, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=10, default="%")
    comparison = models.CharField(
        max_length=3, choices=Comparison.choices, default=Comparison.AT_LEAST
    )
    #: Key of a live measure (``egov.dashboards.measures``); empty: reported by hand.
    measure = models.CharField(_("measured by"), max_length=60, blank=True)
    reported_value = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    evidence = models.CharField(_("evidence"), max_length=500, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reported_at = models.DateTimeField(null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["plan", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="dashboards_target_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text[:60]}"


class TargetReport(models.Model):
    """One reported value of a target not measured by the platform (history kept)."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="reports")
    value = models.DecimalField(max_digits=8, decimal_places=2)
    evidence = models.CharField(max_length=500)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField()

    class Meta:
        ordering = ["-reported_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.target_id}: {self.value}"


class Funding(models.TextChoices):
    RECURRENT = "recurrent", _("IT recurrent budget (sự nghiệp CNTT)")
    PUBLIC_INVESTMENT = "investment", _("Public investment (đầu tư công)")


class Project(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="projects")
    code = models.CharField(_("code"), max_length=20)
    group = models.CharField(_("group"), max_length=300, blank=True)
    name = models.TextField(_("project"))
    owner = models.CharField(_("implementing unit"), max_length=200)
    partners = models.CharField(_("cooperating units"), max_length=300, blank=True)
    budget = models.BigIntegerField(_("budget (đồng)"))
    funding = models.CharField(_("funding source"), max_length=12, choices=Funding.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    disbursed = models.BigIntegerField(_("disbursed (đồng)"), default=0)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    status_note = models.CharField(_("status"), max_length=500, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["plan", "order"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="dashboards_project_code_unique"),
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="dashboards_project_progress_max"
            ),
            models.CheckConstraint(
                condition=Q(disbursed__gte=0) & Q(disbursed__lte=models.F("budget")),
                name="dashboards_project_disbursed_within_budget",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name[:60]}"

    @property
    def disbursed_share(self) -> float | None:
        return round(100 * self.disbursed / self.budget, 1) if self.budget else None


class ProjectUpdate(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="updates")
    disbursed = models.BigIntegerField()
    progress = models.PositiveSmallIntegerField()
    note = models.CharField(max_length=500, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-updated_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.progress}%"
