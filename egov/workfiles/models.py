"""Work files (hồ sơ công việc): the agency's yearly file list, the files opened from
it or ad hoc, the documents linked into them (never copied), their history and the
hand-over to the agency archive (nộp lưu).

A document of the incoming or outgoing app is referenced by ``kind`` + ``document_id``
(read through :mod:`egov.workfiles.sources`): the same document can sit in several
files. Retention is data: a number of years, or ``None`` for permanent (vĩnh viễn).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from egov.core.models import Unit


class FileList(models.Model):
    """Danh mục hồ sơ: the list of files an agency plans to keep in one year."""

    agency = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("file list")
        constraints = [
            models.UniqueConstraint(fields=["agency", "year"], name="workfiles_one_list_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.agency} {self.year}"


class FileKind(models.TextChoices):
    REGULAR = "regular", _("Regular work")
    CONSTRUCTION = "construction", _("Construction project (hand over 3 months after settlement)")


class FileListEntry(models.Model):
    """One planned file of the list: its symbol (ký hiệu hồ sơ), title, who keeps it
    and how long it is kept."""

    file_list = models.ForeignKey(FileList, on_delete=models.CASCADE, related_name="entries")
    symbol = models.CharField(_("file symbol"), max_length=30)
    title = models.CharField(_("title"), max_length=500)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("responsible unit")
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible person"),
    )
    retention_years = models.PositiveSmallIntegerField(
        _("retention (years)"), null=True, blank=True, help_text=_("Empty: permanent.")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=FileKind.choices, default="regular")
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("file list entry")
        ordering = ["order", "symbol"]
        constraints = [
            models.UniqueConstraint(
                fields=["file_list", "symbol"], name="workfiles_entry_symbol_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.symbol} {self.title}"


class FileStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    HANDED_OVER = "handed_over", _("Handed over to the archive")


class WorkFile(models.Model):
    """A work file (hồ sơ): opened from an entry of the list or ad hoc."""

    agency = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    entry = models.ForeignKey(
        FileListEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="files"
    )
    symbol = models.CharField(_("file symbol"), max_length=30)
    title = models.CharField(_("title"), max_length=500)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("responsible unit")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible person"),
    )
    retention_years = models.PositiveSmallIntegerField(
        _("retention (years)"), null=True, blank=True
    )
    kind = models.CharField(_("kind"), max_length=12, choices=FileKind.choices, default="regular")
    description = models.TextField(_("description"), blank=True)
    language = models.CharField(_("language"), max_length=10, default="vi")
    status = models.CharField(
        _("status"), max_length=12, choices=FileStatus.choices, default=FileStatus.OPEN
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date (work ended)"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened at"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    handover_due = models.DateField(_("to be handed over by"), null=True, blank=True)
    handover_warned_at = models.DateTimeField(null=True, blank=True, editable=False)
    handed_over_at = models.DateTimeField(_("handed over at"), null=True, blank=True)
    handed_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    archive_receipt = models.CharField(_("archive receipt number"), max_length=60, blank=True)
    archive_pdf = models.BinaryField(null=True, blank=True, editable=False)
    """The PDF handed to the archive (sealed PAdES B-LTA when ``archive_sealed``)."""
    archive_sealed = models.BooleanField(_("sealed by the agency"), default=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("work file")
        ordering = ["-year", "symbol"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "year", "symbol"], name="workfiles_file_symbol_unique"
            ),
            models.UniqueConstraint(
                fields=["entry"],
                condition=Q(entry__isnull=False),
                name="workfiles_one_file_per_entry",
            ),
        ]
        indexes = [models.Index(fields=["status", "handover_due"])]

    def __str__(self) -> str:
        return f"{self.symbol} {self.title}"[:255]

    @property
    def is_permanent(self) -> bool:
        return self.retention_years is None

    @property
    def is_frozen(self) -> bool:
        return self.status != FileStatus.OPEN


class DocumentKind(models.TextChoices):
    INCOMING = "incoming", _("Incoming document")
    OUTGOING = "outgoing", _("Outgoing document")


class FileDocument(models.Model):
    """A document linked into a file (not a copy). Removal keeps the row: who and when."""

    work_file = models.ForeignKey(WorkFile, on_delete=models.CASCADE, related_name="links")
    kind = models.CharField(_("kind"), max_length=10, choices=DocumentKind.choices)
    document_id = models.PositiveBigIntegerField(_("document"))
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(_("added at"))
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    removed_reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("document in a file")
        constraints = [
            models.UniqueConstraint(
                fields=["work_file", "kind", "document_id"],
                condition=Q(removed_at__isnull=True),
                name="workfiles_document_once_per_file",
            )
        ]
        indexes = [models.Index(fields=["kind", "document_id"])]

    def __str__(self) -> str:
        return f"{self.kind}:{self.document_id}"


EVENT_LABELS = {
    "opened": _("File opened"),
    "document_added": _("Document added"),
    "document_removed": _("Document taken out"),
    "closed": _("File closed"),
    "handed_over": _("Handed over to the archive"),
}


class FileEvent(models.Model):
    """The file's history shown on its page (the audit log holds the same, chained)."""

    work_file = models.ForeignKey(WorkFile, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField()
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} {self.at:%Y-%m-%d}"

    @property
    def label(self) -> str:
        return str(EVENT_LABELS.get(self.action, self.action))


class HandoverNotice(models.Model):
    """A warning that a file is due for hand-over to the archive: one per file, person
    and due date, so the job can run any number of times."""

    work_file = models.ForeignKey(WorkFile, on_delete=models.CASCADE, related_name="notices")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    due = models.DateField()
    text = models.CharField(max_length=500)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["work_file", "recipient", "due"], name="workfiles_notice_once"
            )
        ]

    def __str__(self) -> str:
        return self.text[:60]
