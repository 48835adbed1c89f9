"""Live measures of the plan's targets, each computed from the platform's own data
through the owning app's selectors, with the figures it was computed from and a
sentence saying how (shown next to the Đạt / Chưa đạt verdict).

A target names its measure by key (``Target.measure``); the table :data:`MEASURES`
maps keys to functions of the period. Province-wide: the plan is the province's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from egov.core.models import Unit
from egov.core.periods import Period
from egov.documents import selectors as document_selectors
from egov.dossiers.stats.figures import dossier_statistics
from egov.feedback import selectors as feedback_selectors
from egov.procedures import selectors as procedure_selectors
from egov.procedures.models import OnlineLevel
from egov.reporting import selectors as reporting_selectors


@dataclass(frozen=True)
class Measurement:
    value: float | None
    numerator: int
    denominator: int
    how: str


def _share(numerator: int, denominator: int) -> float | None:
    return round(100 * numerator / denominator, 1) if denominator else None


def _root() -> Unit | None:
    return Unit.objects.filter(depth=1).order_by("path").first()


def level4_share(period: Period) -> Measurement:
    versions = procedure_selectors.catalogue(published_only=True)
    total = versions.count()
    level4 = versions.filter(online_level=OnlineLevel.FULLY_ONLINE).count()
    return Measurement(
        _share(level4, total),
        level4,
        total,
        _(
            "Procedures published in the catalogue that are fully online (level 4), "
            "over all published procedures, as of today."
        ),
    )


def online_share(period: Period) -> Measurement:
    root = _root()
    if root is None:
        return Measurement(None, 0, 0, "")
    counts = dossier_statistics(root, period.start, period.end, group_by=None).totals
    return Measurement(
        _share(counts.new_online, counts.new),
        counts.new_online,
        counts.new,
        _(
            "Dossiers submitted online over all dossiers received in the period, "
            "province-wide (one-stop statistics)."
        ),
    )


def publishing_share(period: Period) -> Measurement:
    root = _root()
    if root is None:
        return Measurement(None, 0, 0, "")
    table = feedback_selectors.ratings_table(root, period)
    rows = [row for row in table.rows if not row.is_self]
    published = sum(1 for row in rows if row.figures.count)
    return Measurement(
        _share(published, len(rows)),
        published,
        len(rows),
        _(
            "Agencies (departments and districts with their subtrees) whose satisfaction "
            "figures for the period are published on the portal (at least one rating), "
            "over all of them."
        ),
    )


def electronic_share(period: Period) -> Measurement:
    root = _root()
    if root is None:
        return Measurement(None, 0, 0, "")
    counts = document_selectors.received_counts(root.path, period.start, period.end)
    return Measurement(
        _share(counts["electronic"], counts["total"]),
        counts["electronic"],
        counts["total"],
        _(
            "Incoming documents (not confidential) received electronically — from an "
            "agency on the platform or the document exchange — over all incoming "
            "documents received in the period."
        ),
    )


def sent_online_share(period: Period) -> Measurement:
    sent, reported = reporting_selectors.reports_sent_online(period.start, period.end)
    return Measurement(
        _share(sent, reported),
        sent,
        reported,
        _(
            "Periodic reports approved for periods ending in this one that were sent to the "
            "Government's reporting system, over all periodic reports approved for them."
        ),
    )


MEASURES: dict[str, Callable[[Period], Measurement]] = {
    "procedures.level4_share": level4_share,
    "dossiers.online_share": online_share,
    "feedback.publishing_share": publishing_share,
    "documents.electronic_share": electronic_share,
    "reporting.sent_online_share": sent_online_share,
}
