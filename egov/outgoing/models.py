"""Outgoing official documents (văn bản đi) under Nghị định 30/2020/NĐ-CP.

A document starts as a draft written by a specialist, goes through an approval
chain (data: :class:`ApprovalChain` → :class:`ApprovalStep`), is issued by the
records clerk (number and symbol taken at that moment), dispatched to its
recipients and may be recalled. Every change goes through ``outgoing.services``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# Urgency and confidentiality are the incoming side's choices: one vocabulary for both.
from egov.documents.models import Confidentiality, Urgency


class Authority(models.TextChoices):
    """Quyền hạn ký (Nghị định 30/2020, Phụ lục I, mục II.8)."""

    OWN = "", _("Own authority")
    ON_BEHALF = "TM.", _("TM. (on behalf of the collective)")
    DEPUTY = "KT.", _("KT. (deputy signing for the head)")
    ACTING = "Q.", _("Q. (acting head)")
    BY_ORDER = "TL.", _("TL. (by order of the head)")
    BY_AUTHORISATION = "TUQ.", _("TUQ. (by authorisation)")


class Status(models.TextChoices):
    DRAFTING = "drafting", _("Drafting")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved for signing")
    ISSUED = "issued", _("Issued")
    RECALLED = "recalled", _("Recalled")


class StepScope(models.TextChoices):
    """Where the step's role must be held."""

    DRAFTING_UNIT = "drafting_unit", _("In the drafting unit")
    UNIT = "unit", _("In the unit named by the step (e.g. the office)")
    AGENCY = "agency", _("In the issuing agency")


class ApprovalChain(models.Model):
    """Quy trình trình ký: the steps a draft goes through before it is issued.

    ``agency`` empty: the province-wide default; ``type_code`` empty: every type.
    The most specific active chain applies (agency + type, agency, type, default).
    """

    name = models.CharField(_("name"), max_length=200)
    agency = models.ForeignKey(
        "core.Unit",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    type_code = models.CharField(_("document type"), max_length=40, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("approval chain")
        verbose_name_plural = _("approval chains")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "type_code"],
                condition=models.Q(is_active=True, agency__isnull=False),
                name="outgoing_one_active_agency_chain",
            ),
            models.UniqueConstraint(
                fields=["type_code"],
                condition=models.Q(is_active=True, agency__isnull=True),
                name="outgoing_one_active_default_chain",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ApprovalStep(models.Model):
    chain = models.ForeignKey(ApprovalChain, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("name"), max_length=200)
    role_code = models.SlugField(_("acting role"), max_length=40)
    scope = models.CharField(_("where the role is held"), max_length=20, choices=StepScope.choices)
    unit = models.ForeignKey(
        "core.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Only for steps held in a named unit, such as the office (Văn phòng)."),
    )
    signs = models.BooleanField(
        _("signer's step"),
        default=False,
        help_text=_("Approving at this step approves the document for signing (the signer)."),
    )

    class Meta:
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")
        ordering = ["chain", "position"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "position"], name="outgoing_step_order")
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.name}"


class DossierPurpose(models.TextChoices):
    """What official document a one-stop dossier asks for (``services.bridge``)."""

    RESULT = "result", _("Result decision of the dossier")
    CONSULTATION = "consultation", _("Consultation letter to another agency")
    APOLOGY = "apology", _("Apology letter to the applicant")


class OutgoingDocument(models.Model):
    """One outgoing document, from the first draft to its issue, dispatch and recall."""

    reference = models.UUIDField(_("reference"), default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(
        "core.Unit", verbose_name=_("issuing agency"), on_delete=models.PROTECT, related_name="+"
    )
    drafting_unit = models.ForeignKey(
        "core.Unit", verbose_name=_("drafting unit"), on_delete=models.PROTECT, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("drafted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    type_code = models.CharField(_("document type"), max_length=40)
    type_name = models.CharField(_("type name"), max_length=100)
    type_abbreviation = models.CharField(_("type abbreviation"), max_length=10, blank=True)
    subject = models.CharField(_("summary (trích yếu)"), max_length=500)
    body = models.TextField(_("content"), blank=True)
    place = models.CharField(_("place"), max_length=150)
    urgency = models.CharField(
        _("urgency"), max_length=12, choices=Urgency.choices, default=Urgency.NORMAL
    )
    confidentiality = models.CharField(
        _("confidentiality"),
        max_length=12,
        choices=Confidentiality.choices,
        default=Confidentiality.NORMAL,
    )
    authority = models.CharField(
        _("signing authority"), max_length=5, choices=Authority.choices, blank=True
    )
    authority_of = models.CharField(
        _("on behalf of"),
        max_length=150,
        blank=True,
        help_text=_("E.g. ỦY BAN NHÂN DÂN after TM., CHỦ TỊCH after KT."),
    )
    signer_position = models.CharField(_("signer's title"), max_length=150)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    signer_name = models.CharField(_("signer's name"), max_length=150)
    copies_to = models.TextField(
        _("other recipients (Nơi nhận)"),
        blank=True,
        help_text=_("One per line, e.g. “Lưu: VT, VP.” Platform recipients are added."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFTING
    )
    chain = models.ForeignKey(
        ApprovalChain, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    step_position = models.PositiveSmallIntegerField(_("current step"), null=True, blank=True)
    lock_version = models.PositiveIntegerField(_("edit version"), default=1)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved for signing by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved for signing at"), null=True, blank=True)
    # Issue.
    register_key = models.CharField(_("register"), max_length=80, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    notation = models.CharField(_("symbol (ký hiệu)"), max_length=30, blank=True)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    digitally_signed = models.BooleanField(_("digitally signed"), default=False)
    signing_started_at = models.DateTimeField(
        _("signing started at"),
        null=True,
        blank=True,
        help_text=_("Set while the signer is asked to sign (e.g. on the phone)."),
    )
    issued_pdf = models.BinaryField(_("issued PDF"), null=True, blank=True, editable=False)
    # Recall and replacement.
    recalled_at = models.DateTimeField(_("recalled at"), null=True, blank=True)
    recalled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recalled by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recall_reason = models.TextField(_("reason for the recall"), blank=True)
    replaces = models.ForeignKey(
        "self",
        verbose_name=_("replaces"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replacements",
    )
    # The one-stop bridge: the dossier this document was drafted for.
    dossier_code = models.CharField(_("dossier"), max_length=40, blank=True, db_index=True)
    dossier_purpose = models.CharField(
        _("purpose for the dossier"), max_length=20, choices=DossierPurpose.choices, blank=True
    )
    dossier_outcome = models.CharField(
        _("what issuing did to the dossier"), max_length=500, blank=True
    )
    #: An apology letter: the new appointment it gives and the reason for the delay
    #: (issuing it moves the dossier's appointment, ``dossiers.services.issue_apology``).
    dossier_new_due_at = models.DateTimeField(_("new appointment"), null=True, blank=True)
    dossier_reason = models.TextField(_("reason for the delay"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("outgoing document")
        verbose_name_plural = _("outgoing documents")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["register_key", "year", "number"],
                condition=models.Q(number__isnull=False),
                name="outgoing_number_once_per_register_year",
            ),
            models.UniqueConstraint(
                fields=["dossier_code"],
                condition=models.Q(dossier_purpose="result") & ~models.Q(status="recalled"),
                name="outgoing_one_result_per_dossier",
            ),
        ]
        indexes = [models.Index(fields=["agency", "status", "issued_at"])]

    def __str__(self) -> str:
        return self.number_and_symbol or str(self.subject)[:80]

    @property
    def number_and_symbol(self) -> str:
        """``12/QĐ-UBND``: numbers below 10 are written with a leading zero (Phụ lục I)."""
        if self.number is None:
            return ""
        return f"{self.number:02d}/{self.notation}"

    @property
    def is_confidential(self) -> bool:
        return self.confidentiality != Confidentiality.NORMAL

    @property
    def is_frozen(self) -> bool:
        return self.status in (Status.ISSUED, Status.RECALLED)


class VersionKind(models.TextChoices):
    TEXT = "text", _("Written on the page")
    FILE = "file", _("Uploaded file")


class DraftVersion(models.Model):
    """One saved state of the draft: text written on the page or an uploaded file."""

    document = models.ForeignKey(
        OutgoingDocument, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    kind = models.CharField(_("kind"), max_length=5, choices=VersionKind.choices)
    subject = models.CharField(_("summary (trích yếu)"), max_length=500)
    body = models.TextField(_("content"), blank=True)
    file = models.FileField(_("file"), upload_to="outgoing/%Y/%m/", blank=True)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("saved at"), auto_now_add=True)

    class Meta:
        verbose_name = _("draft version")
        verbose_name_plural = _("draft versions")
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="outgoing_version_no")
        ]

    def __str__(self) -> str:
        return f"v{self.number}"


class Attachment(models.Model):
    """A document sent with an outgoing document (phụ lục, tài liệu kèm theo), a PDF
    added while drafting. When the document is issued signed, the agency signs each
    attachment too, its signature shown at the top right of the first page with the
    number, symbol and signing time (Decree 30, Phụ lục I); ``signed_pdf`` is that
    file. Unsigned issuance leaves it empty and the original is what is sent."""

    document = models.ForeignKey(
        OutgoingDocument, on_delete=models.CASCADE, related_name="attachments"
    )
    name = models.CharField(_("name"), max_length=200)
    file = models.FileField(_("file"), upload_to="outgoing/%Y/%m/")
    signed_pdf = models.BinaryField(_("signed PDF"), null=True, blank=True, editable=False)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["document", "pk"]

    def __str__(self) -> str:
        return self.name


class Comment(models.Model):
    document = models.ForeignKey(
        OutgoingDocument, on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("comment"))
    version_number = models.PositiveIntegerField(_("on version"), null=True, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["document", "created_at"]

    def __str__(self) -> str:
        return self.text[:80]


class EventKind(models.TextChoices):
    CREATED = "created", _("Draft created")
    SUBMITTED = "submitted", _("Submitted for approval")
    APPROVED = "approved", _("Approved")
    APPROVED_FOR_SIGNING = "approved_for_signing", _("Approved for signing")
    RETURNED = "returned", _("Returned for changes")
    NUMBER_RESERVED = "number_reserved", _("Number reserved for signing")
    SIGNING_FAILED = "signing_failed", _("Signing failed")
    ISSUED = "issued", _("Issued")
    DISPATCHED = "dispatched", _("Dispatched")
    DOSSIER_UPDATED = "dossier_updated", _("Put back on the dossier")
    RECALLED = "recalled", _("Recalled")


class ApprovalEvent(models.Model):
    """The approval history (who approved what, when): what the signing step shows
    until digital signatures land."""

    document = models.ForeignKey(OutgoingDocument, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=24, choices=EventKind.choices)
    step_position = models.PositiveSmallIntegerField(_("step"), null=True, blank=True)
    step_name = models.CharField(_("step name"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("approval event")
        verbose_name_plural = _("approval events")
        ordering = ["document", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.step_name}".strip()


class RecipientKind(models.TextChoices):
    PLATFORM = "platform", _("Agency on the platform")
    OUTSIDE = "outside", _("Outside the platform (document exchange)")


class DeliveryStatus(models.TextChoices):
    NOT_SENT = "not_sent", _("Not sent yet")
    DELIVERED = "delivered", _("Delivered to the recipient's queue")
    WAITING_EXCHANGE = "waiting_exchange", _("Waiting for the document exchange")
    PAPER_ONLY = "paper_only", _("Confidential: paper only, never sent electronically")
    FAILED = "failed", _("Delivery failed")
    WITHDRAWN = "withdrawn", _("Withdrawn from the recipient's queue")
    RECALLED_AFTER_REGISTRATION = (
        "recalled_registered",
        _("Recalled after the recipient registered it"),
    )


class Recipient(models.Model):
    """One addressee (Nơi nhận) and where the document stands with it."""

    document = models.ForeignKey(
        OutgoingDocument, on_delete=models.CASCADE, related_name="recipients"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=RecipientKind.choices)
    agency = models.ForeignKey(
        "core.Unit",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=255)
    organ_id = models.CharField(_("identifier code"), max_length=40, blank=True)
    delivery = models.CharField(
        _("delivery"),
        max_length=20,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.NOT_SENT,
    )
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")
        ordering = ["document", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "agency"],
                condition=models.Q(agency__isnull=False),
                name="outgoing_recipient_once",
            )
        ]

    def __str__(self) -> str:
        return self.name
