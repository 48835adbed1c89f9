"""Catalogue of administrative procedures (danh mục thủ tục hành chính, TTHC) and
their internal process templates (quy trình nội bộ).

A procedure keeps its identity (national code) while its content changes through
versions: drafted, published, replaced. Dossiers point to the version they were
received under, so later changes never rewrite what applied to them.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from egov.procedures.text import search_key as make_search_key


class ProcedureField(models.Model):
    """Lĩnh vực: the area a procedure belongs to (civil status, land, construction…)."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=255)
    name_en = models.CharField(_("name in English"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("field")
        verbose_name_plural = _("fields")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Procedure(models.Model):
    """The lasting identity of a procedure: its national code (e.g. ``1.001193``)."""

    national_code = models.CharField(_("national code"), max_length=30, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")
        ordering = ["national_code"]

    def __str__(self) -> str:
        return self.national_code


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    REPLACED = "replaced", _("Replaced")


class OnlineLevel(models.IntegerChoices):
    """Nghị định 43/2011 levels; 3 ≈ "một phần" and 4 ≈ "toàn trình" since NĐ 42/2022."""

    INFORMATION = 1, _("Level 1: information")
    FORMS = 2, _("Level 2: forms to download")
    PARTLY_ONLINE = 3, _("Level 3: partly online")
    FULLY_ONLINE = 4, _("Level 4: fully online")


class TimeLimitUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("working days")
    WORKING_HOURS = "working_hours", _("working hours")


class ProcedureVersion(models.Model):
    """What a procedure requires, as published at one time."""

    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    name = models.CharField(_("name"), max_length=500)
    name_en = models.CharField(_("name in English"), max_length=500, blank=True)
    field = models.ForeignKey(
        ProcedureField, verbose_name=_("field"), on_delete=models.PROTECT, related_name="+"
    )
    levels = models.JSONField(
        _("agency levels"),
        default=list,
        help_text=_("Levels of agency that handle it (values of core.UnitLevel)."),
    )
    online_level = models.PositiveSmallIntegerField(
        _("online service level"), choices=OnlineLevel.choices, default=OnlineLevel.FORMS
    )
    time_limit = models.DecimalField(_("legal time limit"), max_digits=6, decimal_places=2)
    time_limit_unit = models.CharField(
        _("time limit unit"),
        max_length=15,
        choices=TimeLimitUnit.choices,
        default=TimeLimitUnit.WORKING_DAYS,
    )
    fees = models.JSONField(
        _("fees and charges"),
        default=list,
        blank=True,
        help_text=_(
            'List of {"name": ..., "amount": integer đồng} or {"name": ..., "rule": ...}; '
            "amounts are whole đồng."
        ),
    )
    result_type = models.CharField(_("result"), max_length=500, blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    source = models.JSONField(
        _("source"),
        default=dict,
        blank=True,
        help_text=_(
            "Where this content was checked: the public page (url), the decision that "
            "published it, the copy read and the date it was checked."
        ),
    )
    publication = models.JSONField(
        _("publication"),
        default=dict,
        blank=True,
        help_text=_(
            "How this version was made public (index 766, group 1): the publishing "
            'decision ("decision"), its date ("decided_on"), the date the legal basis '
            'takes effect ("effective_on"), the date it was posted on the national '
            'database ("posted_on"), as YYYY-MM-DD; "demo": true marks illustrative '
            'dates, "note" says where they come from.'
        ),
    )
    agencies = models.ManyToManyField(
        "core.Unit", verbose_name=_("agencies carrying it out"), related_name="+", blank=True
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    replaced_at = models.DateTimeField(_("replaced at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    search_key = models.TextField(
        _("search key"),
        blank=True,
        editable=False,
        help_text=_("National code and name without diacritics, for searching."),
    )

    class Meta:
        verbose_name = _("procedure version")
        verbose_name_plural = _("procedure versions")
        ordering = ["procedure", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "number"], name="procedures_version_no"),
            models.UniqueConstraint(
                fields=["procedure"],
                condition=models.Q(status="published"),
                name="procedures_one_published_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.procedure.national_code} v{self.number} – {self.name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A derived index column, not a rule: kept in step with the name on every
        # save so that rows written by any code path stay searchable.
        self.search_key = make_search_key(f"{self.procedure.national_code} {self.name}")
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "search_key"}
        super().save(*args, **kwargs)


class PaperForm(models.TextChoices):
    ORIGINAL = "original", _("Original")
    CERTIFIED_COPY = "certified_copy", _("Certified copy")
    PHOTOCOPY = "photocopy", _("Photocopy")


class RequiredPaper(models.Model):
    """A paper (thành phần hồ sơ) the applicant must hand in."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="papers")
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=500)
    name_en = models.CharField(_("name in English"), max_length=500, blank=True)
    copies = models.PositiveSmallIntegerField(_("copies"), default=1)
    form = models.CharField(_("form"), max_length=20, choices=PaperForm.choices)
    template_name = models.CharField(
        _("form template"), max_length=255, blank=True, help_text=_("e.g. Mẫu TK1-TS")
    )
    template_file = models.FileField(_("template file"), upload_to="procedures/", blank=True)
    is_optional = models.BooleanField(_("optional"), default=False)
    is_declaration = models.BooleanField(
        _("the applicant's declaration"),
        default=False,
        help_text=_(
            "This paper is the declaration (tờ khai) itself: a dossier submitted online "
            "with the declaration form filled in needs no file for it."
        ),
    )

    class Meta:
        verbose_name = _("required paper")
        verbose_name_plural = _("required papers")
        ordering = ["version", "position"]

    def __str__(self) -> str:
        return self.name


class StepAction(models.TextChoices):
    FORWARD = "forward", _("Forward to the next step")
    SEND_BACK = "send_back", _("Send back to the previous step")
    REQUEST_SUPPLEMENT = "request_supplement", _("Request a supplement")
    CONSULT = "consult", _("Pass to another agency (liên thông)")
    APPROVE = "approve", _("Sign and approve")


class ProcessTemplate(models.Model):
    """Quy trình nội bộ: how one agency handles one procedure, step by step."""

    procedure = models.ForeignKey(
        Procedure, on_delete=models.PROTECT, related_name="process_templates"
    )
    agency = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="+")
    is_active = models.BooleanField(_("active"), default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("process template")
        verbose_name_plural = _("process templates")
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "agency"],
                condition=models.Q(is_active=True),
                name="procedures_one_active_template",
            )
        ]

    def __str__(self) -> str:
        return f"{self.procedure} @ {self.agency}"


class ProcessStep(models.Model):
    template = models.ForeignKey(ProcessTemplate, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("name"), max_length=255)
    name_en = models.CharField(_("name in English"), max_length=255, blank=True)
    unit = models.ForeignKey(
        "core.Unit", verbose_name=_("acting unit"), on_delete=models.PROTECT, related_name="+"
    )
    role_code = models.SlugField(_("acting role"), max_length=40)
    hours = models.DecimalField(
        _("working hours"), max_digits=7, decimal_places=2, help_text=_("Share of the time limit.")
    )
    actions = models.JSONField(_("allowed actions"), default=list)
    action_name = models.CharField(
        _("name of the step's main action"),
        max_length=80,
        blank=True,
        help_text=_(
            "The button that finishes the step, e.g. “Phê duyệt” or “Ký”. Empty: named "
            "after what the step's role does."
        ),
    )
    action_name_en = models.CharField(
        _("name of the step's main action in English"), max_length=80, blank=True
    )

    class Meta:
        verbose_name = _("process step")
        verbose_name_plural = _("process steps")
        ordering = ["template", "position"]
        constraints = [
            models.UniqueConstraint(fields=["template", "position"], name="procedures_step_order")
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.name}"
