"""Groups 1–4 of the 766 index, computed from the platform's own data.

Each provider reads through other apps' selectors (``dossiers.index_figures``,
``procedures.selectors``, ``payments.selectors``) and this app's sync records,
and returns :class:`~egov.quality.groups.IndicatorResult` rows. Points only where
the published description (``index-766.md``) gives an indicator's points: 2.1 = 20
points in proportion. Groups 1 (18 points) and 4 (22 points) have a published
total but no split over their indicators, and group 3 no points at all: their
rows carry ``points = max_points = None`` ("no points rule yet" on the page,
:data:`~egov.quality.groups.GROUP_MAX_POINTS` for the group's total), and the
thresholds ("full at 80 %") stay in their rule text.

1.1 and 1.2 read each version's ``publication`` (the catalogue's record of the
publishing decision and its dates) and count working days with the core
working-day calendar; 2.2 counts working time with it too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core.workcalendar import CalendarRangeError, get_calendar
from egov.dossiers import index_figures
from egov.payments import selectors as payment_selectors
from egov.procedures import selectors as procedure_selectors
from egov.procedures.models import OnlineLevel, TimeLimitUnit
from egov.quality import selectors as quality_selectors
from egov.quality.groups import IndicatorResult, Provider, proportional, share

Units = Sequence[int] | None

#: While :func:`shared_reads` is active: reads already made for this scope and period
#: (several indicators use the same counts; one index computes them once).
_READS: ContextVar[dict[tuple[Any, ...], Any] | None] = ContextVar("quality_reads", default=None)


@contextmanager
def shared_reads() -> Iterator[None]:
    token = _READS.set({})
    try:
        yield
    finally:
        _READS.reset(token)


def _once(name: str, read: Callable[..., Any], *args: Any) -> Any:
    memo = _READS.get()
    if memo is None:
        return read(*args)
    key = (name, *(tuple(a) if isinstance(a, list) else a for a in args))
    if key not in memo:
        memo[key] = read(*args)
    return memo[key]


def _by_version(
    unit_ids: Units, start: datetime, end: datetime
) -> dict[int, index_figures.DossierCounts]:
    return _once("by_version", index_figures.version_counts, unit_ids, start, end)


def _summed(unit_ids: Units, start: datetime, end: datetime) -> index_figures.DossierCounts:
    by_version = _by_version(unit_ids, start, end)
    return index_figures.dossier_counts(unit_ids, start, end, by_version=by_version)


def _counts(unit_ids: Units, start: datetime, end: datetime) -> index_figures.DossierCounts:
    return _once("counts", _summed, unit_ids, start, end)


def counts_for(unit_ids: Units, start: datetime, end: datetime) -> index_figures.DossierCounts:
    """The dossier counts of the scope and period (read once per computation)."""
    return _counts(unit_ids, start, end)


def _versions(unit_ids: Units) -> list[Any]:
    return _once(
        "versions", lambda ids: list(procedure_selectors.versions_for_units(ids)), unit_ids
    )


LOWERING_LIMIT = 50

G2_ON_TIME = Decimal(20)
#: Working days between the publishing decision and the legal basis taking effect
#: (1.1, provinces) and between the decision and the posting (1.2).
PUBLICATION_WORKING_DAYS = 5


def _dossier_links(rows: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [
        (f"{code} – {name}", reverse("dossiers_staff:detail", kwargs={"code": code}))
        for code, name in rows
    ]


def _procedure_link(version: object) -> tuple[str, str]:
    code = version.procedure.national_code  # type: ignore[attr-defined]
    return (
        f"{code} – {version.name}",  # type: ignore[attr-defined]
        reverse("procedures:detail", kwargs={"national_code": code}),
    )


def _has_fee(version: object) -> bool:
    for line in getattr(version, "fees", None) or []:
        if isinstance(line, dict) and (line.get("rule") or int(line.get("amount") or 0) > 0):
            return True
    return False


def _complete(version: object) -> bool:
    """Decree 63/2010 art. 8(2) parts the catalogue records: name, papers, time
    limit, who may apply (agency levels), agencies carrying it out, result and legal
    basis (the steps and ways to carry it out are the platform's process)."""
    return bool(
        getattr(version, "name", "")
        and getattr(version, "paper_count", 0)
        and getattr(version, "time_limit", 0)
        and getattr(version, "levels", None)
        and getattr(version, "result_type", "")
        and getattr(version, "legal_basis", "")
    )


def _period_days(start: datetime, end: datetime) -> tuple[date, date]:
    """``[start, end)`` as the local dates it covers, both included."""
    return timezone.localdate(start), timezone.localdate(end - timedelta(microseconds=1))


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _publication_rows(
    unit_ids: Units, start: datetime, end: datetime
) -> tuple[list[tuple[Any, dict[str, Any], date, date]], int]:
    """The versions of the units whose publishing decision is dated in the period,
    as ``(version, publication, decided_on, deadline)`` where ``deadline`` is the
    5th working day after the decision; and how many versions ever published have
    no decision date recorded (not counted)."""
    first, last = _period_days(start, end)
    calendar = get_calendar()
    rows: list[tuple[Any, dict[str, Any], date, date]] = []
    undated = 0
    for version in procedure_selectors.made_public_versions(unit_ids):
        publication = version.publication or {}
        decided = _day(publication.get("decided_on"))
        if decided is None:
            undated += 1
            continue
        if first <= decided <= last:
            try:
                deadline = calendar.nth_working_day_after(decided, PUBLICATION_WORKING_DAYS)
            except CalendarRangeError:  # a year the holiday tables do not cover
                undated += 1
                continue
            rows.append((version, publication, decided, deadline))
    return rows, undated


def _publication_label(version: Any, publication: dict[str, Any], what: str) -> tuple[str, str]:
    label, url = _procedure_link(version)
    decision = publication.get("decision") or "?"
    return (f"{label} ({decision}: {what})", url)


def _publication_results(
    unit_ids: Units, start: datetime, end: datetime
) -> tuple[IndicatorResult, IndicatorResult]:
    rows, undated = _once("publication", _publication_rows, unit_ids, start, end)
    late_effect: list[tuple[str, str]] = []
    late_post: list[tuple[str, str]] = []
    for version, publication, decided, deadline in rows:
        effective = _day(publication.get("effective_on"))
        posted = _day(publication.get("posted_on"))
        if effective is None or effective < deadline:
            what = (
                _("no effective date recorded")
                if effective is None
                else _("decided %(decided)s, in effect %(effective)s")
                % {"decided": f"{decided:%d/%m/%Y}", "effective": f"{effective:%d/%m/%Y}"}
            )
            late_effect.append(_publication_label(version, publication, what))
        if posted is None or posted > deadline:
            what = (
                _("not posted")
                if posted is None
                else _("decided %(decided)s, posted %(posted)s")
                % {"decided": f"{decided:%d/%m/%Y}", "posted": f"{posted:%d/%m/%Y}"}
            )
            late_post.append(_publication_label(version, publication, what))
    total = len(rows)
    on_time, posted_on_time = total - len(late_effect), total - len(late_post)
    undated_note = (
        _("%(n)s procedure versions have no publishing decision date recorded and are not counted.")
        % {"n": undated}
        if undated
        else ""
    )
    return (
        IndicatorResult(
            "1.1",
            _("Procedures published on time"),
            on_time,
            total,
            share(on_time, total),
            None,
            None,
            " ".join(
                [
                    _(
                        "Procedure versions of the units whose publishing decision is dated "
                        "in the period; on time when the legal basis takes effect on or "
                        "after the 5th working day after the decision (working-day calendar: "
                        "weekends, Tết and other holidays not counted)."
                    ),
                    undated_note,
                ]
            ).strip(),
            late_effect[:LOWERING_LIMIT],
        ),
        IndicatorResult(
            "1.2",
            _("Procedures made public on the national database within 5 working days"),
            posted_on_time,
            total,
            share(posted_on_time, total),
            None,
            None,
            " ".join(
                [
                    _(
                        "Procedure versions of the units whose publishing decision is dated "
                        "in the period, posted on the national database on or before the "
                        "5th working day after the decision; not posted counts as late."
                    ),
                    undated_note,
                ]
            ).strip(),
            late_post[:LOWERING_LIMIT],
        ),
    )


def group1(unit_ids: Units, start: datetime, end: datetime) -> list[IndicatorResult]:
    versions = _versions(unit_ids)
    incomplete = [v for v in versions if not _complete(v)]
    complete = len(versions) - len(incomplete)
    received = index_figures.received_in(unit_ids, start, end)
    total = _counts(unit_ids, start, end).received
    synced = quality_selectors.acknowledged_count(received.values("pk"))
    v13 = share(complete, len(versions))
    v14 = share(synced, total)
    return [
        *_publication_results(unit_ids, start, end),
        IndicatorResult(
            "1.3",
            _("Procedures published with every required part"),
            complete,
            len(versions),
            v13,
            None,
            None,
            _(
                "Published procedures of the units with name, papers, time limit, who "
                "may apply, result and legal basis, over all their published procedures."
            ),
            [_procedure_link(v) for v in incomplete[:LOWERING_LIMIT]],
        ),
        IndicatorResult(
            "1.4",
            _("Dossiers synchronised to the national portal"),
            synced,
            total,
            v14,
            None,
            None,
            _(
                "Dossiers received in the period whose state the national portal "
                "acknowledged, over the dossiers received."
            ),
        ),
    ]


def group2(unit_ids: Units, start: datetime, end: datetime) -> list[IndicatorResult]:
    counts = _counts(unit_ids, start, end)
    on_time = counts.received - counts.late
    value = share(on_time, counts.received)
    late = index_figures.lowering_dossiers(unit_ids, start, end, "late", LOWERING_LIMIT)
    average = average_processing_time(unit_ids, start, end)
    return [
        IndicatorResult(
            "2.1",
            _("Dossiers resolved on time"),
            on_time,
            counts.received,
            value,
            proportional(value, G2_ON_TIME),
            G2_ON_TIME,
            _(
                "Rule of the 766 index (not the one-stop statistics' rule): a dossier "
                "received in the period is late when its end of processing (result "
                "ready, else returned, else refused, stopped or withdrawn, else the "
                "supplement request it waits on, else the end of the period) is after "
                "its appointment, which already adds the time waiting for the "
                "applicant; a dossier with more than one supplement request, or with "
                "an apology letter, counts as late."
            ),
            _dossier_links(late),
        ),
        average,
    ]


def _working_average(seconds: float, count: int, unit: str, day_seconds: float) -> Decimal:
    """Average working time in the procedure's unit (working days or hours), 2 decimals."""
    per = day_seconds if unit != TimeLimitUnit.WORKING_HOURS else 3600.0
    return Decimal(seconds / count / per).quantize(Decimal("0.01"), ROUND_HALF_UP)


def average_processing_time(unit_ids: Units, start: datetime, end: datetime) -> IndicatorResult:
    """2.2: per procedure, the average working time from receipt to result ready of
    the dossiers received in the period and completed, in the procedure's own unit;
    the figure shown is the mean over the procedures in working days (hours turned
    into days by the length of a working day). Procedures whose average is over
    their legal time limit are listed."""
    totals = index_figures.working_time_totals(unit_ids, start, end)
    versions = procedure_selectors.versions_by_ids(list(totals))
    day_seconds = get_calendar().working_day_length.total_seconds()
    in_days: list[Decimal] = []
    over: list[tuple[str, str]] = []
    completed = 0
    for version_id, (count, seconds) in sorted(totals.items()):
        version = versions.get(version_id)
        if not count or version is None:
            continue
        completed += count
        in_days.append(_working_average(seconds, count, TimeLimitUnit.WORKING_DAYS, day_seconds))
        own = _working_average(seconds, count, version.time_limit_unit, day_seconds)
        if own > Decimal(version.time_limit):
            label, url = _procedure_link(version)
            unit = (
                _("working hours")
                if version.time_limit_unit == TimeLimitUnit.WORKING_HOURS
                else _("working days")
            )
            over.append(
                (
                    _("%(procedure)s: %(average)s %(unit)s on average (limit %(limit)s)")
                    % {
                        "procedure": label,
                        "average": own,
                        "unit": unit,
                        "limit": f"{Decimal(version.time_limit).normalize():f}",
                    },
                    url,
                )
            )
    value = (
        (sum(in_days, Decimal(0)) / len(in_days)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        if in_days
        else None
    )
    return IndicatorResult(
        "2.2",
        _("Average processing time (working days)"),
        completed,
        len(in_days),
        value,
        None,
        None,
        _(
            "Working time from receipt to result ready (working-day calendar: office "
            "hours, weekends, Tết and other holidays not counted) of the dossiers "
            "received in the period and completed, averaged per procedure in its own "
            "unit, then over the procedures in working days. Numerator: completed "
            "dossiers; denominator: procedures. Listed: procedures whose average is "
            "over their legal time limit."
        ),
        over[:LOWERING_LIMIT],
    )


def group3(unit_ids: Units, start: datetime, end: datetime) -> list[IndicatorResult]:
    versions = _versions(unit_ids)
    online = [v for v in versions if v.online_level >= OnlineLevel.PARTLY_ONLINE]
    offline = [v for v in versions if v.online_level < OnlineLevel.PARTLY_ONLINE]
    used = index_figures.online_versions_used(_by_version(unit_ids, start, end))
    unused = [v for v in online if v.pk not in used]
    counts = _counts(unit_ids, start, end)
    with_fee = [v for v in versions if _has_fee(v)]
    fee_offline = [v for v in with_fee if v.online_level < OnlineLevel.PARTLY_ONLINE]
    paid = payment_selectors.paid_online_count(index_figures.fee_dossier_ids(unit_ids, start, end))
    not_online = index_figures.lowering_dossiers(unit_ids, start, end, "not_online", LOWERING_LIMIT)
    v31 = share(len(online), len(versions))
    v32 = share(len(online) - len(unused), len(online))
    v33 = share(counts.online, counts.received)
    v35 = share(len(with_fee) - len(fee_offline), len(with_fee))
    v36 = share(paid, counts.with_fee)
    return [
        IndicatorResult(
            "3.1",
            _("Procedures offering online service"),
            len(online),
            len(versions),
            v31,
            None,
            None,
            _("Partly or fully online procedures over all published ones; full at 80%."),
            [_procedure_link(v) for v in offline[:LOWERING_LIMIT]],
        ),
        IndicatorResult(
            "3.2",
            _("Online services that received an online dossier"),
            len(online) - len(unused),
            len(online),
            v32,
            None,
            None,
            _("Online procedures with at least one online dossier received in the period."),
            [_procedure_link(v) for v in unused[:LOWERING_LIMIT]],
        ),
        IndicatorResult(
            "3.3",
            _("Dossiers received online"),
            counts.online,
            counts.received,
            v33,
            None,
            None,
            _("Channel 2 over all dossiers received (desk %(desk)s, post %(post)s); full at 50%%.")
            % {"desk": counts.desk, "post": counts.post},
            _dossier_links(not_online),
        ),
        IndicatorResult(
            "3.5",
            _("Procedures with fees payable online"),
            len(with_fee) - len(fee_offline),
            len(with_fee),
            v35,
            None,
            None,
            _(
                "Procedures with fees offered online (the payment gateway takes the "
                "fees of every online dossier) over procedures with fees; full at 80%."
            ),
            [_procedure_link(v) for v in fee_offline[:LOWERING_LIMIT]],
        ),
        IndicatorResult(
            "3.6",
            _("Dossiers paid online"),
            paid,
            counts.with_fee,
            v36,
            None,
            None,
            _("Dossiers with a successful online payment over dossiers with a non-zero fee."),
        ),
    ]


def group4(unit_ids: Units, start: datetime, end: datetime) -> list[IndicatorResult]:
    c = _counts(unit_ids, start, end)
    no_result = index_figures.lowering_dossiers(unit_ids, start, end, "no_e_result", LOWERING_LIMIT)
    not_reused = index_figures.lowering_dossiers(unit_ids, start, end, "not_reused", LOWERING_LIMIT)
    v41 = share(c.e_result, c.paper_result)
    v42 = share(c.digitised_and_e_result, c.received)
    v43 = share(c.reused, c.received)
    v44 = share(c.national_store, c.received)
    v45 = share(c.vneid_or_lookup, c.received)
    return [
        IndicatorResult(
            "4.1",
            _("Dossiers with an electronic result"),
            c.e_result,
            c.paper_result,
            v41,
            None,
            None,
            _("Dossiers with a result file over dossiers of procedures with a paper result."),
            _dossier_links(no_result),
        ),
        IndicatorResult(
            "4.2",
            _("Dossiers digitised with an electronic result"),
            c.digitised_and_e_result,
            c.received,
            v42,
            None,
            None,
            _("Dossiers with papers attached as files and a result file; full at 80%."),
        ),
        IndicatorResult(
            "4.3",
            _("Dossiers reusing digitised data"),
            c.reused,
            c.received,
            v43,
            None,
            None,
            _(
                "Dossiers with a paper taken from the wallet, the national store, a "
                "database lookup or a pre-filled e-form; full at 80%."
            ),
            _dossier_links(not_reused),
        ),
        IndicatorResult(
            "4.4",
            _("Dossiers linked with the national document store"),
            c.national_store,
            c.received,
            v44,
            None,
            None,
            _("Dossiers with a paper taken from the person's store on the national portal."),
        ),
        IndicatorResult(
            "4.5",
            _("Use of the population database"),
            c.vneid_or_lookup,
            c.received,
            v45,
            None,
            None,
            _(
                "Dossiers whose applicant signed in with VNeID or whose data came from "
                "a database lookup."
            ),
        ),
    ]


PROVIDERS: dict[int, Provider] = {1: group1, 2: group2, 3: group3, 4: group4}
