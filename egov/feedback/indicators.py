"""The nine indicators of the evaluation of administrative procedures, as a table.

The provinces evaluate each dossier on nine indicators (the one-stop decree's
evaluation of how procedures are resolved): (1) total time against the legal
limit, (2) time taken by each agency, (3) number of contacts needed to complete
the dossier, (4) number of agencies contacted, (5) receipt and return through the
one-stop desk, (6) procedure published in full, (7) officers' attitude,
(8) handling of feedback and complaints, (9) online service, progress and quality.

Each :class:`Indicator` row says whether it is *measured* from the dossier (the
applicant is never asked what the system knows) or *asked*, with its answer
scale: each answer carries a score 0 (bad), 1 (acceptable) or 2 (good), or
``None`` ("does not apply", left out of averages). Changing a question or scale is
editing a row, not code paths. Published figures show each indicator's average
score as a percentage of the best score.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from egov.core.models import Unit, UnitLevel
from egov.dossiers.models import Channel, Dossier, Timeliness

MAX_SCORE = 2


@dataclass(frozen=True)
class Answer:
    value: str
    label: Promise
    score: int | None


@dataclass(frozen=True)
class Indicator:
    code: str
    number: int
    name: Promise
    #: Empty for measured indicators.
    question: Promise | str = ""
    answers: tuple[Answer, ...] = ()
    measured: bool = False
    #: Asked only of dossiers received through this channel (``None``: always).
    only_channel: int | None = None

    @property
    def column(self) -> str:
        return f"score_{self.code}"

    def score_of(self, value: str) -> int | None:
        for answer in self.answers:
            if answer.value == value:
                return answer.score
        raise KeyError(value)


def _a(value: str, label: Promise, score: int | None) -> Answer:
    return Answer(value, label, score)


INDICATORS: tuple[Indicator, ...] = (
    Indicator("total_time", 1, _("Total time against the legal time limit"), measured=True),
    Indicator("time_per_agency", 2, _("Time taken by each agency"), measured=True),
    Indicator(
        "contacts",
        3,
        _("Contacts needed to complete the dossier"),
        _("How many times did you have to come or get in touch to complete your dossier?"),
        (
            _a("once", _("Once: the dossier was complete the first time"), 2),
            _a("twice", _("Twice"), 1),
            _a("more", _("Three times or more"), 0),
        ),
    ),
    Indicator("agencies", 4, _("Agencies the applicant had to deal with"), measured=True),
    Indicator(
        "one_stop",
        5,
        _("Receipt and return at the one-stop desk"),
        _(
            "Were your dossier received and your result returned through the one-stop "
            "desk (or online), without going to other offices?"
        ),
        (
            _a("yes", _("Yes, only through the one-stop desk or online"), 2),
            _a("no", _("No, I also had to go to other offices"), 0),
        ),
    ),
    Indicator(
        "published",
        6,
        _("Procedure published in full"),
        _(
            "Was the information on the procedure (papers, fees, time limit) published "
            "in full and easy to find?"
        ),
        (
            _a("full", _("Yes, complete and easy to find"), 2),
            _a("partial", _("Partly: some information was missing or hard to find"), 1),
            _a("none", _("No, I could not find it"), 0),
        ),
    ),
    Indicator(
        "attitude",
        7,
        _("Attitude of the officers"),
        _("How did the officers treat you?"),
        (
            _a("good", _("Courteous and helpful"), 2),
            _a("fair", _("Acceptable"), 1),
            _a("bad", _("Discourteous, or they caused trouble"), 0),
        ),
    ),
    Indicator(
        "feedback",
        8,
        _("Handling of feedback and complaints"),
        _("If you made a complaint or a suggestion about this dossier, how was it handled?"),
        (
            _a("good", _("Handled well and in time"), 2),
            _a("late", _("Handled late or only in part"), 1),
            _a("ignored", _("Not handled"), 0),
            _a("none", _("I made none"), None),
        ),
    ),
    Indicator(
        "online",
        9,
        _("Online service: progress and quality"),
        _("How well did the online service work (following progress, quality)?"),
        (
            _a("good", _("Well: I could follow every step"), 2),
            _a("fair", _("Acceptably"), 1),
            _a("poor", _("Poorly"), 0),
            _a("unused", _("I did not use it"), None),
        ),
    ),
)

BY_CODE: dict[str, Indicator] = {item.code: item for item in INDICATORS}
SCORE_COLUMNS: tuple[str, ...] = tuple(item.column for item in INDICATORS)


def asked_indicators() -> list[Indicator]:
    return [item for item in INDICATORS if not item.measured]


# --- measured indicators -------------------------------------------------------------


def _agency_of(unit: Unit | None, parents: Mapping[str, Unit]) -> Unit | None:
    """An internal unit (division, desk) counts as its agency."""
    if unit is None:
        return None
    if unit.level == UnitLevel.INTERNAL:
        return parents.get(unit.path[: -Unit.steplen], unit)
    return unit


def measure(dossier: Dossier) -> dict[str, Any]:
    """Facts the system knows about a returned dossier and the scores of the
    measured indicators (``score_<code>`` keys), for storing with the rating."""
    from egov.core.workcalendar import get_calendar
    from egov.procedures.selectors import time_limit_hours, working_day_hours

    calendar = get_calendar()
    facts: dict[str, Any] = {"channel": dossier.channel}
    scores: dict[str, int | None] = {}

    # (1) total time against the limit, and returned on time.
    limit_hours = time_limit_hours(dossier.procedure_version)
    facts["limit_hours"] = str(limit_hours)
    taken: Decimal | None = None
    if dossier.received_at and dossier.resolved_at:
        seconds = calendar.working_time_between(
            dossier.received_at, dossier.resolved_at
        ).total_seconds()
        taken = (Decimal(seconds) / Decimal(3600)).quantize(Decimal("0.01"))
        facts["taken_hours"] = str(taken)
        day = working_day_hours()
        facts["taken_days"] = str((taken / day).quantize(Decimal("0.1"))) if day else None
    timeliness = dossier.timeliness
    if not timeliness and dossier.resolved_at and dossier.due_at:
        timeliness = Timeliness.LATE if dossier.resolved_at > dossier.due_at else Timeliness.ON_TIME
    facts["timeliness"] = timeliness or ""
    scores["score_total_time"] = {
        Timeliness.EARLY: 2,
        Timeliness.ON_TIME: 1,
        Timeliness.LATE: 0,
    }.get(timeliness)  # type: ignore[call-overload]
    on_time: bool | None = None
    if dossier.returned_at and dossier.due_at:
        on_time = timeliness != Timeliness.LATE and dossier.returned_at <= _latest(dossier)
    elif timeliness:
        on_time = timeliness != Timeliness.LATE
    facts["on_time"] = on_time

    # (2) time per agency: steps finished after their own due moment.
    events = list(dossier.events.select_related("from_unit", "to_unit").order_by("at", "id"))
    late_steps = 0
    counted_steps = 0
    for current, following in itertools.pairwise(events):
        if current.step_due_at is None:
            continue
        counted_steps += 1
        if following.at > current.step_due_at:
            late_steps += 1
    facts["steps"] = counted_steps
    facts["late_steps"] = late_steps
    scores["score_time_per_agency"] = (
        None if not counted_steps else 2 if late_steps == 0 else 1 if late_steps == 1 else 0
    )

    # (4) agencies involved, from the dossier's events (internal units → their agency).
    units: list[Unit] = [dossier.receiving_agency]
    for event in events:
        units.extend(u for u in (event.from_unit, event.to_unit) if u is not None)
    parent_paths = {u.path[: -Unit.steplen] for u in units if u.level == UnitLevel.INTERNAL}
    parents = {u.path: u for u in Unit.objects.filter(path__in=parent_paths)}
    agencies = {a.pk for a in (_agency_of(u, parents) for u in units) if a is not None}
    facts["agencies"] = len(agencies)
    scores["score_agencies"] = 2 if len(agencies) <= 1 else 1 if len(agencies) == 2 else 0

    # For (3): requests to supplement the system recorded (the applicant is asked too).
    facts["supplement_requests"] = sum(
        1 for e in events if e.action in ("request_supplement", "desk_supplement_request")
    )
    return {"facts": facts, "scores": scores, "on_time": on_time}


def _latest(dossier: Dossier) -> datetime:
    """The appointment the result had to be returned by (due day, end of day)."""
    from django.utils import timezone

    assert dossier.due_at is not None
    local = timezone.localtime(dossier.due_at)
    return local.replace(hour=23, minute=59, second=59)


def asked_scores(answers: Mapping[str, str], channel: int) -> dict[str, int | None]:
    """``score_<code>`` of each asked indicator from the applicant's answers."""
    scores: dict[str, int | None] = {}
    for item in asked_indicators():
        value = answers.get(item.code)
        if value is None or (item.only_channel and item.only_channel != channel):
            scores[item.column] = None
            continue
        scores[item.column] = item.score_of(value)
    return scores


ONLINE_CHANNEL = Channel.ONLINE
