"""Feedback and petitions (phản ánh, kiến nghị — PAKN): the complaint channel.

A :class:`Complaint` is sent by a citizen or a business (signed in or not, with a
way to reach them) about a procedure, a dossier or an official/agency, and routed
to the agency responsible. Staff classify it and refuse it, ask for more, or
answer and publish the answer. Every deadline is stored as a column when the step
that starts it happens (working days, core work calendar), so worklists and the
766 index read columns, never recompute calendars.

:class:`ComplaintVote` is one like or dislike of a published answer, one per
person or browser (database constraint). :class:`ComplaintNotice` is the outbox of
notices to the sender (e-mail, SMS), sent after commit by a background job
through the notifications app's adapters.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from egov.procedures.text import search_key as make_search_key


class ComplaintAbout(models.TextChoices):
    PROCEDURE = "procedure", _("An administrative procedure")
    DOSSIER = "dossier", _("A dossier")
    OFFICIAL = "official", _("An official or an agency")


class SenderKind(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    BUSINESS = "business", _("Business or organisation")


class ComplaintCategory(models.TextChoices):
    RULES = "rules", _("Rules and policies")
    PROCEDURE = "procedure", _("Administrative procedure")
    BEHAVIOUR = "behaviour", _("Behaviour of officials")
    OTHER = "other", _("Other")


class ComplaintStatus(models.TextChoices):
    RECEIVED = "received", _("Received, being handled")
    MORE_INFO = "more_info", _("Waiting for more information from the sender")
    REFUSED = "refused", _("Refused")
    ANSWERED = "answered", _("Answered, to be published")
    PUBLISHED = "published", _("Answer published")


class Complaint(models.Model):
    code = models.CharField(_("code"), max_length=30, unique=True)
    about = models.CharField(_("about"), max_length=10, choices=ComplaintAbout.choices)
    procedure = models.ForeignKey(
        "procedures.Procedure",
        verbose_name=_("procedure"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name=_("dossier"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    official_name = models.CharField(_("official concerned"), max_length=255, blank=True)
    agency = models.ForeignKey(
        "core.Unit", verbose_name=_("agency handling"), on_delete=models.PROTECT, related_name="+"
    )
    category = models.CharField(
        _("classification"), max_length=10, choices=ComplaintCategory.choices, blank=True
    )
    classified_at = models.DateTimeField(_("classified at"), null=True, blank=True)

    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    sender_kind = models.CharField(
        _("sender is"), max_length=10, choices=SenderKind.choices, default=SenderKind.CITIZEN
    )
    sender_name = models.CharField(_("name"), max_length=255)
    sender_email = models.EmailField(_("e-mail"), blank=True)
    sender_phone = models.CharField(_("phone"), max_length=20, blank=True)
    sender_address = models.CharField(_("address"), max_length=500, blank=True)
    #: Folded e-mail/phone/account: repeated complaints of one sender are found by it.
    contact_key = models.CharField(max_length=300, blank=True, db_index=True, editable=False)
    may_publish = models.BooleanField(_("sender agrees to publishing"), default=True)
    title = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("content"))
    repeat_of = models.ForeignKey(
        "self",
        verbose_name=_("repeats"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="repeats",
    )

    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ComplaintStatus.choices,
        default=ComplaintStatus.RECEIVED,
    )
    received_at = models.DateTimeField(_("received at"), db_index=True)
    refuse_due_at = models.DateTimeField(_("refusal due"))
    more_info_due_at = models.DateTimeField(_("request for more due"))
    answer_due_at = models.DateTimeField(_("answer due"))
    publish_due_at = models.DateTimeField(_("publication due"), null=True, blank=True)
    #: The deadline the agency works to now; empty while it is the sender's turn or done.
    current_due_at = models.DateTimeField(_("next deadline"), null=True, blank=True)

    refused_at = models.DateTimeField(_("refused at"), null=True, blank=True)
    refusal_reason = models.TextField(_("reason for refusal"), blank=True)
    first_more_info_at = models.DateTimeField(_("first asked for more"), null=True, blank=True)
    more_info_at = models.DateTimeField(_("last asked for more"), null=True, blank=True)
    more_info_count = models.PositiveSmallIntegerField(_("requests for more"), default=0)
    more_info_request = models.TextField(_("what is asked"), blank=True)
    more_info_reply = models.TextField(_("sender's reply"), blank=True)
    more_info_replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answer approved at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, db_index=True)
    likes = models.PositiveIntegerField(_("likes"), default=0)
    dislikes = models.PositiveIntegerField(_("dislikes"), default=0)

    #: sha256 of the sender's follow-up secret (the secret itself is never stored).
    token_hash = models.CharField(max_length=64, editable=False)
    #: A resent form or API call with the same key returns the first complaint.
    idempotency_key = models.CharField(  # noqa: DJ001 (NULL: no key, unique only when given)
        max_length=80, null=True, blank=True, editable=False
    )
    search_key = models.TextField(blank=True, editable=False)
    version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("feedback (PAKN)")
        verbose_name_plural = _("feedback (PAKN)")
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="feedback_complaint_idempotency",
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "status", "current_due_at"]),
            models.Index(fields=["agency", "received_at"]),
            models.Index(fields=["status", "published_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.title}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # What the public page shows is what it searches: the sender's words only
        # when they agreed to their publication.
        shown = f"{self.title} {self.body} " if self.may_publish else ""
        self.search_key = make_search_key(f"{shown}{self.answer}")
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_key"}
        super().save(*args, **kwargs)


class ComplaintVote(models.Model):
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="votes")
    #: ``u:<account id>`` or ``b:<sha256 of the browser's cookie>``.
    voter_key = models.CharField(max_length=80)
    value = models.SmallIntegerField(choices=[(1, _("Like")), (-1, _("Dislike"))])
    voted_at = models.DateTimeField()

    class Meta:
        verbose_name = _("vote on an answer")
        verbose_name_plural = _("votes on answers")
        constraints = [
            models.UniqueConstraint(
                fields=["complaint", "voter_key"], name="feedback_one_vote_per_voter"
            )
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.value:+d}"


class NoticeStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed, will retry")
    DEAD = "dead", _("Given up")


class ComplaintNotice(models.Model):
    """One notice to the sender on one channel, written in the step's transaction."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="notices")
    #: ``<complaint>:<event>:<occurrence>:<channel>``: the same step never queues twice.
    key = models.CharField(max_length=120, unique=True)
    event = models.CharField(max_length=20)
    channel = models.CharField(max_length=10)
    recipient = models.CharField(max_length=254)
    subject = models.CharField(max_length=255, blank=True)
    body = models.TextField()
    status = models.CharField(
        max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notice to a sender")
        verbose_name_plural = _("notices to senders")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="feedback_notice_due")]

    def __str__(self) -> str:
        return f"{self.event} {self.channel} → {self.recipient}"
