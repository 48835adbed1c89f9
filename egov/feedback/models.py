"""Satisfaction ratings of dossiers and the public questions-and-answers (hỏi đáp).

A :class:`Rating` is the applicant's evaluation of one dossier after its result
was returned (status 10): the overall level (Không hài lòng / Hài lòng / Rất hài
lòng) and the nine indicators the provinces use (see :mod:`egov.feedback.indicators`).
Indicators the system can measure from the dossier (time against the legal limit,
time per step, agencies involved, returned on time) are computed and stored with
the rating, never asked. One rating per dossier (database constraint).

A :class:`Question` is asked by anyone about a procedure or an agency, routed to
the agency that must answer, with a deadline in working days; once answered it
may be published in the FAQ.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from egov.procedures.text import search_key as make_search_key


class Level(models.IntegerChoices):
    UNSATISFIED = 1, _("Not satisfied (Không hài lòng)")
    SATISFIED = 2, _("Satisfied (Hài lòng)")
    VERY_SATISFIED = 3, _("Very satisfied (Rất hài lòng)")


class RatingSource(models.TextChoices):
    ONLINE = "online", _("Given online by the applicant")
    DESK = "desk", _("Recorded at the one-stop desk")


class Rating(models.Model):
    dossier = models.OneToOneField(
        "dossiers.Dossier",
        verbose_name=_("dossier"),
        on_delete=models.CASCADE,
        related_name="rating",
    )
    # Copied from the dossier so published figures never join the dossier table.
    agency = models.ForeignKey(
        "core.Unit", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+"
    )
    receiving_unit = models.ForeignKey(
        "core.Unit", verbose_name=_("one-stop unit"), on_delete=models.PROTECT, related_name="+"
    )
    procedure = models.ForeignKey(
        "procedures.Procedure",
        verbose_name=_("procedure"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    level = models.PositiveSmallIntegerField(_("overall satisfaction"), choices=Level.choices)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    facts = models.JSONField(
        _("measured facts"),
        default=dict,
        blank=True,
        help_text=_("What the system measured from the dossier when the rating was given."),
    )
    # One column per indicator (0 bad, 1 acceptable, 2 good; empty: not applicable),
    # so published averages are computed by the database.
    score_total_time = models.PositiveSmallIntegerField(null=True, blank=True)
    score_time_per_agency = models.PositiveSmallIntegerField(null=True, blank=True)
    score_contacts = models.PositiveSmallIntegerField(null=True, blank=True)
    score_agencies = models.PositiveSmallIntegerField(null=True, blank=True)
    score_one_stop = models.PositiveSmallIntegerField(null=True, blank=True)
    score_published = models.PositiveSmallIntegerField(null=True, blank=True)
    score_attitude = models.PositiveSmallIntegerField(null=True, blank=True)
    score_feedback = models.PositiveSmallIntegerField(null=True, blank=True)
    score_online = models.PositiveSmallIntegerField(null=True, blank=True)
    on_time = models.BooleanField(_("result returned on time"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    comment_published = models.BooleanField(_("comment published"), default=False)
    source = models.CharField(_("given"), max_length=10, choices=RatingSource.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    rated_at = models.DateTimeField(_("rated at"), db_index=True)
    updated_at = models.DateTimeField(_("last changed"))
    changes = models.PositiveSmallIntegerField(_("times changed"), default=0)

    class Meta:
        verbose_name = _("satisfaction rating")
        verbose_name_plural = _("satisfaction ratings")
        constraints = [
            models.UniqueConstraint(fields=["dossier"], name="feedback_one_rating_per_dossier")
        ]
        indexes = [models.Index(fields=["agency", "rated_at"])]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.get_level_display()}"


class QuestionStatus(models.TextChoices):
    OPEN = "open", _("Waiting for an answer")
    ANSWERED = "answered", _("Answered")


class Question(models.Model):
    procedure = models.ForeignKey(
        "procedures.Procedure",
        verbose_name=_("procedure"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    field = models.ForeignKey(
        "procedures.ProcedureField",
        verbose_name=_("field"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    agency = models.ForeignKey(
        "core.Unit",
        verbose_name=_("agency answering"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    asker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    asker_name = models.CharField(_("name"), max_length=255)
    asker_email = models.EmailField(_("e-mail"), blank=True)
    asker_phone = models.CharField(_("phone"), max_length=20, blank=True)
    may_publish = models.BooleanField(
        _("asker agrees to publishing"),
        default=True,
        help_text=_("The asker agreed that the question and answer be published, without name."),
    )
    title = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("question"))
    asked_at = models.DateTimeField(_("asked at"), db_index=True)
    due_at = models.DateTimeField(_("answer due"), db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=QuestionStatus.choices, default=QuestionStatus.OPEN
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    is_published = models.BooleanField(_("published in the FAQ"), default=False)
    search_key = models.TextField(_("search key"), blank=True, editable=False)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["-answered_at", "-asked_at"]
        indexes = [
            models.Index(fields=["agency", "status", "due_at"]),
            models.Index(fields=["is_published", "answered_at"]),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A derived index column (as ProcedureVersion.search_key): subject, question
        # and answer without diacritics, kept in step on every save.
        self.search_key = make_search_key(f"{self.title} {self.body} {self.answer}")
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_key"}
        super().save(*args, **kwargs)


# The complaint channel (phản ánh, kiến nghị) lives in its own module; imported here
# so Django finds its models with the app's.
from egov.feedback.complaint_models import (  # noqa: E402, F401
    Complaint,
    ComplaintAbout,
    ComplaintCategory,
    ComplaintNotice,
    ComplaintStatus,
    ComplaintVote,
    NoticeStatus,
    SenderKind,
)
