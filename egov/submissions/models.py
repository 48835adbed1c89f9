"""Online submission (nộp hồ sơ trực tuyến): form schemas as data, drafts, the link
between a draft and the dossier it became, and the applicant's document wallet.

A :class:`FormSchema` is versioned like ``ProcedureVersion``: saving an edited
schema adds a new numbered row and makes it current; the older rows stay, and
drafts and submissions keep pointing to the one they were made under.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class FormSchema(models.Model):
    """The applicant's declaration (tờ khai) for one procedure, as data: a JSON Schema
    (draft 2020-12) of the fields and a small layout (sections, labels, widgets)."""

    procedure = models.ForeignKey(
        "procedures.Procedure", on_delete=models.PROTECT, related_name="form_schemas"
    )
    number = models.PositiveIntegerField(_("version"))
    is_current = models.BooleanField(_("current"), default=True)
    schema = models.JSONField(_("JSON Schema"))
    layout = models.JSONField(_("layout"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("declaration form schema")
        verbose_name_plural = _("declaration form schemas")
        ordering = ["procedure", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "number"], name="submissions_schema_no"),
            models.UniqueConstraint(
                fields=["procedure"],
                condition=models.Q(is_current=True),
                name="submissions_one_current_schema",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.procedure.national_code} form v{self.number}"


class DraftStatus(models.TextChoices):
    OPEN = "open", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class Step(models.TextChoices):
    AGENCY = "agency", _("Receiving agency")
    APPLICANT = "applicant", _("Applicant")
    DECLARATION = "declaration", _("Declaration")
    PAPERS = "papers", _("Papers")
    REVIEW = "review", _("Check your answers")


class Draft(models.Model):
    """A submission in progress (hồ sơ nháp). ``version`` grows by one on every save;
    a save made from an older version is refused (two tabs editing one draft)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="submission_drafts"
    )
    procedure_version = models.ForeignKey(
        "procedures.ProcedureVersion", on_delete=models.PROTECT, related_name="+"
    )
    form_schema = models.ForeignKey(
        FormSchema, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    agency = models.ForeignKey(
        "core.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    applicant = models.JSONField(_("applicant"), default=dict, blank=True)
    answers = models.JSONField(_("declaration answers"), default=dict, blank=True)
    current_step = models.CharField(
        _("current step"), max_length=20, choices=Step.choices, default=Step.AGENCY
    )
    status = models.CharField(
        _("status"), max_length=10, choices=DraftStatus.choices, default=DraftStatus.OPEN
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("draft")
        verbose_name_plural = _("drafts")
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["user", "status", "-updated_at"])]

    def __str__(self) -> str:
        return f"draft {self.pk} ({self.procedure_version_id})"


class DraftFile(models.Model):
    """A paper uploaded (or taken from the wallet) for a draft: its own copy."""

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="files")
    required_paper = models.ForeignKey(
        "procedures.RequiredPaper", on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=255)
    file = models.FileField(_("file"), upload_to="submissions/drafts/%Y/%m/")
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    wallet_document = models.ForeignKey(
        "WalletDocument", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("draft paper")
        verbose_name_plural = _("draft papers")
        constraints = [
            models.UniqueConstraint(
                fields=["draft", "required_paper"], name="submissions_one_file_per_paper"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Submission(models.Model):
    """A submitted draft and the dossier it became, with the declaration answers
    under the schema version they were made with."""

    draft = models.OneToOneField(Draft, on_delete=models.PROTECT, related_name="submission")
    dossier = models.OneToOneField(
        "dossiers.Dossier", on_delete=models.PROTECT, related_name="submission"
    )
    form_schema = models.ForeignKey(
        FormSchema, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    schema_number = models.PositiveIntegerField(null=True, blank=True)
    answers = models.JSONField(default=dict)
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("online submission")
        verbose_name_plural = _("online submissions")

    def __str__(self) -> str:
        return f"submission {self.pk}"


class WalletSource(models.TextChoices):
    UPLOAD = "upload", _("Uploaded")
    DOSSIER_PAPER = "dossier paper", _("Paper of a dossier")
    RESULT = "result", _("Result of a dossier")


class WalletDocument(models.Model):
    """A paper kept in the applicant's wallet (kho giấy tờ cá nhân) for reuse."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wallet_documents"
    )
    name = models.CharField(_("name"), max_length=255)
    file = models.FileField(_("file"), upload_to="submissions/wallet/%Y/%m/")
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    source = models.CharField(_("source"), max_length=20, choices=WalletSource.choices)
    source_dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("wallet document")
        verbose_name_plural = _("wallet documents")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "sha256"], name="submissions_wallet_dedupe")
        ]

    def __str__(self) -> str:
        return self.name
