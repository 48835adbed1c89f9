"""Indicators 5.1–5.3 of the service-quality index (Quyết định 766/QĐ-TTg) from the
complaints (PAKN) of some agencies received in a period.

The population of every indicator is the complaints whose agency is one of
``unit_ids`` (pass a whole subtree for subtree figures) received between
``start`` and ``end`` (local dates, both included).

* 5.1 classified: complaints with a classification (rules/policy, procedure,
  staff behaviour, other) over all.
* 5.2 handled on time: a complaint is late when a step it went through was late —
  refused after 2 working days, first asked for more after 5, answer approved after
  15 (time waiting for the sender added), answer published more than 2 working days
  after its approval — or when, still unfinished, the period's end (or now, if
  earlier) is past the deadline it waits on (answer, or publication). A complaint
  waiting for the sender is not late on that account (the agency's clock stops).
* 5.3 satisfaction: (all − complaints disliked, late or repeated) / all, each
  complaint counted once. Disliked: its published answer has more dislikes than
  likes; repeated: it repeats an earlier complaint of the same sender on the same
  matter (same agency and procedure or dossier).

Counts are done by the database (one query per indicator and one per list).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core.periods import period_bounds
from egov.feedback.complaint_models import Complaint, ComplaintStatus


def late_q(cutoff: datetime) -> Q:
    """Complaints handled late, judged at ``cutoff`` for those not finished."""
    return (
        Q(refused_at__isnull=False, refused_at__gt=F("refuse_due_at"))
        | Q(first_more_info_at__isnull=False, first_more_info_at__gt=F("more_info_due_at"))
        | Q(answered_at__isnull=False, answered_at__gt=F("answer_due_at"))
        | Q(published_at__isnull=False, published_at__gt=F("publish_due_at"))
        | Q(status=ComplaintStatus.RECEIVED, answer_due_at__lt=cutoff)
        | Q(status=ComplaintStatus.ANSWERED, publish_due_at__lt=cutoff)
    )


def disliked_q() -> Q:
    return Q(status=ComplaintStatus.PUBLISHED, dislikes__gt=F("likes"))


def population(unit_ids: Iterable[int] | None, start: date, end: date) -> QuerySet[Complaint]:
    """Complaints received between ``start`` and ``end`` by ``unit_ids`` (``None``:
    every agency)."""
    starts_at, ends_at = period_bounds(start, end)
    qs = Complaint.objects.filter(received_at__gte=starts_at, received_at__lt=ends_at)
    return qs if unit_ids is None else qs.filter(agency_id__in=list(unit_ids))


def _lowering(qs: QuerySet[Complaint]) -> list[tuple[str, str]]:
    rows = qs.order_by("received_at", "pk").values_list("pk", "code", "title")
    return [
        (f"{code} — {title}", reverse("pakn:staff_detail", args=[pk])) for pk, code, title in rows
    ]


def pakn_indicators(
    unit_ids: Iterable[int] | None, start: date, end: date, *, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Indicators 5.1, 5.2 and 5.3 as plain data: ``code``, ``title``, ``numerator``,
    ``denominator``, ``rule`` (text) and ``lowering`` (``(label, url)`` of each
    complaint that lowered it, the staff page of the complaint)."""
    qs = population(unit_ids, start, end)
    _starts, ends_at = period_bounds(start, end)
    cutoff = min(ends_at, now or timezone.now())
    total = qs.count()
    unclassified = qs.filter(category="")
    late = qs.filter(late_q(cutoff))
    lowered = qs.filter(late_q(cutoff) | disliked_q() | Q(repeat_of__isnull=False))
    late_count = late.count()
    lowered_count = lowered.count()
    unclassified_count = unclassified.count()
    return [
        {
            "code": "5.1",
            "title": _("Feedback (PAKN) classified"),
            "numerator": total - unclassified_count,
            "denominator": total,
            "rule": _(
                "Feedback received in the period that was classified (rules and policies, "
                "administrative procedure, behaviour of officials, other) over all "
                "feedback received in the period."
            ),
            "lowering": _lowering(unclassified),
        },
        {
            "code": "5.2",
            "title": _("Feedback (PAKN) handled on time"),
            "numerator": total - late_count,
            "denominator": total,
            "rule": _(
                "Late when refused after 2 working days, first asked for more after 5, "
                "answered after 15 (time waiting for the sender added) or the answer "
                "published more than 2 working days after its approval; feedback not yet "
                "finished is judged at the end of the period (or now, if earlier); "
                "feedback waiting for the sender is not late on that account."
            ),
            "lowering": _lowering(late),
        },
        {
            "code": "5.3",
            "title": _("Satisfaction with the handling of feedback (PAKN)"),
            "numerator": total - lowered_count,
            "denominator": total,
            "rule": _(
                "(All − disliked − late − repeated) / all, each feedback counted once: "
                "disliked when its published answer has more dislikes than likes; late as "
                "in 5.2; repeated when it repeats an earlier feedback of the same sender "
                "on the same matter."
            ),
            "lowering": _lowering(lowered),
        },
    ]


def dossiers_with_pakn_or_dislike(unit_ids: Iterable[int] | None, start: date, end: date) -> int:
    """How many distinct dossiers of ``unit_ids`` (``None``: every agency) drew, between
    ``start`` and ``end`` (local dates, both included), a complaint or a "not satisfied"
    rating: the second term of indicator 5.4 (satisfaction with procedures)."""
    from egov.feedback.models import Level, Rating

    starts_at, ends_at = period_bounds(start, end)
    complaints = Complaint.objects.filter(
        dossier__isnull=False, received_at__gte=starts_at, received_at__lt=ends_at
    )
    ratings = Rating.objects.filter(
        level=Level.UNSATISFIED, rated_at__gte=starts_at, rated_at__lt=ends_at
    )
    if unit_ids is not None:
        ids = list(unit_ids)
        complaints = complaints.filter(agency_id__in=ids)
        ratings = ratings.filter(agency_id__in=ids)
    dossier_ids = set(complaints.values_list("dossier_id", flat=True))
    dossier_ids.update(ratings.values_list("dossier_id", flat=True))
    return len(dossier_ids)
