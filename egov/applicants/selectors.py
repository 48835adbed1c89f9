"""Reads of the applicant's own space: their dossiers, one dossier as its owner
sees it (history in plain words, the notes addressed to them, papers, results,
forms), and what a supplement request asks for.

Ownership is part of every query: a dossier that is not the user's is simply not
found (the views answer 404, never 403, so codes cannot be probed).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from egov.accounts.permissions import is_applicant
from egov.applicants.models import DeliveryChoice, Parcel, ParcelState
from egov.applicants.services import RESULT_STATUSES
from egov.core.formatting import local
from egov.dossiers.models import ApologyLetter, Dossier, DossierEvent, DossierPaper, Status

#: Statuses in which the applicant must do something.
ACTION_STATUSES = frozenset({Status.SUPPLEMENT_REQUESTED, Status.AWAITING_PAYMENT})

#: Each step of a dossier's history, said to its owner.
STEP_LABELS: dict[str, Any] = {
    "submit_online": _("You submitted the dossier online"),
    "receive": _("The one-stop desk received your dossier"),
    "desk_supplement_request": _(
        "Your dossier was incomplete at the desk: more papers are requested"
    ),
    "refuse_at_desk": _("The desk could not receive your dossier"),
    "accept": _("Your online dossier was accepted"),
    "refuse": _("Your dossier was not received"),
    "forward": _("Passed on to the next step of processing"),
    "send_back": _("Sent back to the previous step for review"),
    "request_supplement": _("More papers are requested from you"),
    "receive_supplement": _("Your additional papers were received"),
    "request_payment": _("Taxes and fees are requested from you"),
    "confirm_payment": _("Your payment was received"),
    "consult": _("Sent to another agency for its part"),
    "answer_consultation": _("The other agency answered"),
    "stop": _("Processing was stopped"),
    "withdraw": _("The dossier was withdrawn"),
    "result_ready": _("The result is ready"),
    "return_result": _("The result was handed over"),
    "apology": _("The agency apologised for a delay and gave a new appointment"),
}

#: Events whose note is addressed to the applicant (reasons they must know).
NOTE_FOR_APPLICANT = frozenset(
    {
        "desk_supplement_request",
        "refuse_at_desk",
        "refuse",
        "request_supplement",
        "request_payment",
        "stop",
        "withdraw",
        "apology",
        "receive_supplement",
    }
)

#: Per-dossier forms the owner may download, and the title of each.
FORM_TITLES: dict[str, Any] = {
    "01": _("Receipt and appointment slip (form 01)"),
    "02": _("Request to supplement the dossier (form 02)"),
    "03": _("Refusal to receive (form 03)"),
    "04": _("Apology letter and new appointment (form 04)"),
    "05": _("Notice of stopping (form 05)"),
}


def my_dossiers(
    user: Any, *, status: int | None = None, needs_action: bool = False
) -> QuerySet[Dossier]:
    """The user's dossiers, newest first; only those waiting for the user to act
    (papers to send, fees to pay) when ``needs_action``."""
    if not is_applicant(user):
        return Dossier.objects.none()
    qs = Dossier.objects.filter(applicant=user)
    if status is not None:
        qs = qs.filter(status=status)
    if needs_action:
        qs = qs.filter(status__in=ACTION_STATUSES)
    return qs.select_related(
        "procedure_version__procedure", "receiving_agency", "receiving_unit"
    ).order_by("-submitted_at", "-id")


def status_counts(user: Any) -> dict[int, int]:
    from django.db.models import Count

    rows = (
        Dossier.objects.filter(applicant=user)
        .values("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return dict(rows)


def my_dossier(user: Any, code: str) -> Dossier:
    """The user's dossier ``code`` with what its page shows; 404 if there is none
    or it is someone else's."""
    if not is_applicant(user):
        raise Http404
    events = DossierEvent.objects.select_related("from_unit", "to_unit").order_by("at", "id")
    dossier = (
        Dossier.objects.filter(code=code, applicant=user)
        .select_related(
            "procedure_version__procedure",
            "receiving_agency",
            "receiving_unit",
            "current_unit",
        )
        .prefetch_related(
            "papers",
            Prefetch("events", queryset=events),
            Prefetch("apologies", queryset=ApologyLetter.objects.order_by("issued_at", "id")),
        )
        .first()
    )
    if dossier is None:
        raise Http404
    return dossier


@dataclass(frozen=True)
class TimelineRow:
    at: dt.datetime
    label: str
    status: str
    status_code: int
    unit: str
    note: str = ""
    asked: tuple[str, ...] = ()
    new_due_at: dt.datetime | None = None
    amount: int | None = None


def _asked(data: dict[str, Any]) -> tuple[str, ...]:
    items: list[str] = []
    for item in data.get("missing") or []:
        name = item.get("name") if isinstance(item, dict) else str(item)
        if name:
            items.append(str(name))
    items.extend(str(item) for item in data.get("asked") or [] if item)
    return tuple(items)


def timeline(dossier: Dossier) -> list[TimelineRow]:
    """The history as the owner sees it: when, what (in plain words), where; and the
    reasons addressed to them. Never the names of officials or internal notes."""
    desk = dossier.receiving_unit.name
    rows = []
    for event in dossier.events.all():
        data = event.data or {}
        unit = event.to_unit or event.from_unit
        new_due = None
        if event.action == "apology" and data.get("new_due_at"):
            parsed = dt.datetime.fromisoformat(str(data["new_due_at"]))
            new_due = local(parsed)
        rows.append(
            TimelineRow(
                at=timezone.localtime(event.at),
                label=str(STEP_LABELS.get(event.action, Status(event.to_status).label)),
                status=str(Status(event.to_status).label),
                status_code=event.to_status,
                unit=unit.name if unit is not None else desk,
                note=event.note if event.action in NOTE_FOR_APPLICANT else "",
                asked=_asked(data)
                if event.action in ("request_supplement", "desk_supplement_request")
                else (),
                new_due_at=new_due,
                amount=data.get("amount") if event.action == "request_payment" else None,
            )
        )
    return rows


@dataclass(frozen=True)
class RequestedPaper:
    """One paper the latest supplement request asks for."""

    key: str
    name: str
    required_paper: int | None = None
    copies: int = 1
    form: str = ""


@dataclass
class SupplementRequest:
    reason: str = ""
    papers: list[RequestedPaper] = field(default_factory=list)
    at: dt.datetime | None = None


def supplement_request(dossier: Dossier) -> SupplementRequest:
    """What the latest request to supplement (status 5) asks for."""
    events = [e for e in dossier.events.all() if e.to_status == Status.SUPPLEMENT_REQUESTED]
    if not events:
        return SupplementRequest()
    event = events[-1]
    data = event.data or {}
    papers: list[RequestedPaper] = []
    for item in data.get("missing") or []:
        if not isinstance(item, dict) or not item.get("name"):
            continue
        papers.append(
            RequestedPaper(
                key=f"p{len(papers) + 1}",
                name=str(item["name"]),
                required_paper=item.get("required_paper_id"),
                copies=int(item.get("copies_required") or 1),
                form=str(item.get("form_required") or ""),
            )
        )
    for name in data.get("asked") or []:
        if name:
            papers.append(RequestedPaper(key=f"p{len(papers) + 1}", name=str(name)))
    return SupplementRequest(reason=event.note, papers=papers, at=timezone.localtime(event.at))


def own_papers(dossier: Dossier) -> list[DossierPaper]:
    return [p for p in dossier.papers.all() if not p.is_result and not p.is_draft]


def result_papers(dossier: Dossier) -> list[DossierPaper]:
    """Result documents, only once the result is ready or returned."""
    if dossier.status not in RESULT_STATUSES:
        return []
    return [p for p in dossier.papers.all() if p.is_result]


def downloadable_paper(dossier: Dossier, paper_id: int) -> DossierPaper:
    """A paper of the owner's dossier with a file: their own submission any time, a
    result document when the result is ready; else 404."""
    paper = next((p for p in dossier.papers.all() if p.pk == paper_id), None)
    # A draft of the result is internal to the agencies.
    if paper is None or not paper.file or paper.is_draft:
        raise Http404
    if paper.is_result and dossier.status not in RESULT_STATUSES:
        raise Http404
    return paper


def forms_for(dossier: Dossier) -> list[tuple[str, str]]:
    """The forms that concern the owner: receipt (01) once received, request to
    supplement (02) once one was made, refusal (03), apology letters (04),
    notice of stopping (05)."""
    actions = {event.action for event in dossier.events.all()}
    codes: list[str] = []
    if dossier.received_at is not None:
        codes.append("01")
    if actions & {"request_supplement", "desk_supplement_request"}:
        codes.append("02")
    if dossier.status == Status.REFUSED:
        codes.append("03")
    if list(dossier.apologies.all()):
        codes.append("04")
    if dossier.status == Status.STOPPED:
        codes.append("05")
    return [(code, str(FORM_TITLES[code])) for code in codes]


def delivery_of(dossier: Dossier) -> tuple[DeliveryChoice | None, Parcel | None]:
    choice = DeliveryChoice.objects.filter(dossier=dossier).first()
    parcel = Parcel.objects.filter(dossier=dossier).prefetch_related("events").first()
    return choice, parcel


def result_in_post(dossier: Dossier) -> bool:
    """Whether the dossier's result is travelling by public post (picked up, not yet
    delivered): the national portal's "posting" state."""
    return Parcel.objects.filter(
        dossier=dossier, state__in=(ParcelState.PICKED_UP, ParcelState.IN_TRANSIT)
    ).exists()


def parcel_tracking(tracking_number: str) -> dict[str, Any] | None:
    """A parcel's tracking state at the public postal service, through the postal
    adapter (:meth:`egov.applicants.postal.HttpPostalClient.track`): ``None`` for an
    unknown number; ``TransportError`` when the service did not answer,
    ``PostalError`` when it refused or post is not offered."""
    from egov.applicants import postal

    client = postal.http_client()
    if client is None:
        raise postal.PostalError("delivery by post is switched off", retry=False)
    return client.track(tracking_number)
