"""Incoming documents (văn bản đến), their register, processing sheet and follow-up.

Field names follow Nghị định 30/2020/NĐ-CP, Phụ lục VI part II (the metadata of an
incoming document) and Phụ lục IV (the incoming register, the follow-up register,
the "ĐẾN" stamp, the processing sheet). Every change goes through
``documents.services``; ``version`` lets two clerks acting at once be told the
document changed under them.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentType(models.Model):
    """One of the 29 document types of Nghị định 30 (Phụ lục III), as data."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    abbreviation = models.CharField(
        _("abbreviation"),
        max_length=10,
        blank=True,
        help_text=_("Used in the symbol, e.g. QĐ in 12/QĐ-UBND; empty for an official letter."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("document type")
        verbose_name_plural = _("document types")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.abbreviation})" if self.abbreviation else self.name


class Source(models.TextChoices):
    PAPER = "paper", _("Paper (scanned)")
    PLATFORM = "platform", _("Agency on the platform")
    EXCHANGE = "exchange", _("Document exchange (outside the province)")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent (Khẩn)")
    VERY_URGENT = "very_urgent", _("Very urgent (Thượng khẩn)")
    FLASH = "flash", _("Flash (Hỏa tốc)")


class Confidentiality(models.TextChoices):
    NORMAL = "normal", _("Not confidential")
    CONFIDENTIAL = "confidential", _("Confidential (Mật)")
    SECRET = "secret", _("Secret (Tối mật)")
    TOP_SECRET = "top_secret", _("Top secret (Tuyệt mật)")


class IncomingStatus(models.TextChoices):
    RECEIVED = "received", _("Received, not registered")
    REGISTERED = "registered", _("Registered")
    PRESENTED = "presented", _("Presented to the leader")
    ASSIGNED = "assigned", _("Assigned")
    PROCESSING = "processing", _("Being handled")
    DONE = "done", _("Resolved")
    RETURNED = "returned", _("Returned to the sender")
    WITHDRAWN = "withdrawn", _("Withdrawn by the sender")


#: Statuses in which the document carries a duty to handle (registered, not finished).
OPEN_STATUSES = (
    IncomingStatus.REGISTERED,
    IncomingStatus.PRESENTED,
    IncomingStatus.ASSIGNED,
    IncomingStatus.PROCESSING,
)


class OcrStatus(models.TextChoices):
    NONE = "none", _("No text recognition needed")
    PENDING = "pending", _("Waiting for text recognition")
    DONE = "done", _("Text recognised")
    FAILED = "failed", _("Text recognition failed")


class SignatureCheck(models.TextChoices):
    """The check of the digital signatures of a document's PDF files on arrival."""

    NONE = "none", _("No PDF to check")
    PENDING = "pending", _("Checking the digital signatures")
    VALID = "valid", _("Valid digital signature")
    INVALID = "invalid", _("Digital signature not valid")
    UNSIGNED = "unsigned", _("Not digitally signed")
    FAILED = "failed", _("The signatures could not be checked")


class IncomingRegister(models.Model):
    """Sổ đăng ký văn bản đến: one per agency per year (confidential documents in
    their own register). Its numbers come from ``core.numbering``."""

    agency = models.ForeignKey(
        "core.Unit", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    confidential = models.BooleanField(_("confidential register"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("incoming register")
        verbose_name_plural = _("incoming registers")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "year", "confidential"], name="documents_register_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.year}{'/M' if self.confidential else ''}"

    @property
    def sequence_key(self) -> str:
        return f"incoming:{self.agency_id}{':confidential' if self.confidential else ''}"


class IncomingDocument(models.Model):
    uuid = models.UUIDField(_("reference"), default=uuid.uuid4, unique=True, editable=False)
    recipient_agency = models.ForeignKey(
        "core.Unit",
        verbose_name=_("receiving agency"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    # Delivery reference of the sender (platform or exchange): idempotency key.
    source_ref = models.CharField(_("delivery reference"), max_length=200, blank=True)
    sender_agency = models.ForeignKey(
        "core.Unit",
        verbose_name=_("sending agency on the platform"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=IncomingStatus.choices,
        default=IncomingStatus.RECEIVED,
    )
    received_at = models.DateTimeField(_("received at"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("received by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    # Phụ lục VI metadata.
    document_id = models.CharField(_("document id"), max_length=200, blank=True)
    issuing_agency_name = models.CharField(_("issuing body"), max_length=200, blank=True)
    issuing_agency_code = models.CharField(_("issuing body code"), max_length=40, blank=True)
    code_number = models.CharField(_("number"), max_length=11, blank=True)
    code_notation = models.CharField(_("symbol"), max_length=30, blank=True)
    doc_type = models.ForeignKey(
        DocumentType,
        verbose_name=_("document type"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    issued_date = models.DateField(_("date of the document"), null=True, blank=True)
    subject = models.CharField(_("summary"), max_length=500, blank=True)
    signer_name = models.CharField(_("signer"), max_length=100, blank=True)
    signer_position = models.CharField(_("signer's position"), max_length=100, blank=True)
    page_amount = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    urgency = models.CharField(
        _("urgency"), max_length=12, choices=Urgency.choices, default=Urgency.NORMAL
    )
    confidentiality = models.CharField(
        _("confidentiality"),
        max_length=12,
        choices=Confidentiality.choices,
        default=Confidentiality.NORMAL,
    )
    sender_due_date = models.DateField(_("answer due (per the sender)"), null=True, blank=True)
    to_places = models.CharField(_("recipients (ToPlaces)"), max_length=1000, blank=True)
    description = models.TextField(_("notes"), blank=True)
    language = models.CharField(_("language"), max_length=10, default="vi")

    # Registration (vào sổ).
    register = models.ForeignKey(
        IncomingRegister,
        verbose_name=_("register"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
    )
    arrival_number = models.PositiveIntegerField(_("incoming number"), null=True, blank=True)
    registered_at = models.DateTimeField(_("registered at"), null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("registered despite a likely duplicate of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    # Presentation (trình) to the leader.
    present_due_at = models.DateTimeField(_("to be presented by"), null=True, blank=True)
    presented_at = models.DateTimeField(_("presented at"), null=True, blank=True)
    presented_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("presented to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    # Handling.
    due_at = models.DateTimeField(_("deadline"), null=True, blank=True)
    answer_reference = models.CharField(_("answering document"), max_length=200, blank=True)
    answer_notation = models.CharField(
        _("number and symbol of the answer"), max_length=60, blank=True
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolution = models.TextField(_("how it was resolved"), blank=True)
    due_soon_noticed_at = models.DateTimeField(null=True, blank=True, editable=False)
    overdue_noticed_at = models.DateTimeField(null=True, blank=True, editable=False)

    # Returned (wrongly addressed), withdrawn or recalled by the sender.
    closed_reason = models.CharField(_("reason"), max_length=500, blank=True)
    recalled_at = models.DateTimeField(_("recalled by the sender at"), null=True, blank=True)

    # Text recognition of scans.
    ocr_status = models.CharField(
        _("text recognition"), max_length=10, choices=OcrStatus.choices, default=OcrStatus.NONE
    )
    ocr_text = models.TextField(_("recognised text"), blank=True)
    ocr_error = models.CharField(max_length=300, blank=True, editable=False)
    # The digital signatures of the PDF files, checked on arrival by the signatures
    # app's verification: the verdict, the reasons in Vietnamese, who signed, and
    # the full report per file (for the report page).
    signature_status = models.CharField(
        _("digital signature"),
        max_length=10,
        choices=SignatureCheck.choices,
        default=SignatureCheck.NONE,
    )
    signature_signers = models.CharField(_("signed by"), max_length=500, blank=True)
    signature_reasons = models.JSONField(default=list, blank=True, editable=False)
    signature_checked_at = models.DateTimeField(
        _("signatures checked at"), null=True, blank=True, editable=False
    )
    signature_reports = models.JSONField(default=list, blank=True, editable=False)
    # Lower-case, diacritics-free copy of metadata + text: what search matches.
    search_text = models.TextField(blank=True, editable=False)

    # Confidential documents are shown only to these people (and the clerks and
    # leaders who register and assign them).
    readers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("named readers"),
        blank=True,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("incoming document")
        verbose_name_plural = _("incoming documents")
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_ref", "recipient_agency"],
                condition=~models.Q(source_ref=""),
                name="documents_delivery_once",
            ),
            models.UniqueConstraint(
                fields=["register", "arrival_number"],
                condition=models.Q(arrival_number__isnull=False),
                name="documents_arrival_number_once",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient_agency", "status"]),
            models.Index(fields=["recipient_agency", "registered_at"]),
            # Worklists and search results newest first within an agency.
            models.Index(fields=["recipient_agency", "received_at"]),
            models.Index(fields=["code_number", "code_notation"]),
            models.Index(fields=["document_id"]),
            models.Index(fields=["source_ref"]),
            models.Index(fields=["status", "due_at"]),
        ]

    def __str__(self) -> str:
        return self.number_symbol or self.subject[:60] or str(self.uuid)

    @property
    def number_symbol(self) -> str:
        if self.code_number and self.code_notation:
            return f"{self.code_number}/{self.code_notation}"
        return self.code_number or self.code_notation

    @property
    def is_confidential(self) -> bool:
        return self.confidentiality != Confidentiality.NORMAL

    @property
    def is_urgent(self) -> bool:
        return self.urgency != Urgency.NORMAL


class IncomingFile(models.Model):
    document = models.ForeignKey(IncomingDocument, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(_("file"), upload_to="documents/incoming/%Y/%m/")
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    pages = models.PositiveIntegerField(null=True, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("document file")
        verbose_name_plural = _("document files")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class ProcessingSheet(models.Model):
    """Phiếu giải quyết văn bản đến: the leader's direction."""

    document = models.OneToOneField(
        IncomingDocument, on_delete=models.CASCADE, related_name="sheet"
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leader"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    lead_unit = models.ForeignKey(
        "core.Unit", verbose_name=_("lead unit"), on_delete=models.PROTECT, related_name="+"
    )
    cooperating_units = models.ManyToManyField(
        "core.Unit", verbose_name=_("cooperating units"), blank=True, related_name="+"
    )
    deadline_days = models.PositiveSmallIntegerField(_("deadline (working days)"), null=True)
    due_at = models.DateTimeField(_("deadline"), null=True, blank=True)
    opinion = models.TextField(_("leader's opinion"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("processing sheet")
        verbose_name_plural = _("processing sheets")

    def __str__(self) -> str:
        return f"{self.document_id}: {self.lead_unit_id}"


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("Lead")
    COOPERATE = "cooperate", _("Cooperating")


class AssignmentStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    REASSIGNED = "reassigned", _("Reassigned")
    RETURNED = "returned", _("Returned")
    DONE = "done", _("Done")


class Assignment(models.Model):
    """A unit (and, once its head chooses, a person) handling the document."""

    document = models.ForeignKey(
        IncomingDocument, on_delete=models.CASCADE, related_name="assignments"
    )
    unit = models.ForeignKey(
        "core.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person handling"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    role = models.CharField(_("role"), max_length=10, choices=AssignmentRole.choices)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AssignmentStatus.choices,
        default=AssignmentStatus.ACTIVE,
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(_("assigned at"))
    ended_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["assigned_at", "pk"]
        indexes = [models.Index(fields=["assignee", "status"])]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.assignee_id or '-'} ({self.role})"


class ProgressNote(models.Model):
    document = models.ForeignKey(
        IncomingDocument, on_delete=models.CASCADE, related_name="progress_notes"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("progress"))
    created_at = models.DateTimeField(_("written at"))

    class Meta:
        verbose_name = _("progress note")
        verbose_name_plural = _("progress notes")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class StatusEvent(models.Model):
    """The document's history: every act, who did it, when (and the status after)."""

    document = models.ForeignKey(IncomingDocument, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=30)
    status = models.CharField(max_length=12, choices=IncomingStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField()
    note = models.CharField(max_length=1000, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["document", "at"])]

    def __str__(self) -> str:
        return f"{self.action} {self.at:%Y-%m-%d %H:%M}"


class NoticeKind(models.TextChoices):
    ARRIVED = "arrived", _("A document arrived")
    ASSIGNED = "assigned", _("A document was assigned to you")
    RECALLED = "recalled", _("A document was recalled by its sender")
    DUE_SOON = "due_soon", _("A document is due soon")
    OVERDUE = "overdue", _("A document is overdue")
    RETURNED = "returned", _("An assignment was returned")
    TO_APPROVE = "to_approve", _("An outgoing draft waits for your approval")
    SENT_BACK = "sent_back", _("An outgoing draft was sent back")


class Notice(models.Model):
    """A notice to one person about a document (shown on their document pages and
    counted on their staff dashboard). About an incoming document (``document``), or
    about another app's document (an outgoing draft), named only by ``url``: the
    other apps add notices through ``services.notify_people`` and never read this
    table."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    document = models.ForeignKey(
        IncomingDocument, on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
    url = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=10, choices=NoticeKind.choices)
    text = models.CharField(max_length=500)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(document__isnull=False) | ~models.Q(url=""),
                name="documents_notice_has_target",
            )
        ]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def link(self) -> str:
        """Where the notice leads: the incoming document's page or the given url."""
        if self.url:
            return self.url
        from django.urls import reverse

        return reverse("documents:detail", args=[self.document.uuid]) if self.document else ""
