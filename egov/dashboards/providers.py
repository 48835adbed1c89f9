"""What the one-stop and document apps put on the staff dashboard
(``core.staff_dashboard``), registered from this app's ``ready()``: the dashboards
app sits above them all and asks each through its selectors, so none of them has to
know the dashboard exists. (The task app registers its own rows.)

Waiting rows are counted for the person (their worklists); key figures for a
leader's subtree and period. The one-stop figures come from one statistics run per
subtree and period, kept in the cache (a province-wide run reads every dossier of
the period; a past period's figures do not change, the running one's for a minute).
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from egov.accounts.permissions import Perm, has_perm_in_unit
from egov.core import staff_dashboard
from egov.core.models import Unit
from egov.core.periods import Period
from egov.documents import selectors as document_selectors
from egov.dossiers import selectors as dossier_selectors
from egov.dossiers.stats.figures import Counts, dossier_statistics
from egov.dossiers.worklists import worklists_for
from egov.outgoing import selectors as outgoing_selectors
from egov.outgoing.access import drafting_units

# --- what waits for the person -----------------------------------------------------------


def _dossier_counts(user: Any) -> tuple[int, int] | None:
    """(waiting, of which overdue) over the person's worklists: one aggregate per
    worklist, remembered on the user object for the rest of the request."""
    memo = getattr(user, "_egov_dash_dossiers", None)
    if memo is not None:
        return memo if memo != () else None
    kinds = [row.kind for row in worklists_for(user)]
    if not kinds:
        user._egov_dash_dossiers = ()
        return None
    now = timezone.now()
    total = overdue = 0
    for kind in kinds:
        row = (
            dossier_selectors.queue_for(user, kind)
            .order_by()
            .aggregate(
                total=Count("pk"), overdue=Count("pk", filter=dossier_selectors.overdue_q(now))
            )
        )
        total += row["total"] or 0
        overdue += row["overdue"] or 0
    user._egov_dash_dossiers = (total, overdue)
    return total, overdue


def dossiers_waiting(user: Any) -> int | None:
    counts = _dossier_counts(user)
    return counts[0] if counts else None


def dossiers_overdue(user: Any) -> int | None:
    counts = _dossier_counts(user)
    return counts[1] if counts else None


def documents_to_register(user: Any) -> int | None:
    if not has_perm_in_unit(user, Perm.REGISTER_DOCUMENTS, None):
        return None
    return document_selectors.queue_for(user).count()


def documents_to_direct(user: Any) -> int | None:
    if not has_perm_in_unit(user, Perm.ASSIGN_DOCUMENTS, None):
        return None
    return document_selectors.to_direct(user).count()


def documents_to_handle(user: Any) -> int | None:
    count = document_selectors.assigned_to(user).count()
    if count or has_perm_in_unit(user, Perm.ASSIGN_DOCUMENTS, None):
        return count
    return None


def outgoing_to_approve(user: Any) -> int | None:
    if not drafting_units(user).exists():
        return None
    return len(outgoing_selectors.waiting_for(user))


def outgoing_to_issue(user: Any) -> int | None:
    if not has_perm_in_unit(user, Perm.REGISTER_DOCUMENTS, None):
        return None
    return outgoing_selectors.to_issue(user).count()


# --- a leader's key figures ------------------------------------------------------------------


def _counts(unit: Unit, period: Period) -> Counts:
    """One statistics run shared by the three one-stop figures of a subtree and period
    (kept half a minute: the figures themselves are cached by the dashboard, and
    renewed by its warm-up job)."""
    key = f"dash:dossier-counts:{unit.pk}:{period.key}"
    found = cache.get(key)
    if found is None:
        found = dossier_statistics(unit, period.start, period.end, group_by=None).totals
        cache.set(key, found, 30)
    return found


def on_time_rate(unit: Unit, period: Period) -> float | None:
    share = _counts(unit, period).on_time_share
    return round(100 * share, 1) if share is not None else None


def received(unit: Unit, period: Period) -> int:
    return _counts(unit, period).received


def overdue_dossiers(unit: Unit, period: Period) -> int:
    return _counts(unit, period).in_progress_overdue


def documents_waiting(unit: Unit, period: Period) -> int:
    return document_selectors.open_counts(unit.path)["waiting"]


def documents_overdue(unit: Unit, period: Period) -> int:
    return document_selectors.open_counts(unit.path)["overdue"]


def register() -> None:
    waiting = staff_dashboard.register_waiting
    waiting(
        "dossiers.queue",
        label=_("Dossiers in my worklists"),
        order=10,
        count=dossiers_waiting,
        url_name="dossiers_staff:worklist",
    )
    waiting(
        "dossiers.overdue",
        label=_("of which overdue"),
        order=11,
        count=dossiers_overdue,
        url_name="dossiers_staff:worklist",
    )
    waiting(
        "documents.to_register",
        label=_("Incoming documents to register"),
        order=20,
        count=documents_to_register,
        url_name="documents:queue",
    )
    waiting(
        "documents.to_direct",
        label=_("Incoming documents to direct"),
        order=21,
        count=documents_to_direct,
        url_name="documents:queue",
    )
    waiting(
        "documents.to_handle",
        label=_("Incoming documents assigned to me"),
        order=22,
        count=documents_to_handle,
        url_name="documents:mine",
    )
    waiting(
        "outgoing.to_approve",
        label=_("Outgoing documents to approve or sign"),
        order=30,
        count=outgoing_to_approve,
        url_name="outgoing:worklist",
    )
    waiting(
        "outgoing.to_issue",
        label=_("Outgoing documents to number and issue"),
        order=31,
        count=outgoing_to_issue,
        url_name="outgoing:worklist",
    )
    figure = staff_dashboard.register_figure
    figure(
        "dossiers.on_time_rate",
        label=_("One-stop dossiers resolved on time"),
        order=10,
        value=on_time_rate,
        unit="%",
        better="higher",
        url_name="dossiers_stats:index",
        cache=True,
        chart=True,
    )
    figure(
        "dossiers.received",
        label=_("Dossiers received"),
        order=11,
        value=received,
        better="higher",
        url_name="dossiers_stats:index",
        cache=True,
        chart=True,
    )
    figure(
        "dossiers.overdue",
        label=_("Dossiers overdue (in progress)"),
        order=12,
        value=overdue_dossiers,
        better="lower",
        url_name="dossiers_stats:index",
        cache=True,
    )
    figure(
        "documents.waiting",
        label=_("Incoming documents waiting"),
        order=20,
        value=documents_waiting,
        better="lower",
        cache=True,
    )
    figure(
        "documents.overdue",
        label=_("Incoming documents overdue"),
        order=21,
        value=documents_overdue,
        better="lower",
        cache=True,
    )
