"""The write paths of ratings and questions. Each checks who may act, validates,
runs in one transaction and writes an audit entry in it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.accounts.permissions import Perm, has_perm_in_unit
from egov.core import audit
from egov.core.models import Unit, UnitLevel
from egov.core.workcalendar import get_calendar
from egov.dossiers.models import Dossier, Status
from egov.feedback import indicators
from egov.feedback.errors import ChangeWindowClosed, InvalidFeedback, NotReturned
from egov.feedback.models import Level, Question, QuestionStatus, Rating, RatingSource
from egov.feedback.selectors import may_answer
from egov.feedback.signals import question_answered
from egov.procedures.models import Procedure, ProcedureVersion, VersionStatus


def _now() -> datetime:
    """The services' clock (tests replace it)."""
    return timezone.now()


# --- ratings -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RatingIn:
    level: int
    answers: dict[str, str] = field(default_factory=dict)
    comment: str = ""


def may_rate(user: Any, dossier: Dossier, source: str) -> bool:
    """Online: the dossier's own applicant account. At the desk: a person who
    receives dossiers at the one-stop unit that received it."""
    if not getattr(user, "is_authenticated", False):
        return False
    if source == RatingSource.ONLINE:
        return dossier.applicant_id is not None and dossier.applicant_id == user.pk
    return has_perm_in_unit(user, Perm.RECEIVE_DOSSIERS, dossier.receiving_unit)


def change_deadline(rating: Rating) -> datetime:
    return rating.rated_at + timedelta(days=settings.EGOV_FEEDBACK_CHANGE_DAYS)


def may_change(user: Any, rating: Rating, *, now: datetime | None = None) -> bool:
    """Within the change window; the applicant changes their rating, a clerk only a
    rating recorded at the desk."""
    if (now or _now()) > change_deadline(rating):
        return False
    if rating.source == RatingSource.DESK and may_rate(user, rating.dossier, RatingSource.DESK):
        return True
    return may_rate(user, rating.dossier, RatingSource.ONLINE)


def _validated(data: RatingIn) -> tuple[int, dict[str, str], str]:
    if data.level not in Level.values:
        raise InvalidFeedback(_("Choose how satisfied you are."), "level")
    answers: dict[str, str] = {}
    for item in indicators.asked_indicators():
        value = (data.answers or {}).get(item.code, "")
        if value not in {a.value for a in item.answers}:
            raise InvalidFeedback(_("Choose one answer to this question."), item.code)
        answers[item.code] = value
    comment = (data.comment or "").strip()
    if len(comment) > 2000:
        raise InvalidFeedback(_("Keep the comment under 2000 characters."), "comment")
    return data.level, answers, comment


def rate_dossier(actor: Any, dossier: Dossier, data: RatingIn, *, source: str) -> Rating:
    """Give (or, within ``EGOV_FEEDBACK_CHANGE_DAYS``, change) the rating of a
    dossier whose result was returned. The measured indicators are computed from the
    dossier here and stored with it."""
    if source not in RatingSource.values:
        raise ValueError(source)
    if not may_rate(actor, dossier, source):
        raise PermissionDenied(_("You may not rate this dossier."))
    level, answers, comment = _validated(data)
    now = _now()
    with transaction.atomic():
        locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
        if locked.status != Status.RETURNED:
            raise NotReturned(
                _("A dossier can be rated once its result has been returned to the applicant.")
            )
        existing = Rating.objects.select_for_update().filter(dossier=locked).first()
        if existing is not None and not may_change(actor, existing, now=now):
            if now > change_deadline(existing):
                raise ChangeWindowClosed(
                    _(
                        "This dossier was already rated and the rating can no longer be "
                        "changed (changes are accepted for %(days)s days)."
                    )
                    % {"days": settings.EGOV_FEEDBACK_CHANGE_DAYS}
                )
            raise PermissionDenied(_("You may not change this rating."))
        measured = indicators.measure(locked)
        scores = {
            **measured["scores"],
            **indicators.asked_scores(answers, locked.channel),
        }
        rating = existing or Rating(
            dossier=locked,
            agency=locked.receiving_agency,
            receiving_unit=locked.receiving_unit,
            procedure_id=locked.procedure_version.procedure_id,
            rated_at=now,
            source=source,
            recorded_by=actor,
        )
        before = (
            {"level": existing.level, "answers": existing.answers, "comment": existing.comment}
            if existing
            else None
        )
        rating.level = level
        rating.answers = answers
        rating.comment = comment
        rating.facts = measured["facts"]
        rating.on_time = measured["on_time"]
        for column, value in scores.items():
            setattr(rating, column, value)
        rating.updated_at = now
        if existing is not None:
            rating.changes += 1
            if comment != before["comment"]:  # type: ignore[index]
                rating.comment_published = False  # a new text needs moderating again
        rating.save()
        after = {"level": level, "answers": answers, "comment": comment}
        audit.record(
            actor=actor,
            action="feedback.change_rating" if existing else "feedback.rate",
            obj=rating,
            object_repr=locked.code,
            unit=locked.receiving_unit,
            changes=(
                {k: [before[k], after[k]] for k in after if before[k] != after[k]}
                if before
                else {"level": level, "source": source, "answers": answers}
            ),
        )
    return rating


def moderate_comment(actor: Any, rating: Rating, *, publish: bool) -> Rating:
    """Publish (or withdraw) a rating's comment on the public page."""
    if not may_answer(actor, rating.agency):
        raise PermissionDenied(_("You may not moderate the comments of this agency."))
    if publish and not rating.comment:
        raise InvalidFeedback(_("This rating has no comment."), "comment")
    with transaction.atomic():
        before = rating.comment_published
        rating.comment_published = publish
        rating.save(update_fields=["comment_published"])
        audit.record(
            actor=actor,
            action="feedback.moderate_comment",
            obj=rating,
            unit=rating.agency,
            changes={"comment_published": [before, publish]},
        )
    return rating


# --- questions -----------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionIn:
    title: str
    body: str
    name: str = ""
    email: str = ""
    phone: str = ""
    procedure: Procedure | None = None
    agency: Unit | None = None
    may_publish: bool = True


def procedure_agencies(procedure: Procedure) -> list[Unit]:
    """Agencies carrying out ``procedure`` (its published version), in tree order;
    empty when the catalogue does not restrict it."""
    version = _version_of(procedure)
    if version is None:
        return []
    return list(
        version.agencies.filter(dissolved_at__isnull=True)
        .exclude(level=UnitLevel.INTERNAL)
        .order_by("path")
    )


def _version_of(procedure: Procedure) -> ProcedureVersion | None:
    """The published version, or the newest replaced one of a withdrawn procedure."""
    versions = ProcedureVersion.objects.filter(procedure=procedure).select_related("field")
    return (
        versions.filter(status=VersionStatus.PUBLISHED).first()
        or versions.filter(status=VersionStatus.REPLACED).order_by("-number").first()
    )


def route_question(procedure: Procedure | None, agency: Unit | None) -> Unit:
    """The agency that must answer: the chosen one, which must carry out the
    procedure when one is named; the only agency of a procedure carried out by one."""
    if procedure is not None:
        agencies = procedure_agencies(procedure)
        if agency is None and len(agencies) == 1:
            return agencies[0]
        if agency is not None and agencies and agency not in agencies:
            raise InvalidFeedback(
                _("This agency does not carry out the procedure; choose one from the list."),
                "agency",
            )
    if agency is None:
        raise InvalidFeedback(_("Choose the agency your question is for."), "agency")
    if agency.dissolved_at is not None or agency.level == UnitLevel.INTERNAL:
        raise InvalidFeedback(_("Choose the agency your question is for."), "agency")
    return agency


def ask_question(actor: Any, data: QuestionIn) -> Question:
    """Record a question and route it to the agency that answers, with a deadline
    of ``EGOV_FEEDBACK_ANSWER_DAYS`` working days. ``actor`` is the signed-in
    account or ``None``; without one, a name and an e-mail or phone are required."""
    signed_in = bool(actor is not None and getattr(actor, "is_authenticated", False))
    name = (data.name or "").strip() or (actor.full_name if signed_in else "")
    email = (data.email or "").strip() or (actor.email if signed_in else "")
    phone = (data.phone or "").strip() or (actor.phone if signed_in else "")
    title, body = (data.title or "").strip(), (data.body or "").strip()
    if not title:
        raise InvalidFeedback(_("Write the subject of your question."), "title")
    if not body:
        raise InvalidFeedback(_("Write your question."), "body")
    if not name:
        raise InvalidFeedback(_("Give your name."), "name")
    if not (email or phone):
        raise InvalidFeedback(_("Give an e-mail address or a phone number."), "email")
    agency = route_question(data.procedure, data.agency)
    version = _version_of(data.procedure) if data.procedure else None
    now = _now()
    due = get_calendar().add_working_days(now, settings.EGOV_FEEDBACK_ANSWER_DAYS)
    with transaction.atomic():
        question = Question.objects.create(
            procedure=data.procedure,
            field=version.field if version else None,
            agency=agency,
            asker=actor if signed_in else None,
            asker_name=name[:255],
            asker_email=email[:254],
            asker_phone=phone[:20],
            may_publish=data.may_publish,
            title=title[:255],
            body=body,
            asked_at=now,
            due_at=due,
        )
        audit.record(
            actor=actor if signed_in else None,
            action="feedback.ask",
            obj=question,
            unit=agency,
            changes={
                "agency": agency.code,
                "procedure": data.procedure.national_code if data.procedure else None,
                "due_at": due.isoformat(),
            },
        )
    return question


def answer_question(actor: Any, question: Question, *, answer: str, publish: bool) -> Question:
    """Answer (or correct the answer to) a question of one's agency; ``publish``
    puts the question and answer in the public FAQ (staff may keep a personal
    question out of it). The first answer sends ``question_answered``."""
    if not may_answer(actor, question.agency):
        raise PermissionDenied(_("You may not answer the questions of this agency."))
    text = (answer or "").strip()
    if not text:
        raise InvalidFeedback(_("Write the answer."), "answer")
    with transaction.atomic():
        locked = Question.objects.select_for_update().get(pk=question.pk)
        first = locked.status == QuestionStatus.OPEN
        before = {"answer": locked.answer, "is_published": locked.is_published}
        locked.answer = text
        locked.is_published = publish
        locked.status = QuestionStatus.ANSWERED
        if first:
            locked.answered_at = _now()
            locked.answered_by = actor
        locked.save()
        audit.record(
            actor=actor,
            action="feedback.answer" if first else "feedback.change_answer",
            obj=locked,
            unit=locked.agency,
            changes={
                "answer": [before["answer"], text],
                "is_published": [before["is_published"], publish],
            },
        )
        if first:
            question_answered.send(sender=Question, question=locked, actor=actor)
    return locked
