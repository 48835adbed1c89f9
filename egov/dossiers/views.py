"""Staff pages of the one-stop system (mounted at ``/can-bo/ho-so/``).

- ``""``: the worklists (to receive, to process, to approve, to return) with
  filters, due-soon/overdue marks, pagination and bulk actions;
- ``tiep-nhan/``: the desk receipt (procedure → applicant, channel and the paper
  checklist → receive, or, when papers are missing, form 02 or form 03);
- ``<code>/``: a dossier's papers, deadlines, history, forms and the actions the
  person may take now; ``<code>/thao-tac/<action>/`` performs one.

Views are thin: reads come from :mod:`egov.dossiers.selectors` (and the few small
reads below that only shape choices for forms), every change is a function of
:mod:`egov.dossiers.services`, which checks permission and the workflow table again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from egov.accounts.decorators import staff_required
from egov.accounts.models import RoleAssignment, User
from egov.accounts.permissions import Perm, active_assignments, has_perm_in_unit
from egov.core.localized import localized_name
from egov.core.models import Unit, UnitLevel
from egov.core.selectors.units import ancestors, parent_of
from egov.dossiers import page_sections, selectors, services
from egov.dossiers.errors import IncompleteDossier, StaleDossier, TransitionNotAllowed
from egov.dossiers.models import Channel, Dossier, DossierEvent, DossierPaper, Status
from egov.dossiers.offers import Offer, offers_for
from egov.dossiers.registry import MOVES, form_papers
from egov.dossiers.services import ApplicantIn
from egov.dossiers.staff_forms import (
    BULK_ACTIONS,
    BulkForm,
    ProcedureChoiceForm,
    ReceiptForm,
    WorklistFilterForm,
)
from egov.dossiers.workflow import ACTION_LABELS, Action
from egov.dossiers.worklists import worklists_for
from egov.procedures.models import PaperForm, ProcedureVersion, RequiredPaper, VersionStatus
from egov.procedures.selectors import consult_candidates, one_stop_desk

PAGE_SIZE = 25

#: History wording for the creation events (the moves use workflow.ACTION_LABELS).
EVENT_LABELS: dict[str, Any] = {
    "receive": gettext_lazy("received at the desk"),
    "submit_online": gettext_lazy("submitted online"),
    "desk_supplement_request": gettext_lazy("incomplete at the desk: supplement requested"),
    "refuse_at_desk": gettext_lazy("refused at the desk"),
}

FORM_TITLES: dict[str, Any] = {
    "01": gettext_lazy("Receipt and appointment slip"),
    "02": gettext_lazy("Request to supplement the dossier"),
    "03": gettext_lazy("Refusal to receive"),
    "04": gettext_lazy("Apology letter and new appointment"),
    "05": gettext_lazy("Notice of stopping"),
    "06": gettext_lazy("Control sheet"),
}


def stale_message() -> str:
    return _(
        "The dossier was updated by someone else in the meantime. Below is its current "
        "state; check it and act again if still needed."
    )


# --- small reads for choices (selectors.py has no equivalent) ---------------------------


def desk_agencies(user: Any) -> list[Unit]:
    """Agencies whose desk ``user`` receives for: for each of the person's roles with
    ``dossiers.receive``, the agency of the one-stop unit (its parent when the desk is
    an internal unit), kept only if the receive permission holds at that agency's
    one-stop unit (what ``services.receive_dossier`` checks)."""
    found: dict[int, Unit] = {}
    for assignment in active_assignments(user):
        if Perm.RECEIVE_DOSSIERS not in (assignment.role.permissions or ()):
            continue
        unit = assignment.unit
        agency = unit
        if unit.level == UnitLevel.INTERNAL:
            agency = parent_of(unit) or unit
        if agency.dissolved_at is None and has_perm_in_unit(
            user, Perm.RECEIVE_DOSSIERS, one_stop_desk(agency)
        ):
            found[agency.pk] = agency
    return sorted(found.values(), key=lambda unit: unit.path)


def desk_choices(user: Any) -> list[tuple[str, str, ProcedureVersion, Unit]]:
    """``(value, label, version, agency)`` of every published procedure version the
    person's desks receive (a version without agencies is open to every agency)."""
    agencies = desk_agencies(user)
    rows: list[tuple[str, str, ProcedureVersion, Unit]] = []
    several = len(agencies) > 1
    for agency in agencies:
        versions = (
            ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED)
            .filter(Q(agencies=agency) | Q(agencies__isnull=True))
            .select_related("procedure")
            .distinct()
            .order_by("name")
        )
        for version in versions:
            label = f"{version.name} ({version.procedure.national_code})"
            if several:
                label = f"{label} – {agency.name}"
            rows.append((f"{version.pk}:{agency.pk}", label, version, agency))
    return rows


def people_for_step(unit: Unit, role_code: str) -> QuerySet[User]:
    """Active people holding ``role_code`` in ``unit`` or above it (who may act at a
    step of that unit and role)."""
    paths = [a.path for a in ancestors(unit, include_self=True)]
    ids = RoleAssignment.objects.filter(
        role__code=role_code,
        revoked_at__isnull=True,
        unit__path__in=paths,
        unit__dissolved_at__isnull=True,
    ).values("user_id")
    return User.objects.filter(pk__in=ids, is_active=True).order_by("full_name", "username")


def consult_choices(dossier: Dossier) -> QuerySet[Unit]:
    """Agencies to pass the dossier to: those usually consulted from the unit handling
    it, plus the units of the process's own liên thông steps."""
    unit = dossier.current_unit or dossier.receiving_unit
    base = unit
    if unit.level == UnitLevel.INTERNAL:
        base = parent_of(unit) or unit
    ids = set(consult_candidates(base).values_list("pk", flat=True))
    if dossier.step_position is not None:
        ids |= {step.unit.pk for step in services.plan_of(dossier)}
    ids.discard(unit.pk)
    return Unit.objects.filter(pk__in=ids, dissolved_at__isnull=True).order_by("path")


# --- worklists ---------------------------------------------------------------------------


@dataclass
class BulkResult:
    code: str
    ok: bool
    message: str


def _tabs_for(user: Any) -> list[tuple[str, Any]]:
    return [(row.kind, row.label) for row in worklists_for(user)]


def _local_bounds(day: dt.date, end: bool) -> dt.datetime:
    moment = dt.datetime.combine(day, dt.time.max if end else dt.time.min)
    return timezone.make_aware(moment)


def _queue(user: Any, tab: str, form: WorklistFilterForm, now: dt.datetime) -> QuerySet[Dossier]:
    data = form.cleaned_data if form.is_valid() else {}
    flag = data.get("flag") or ""
    filters = selectors.QueueFilters(
        status=data.get("status"),
        procedure=data.get("procedure") or None,
        overdue=True if flag == "overdue" else None,
        due_soon=True if flag == "due_soon" else None,
        search=data.get("q") or None,
    )
    qs = selectors.queue_for(user, tab, filters, now=now)
    if data.get("due_from"):
        qs = qs.filter(due_at__gte=_local_bounds(data["due_from"], end=False))
    if data.get("due_to"):
        qs = qs.filter(due_at__lte=_local_bounds(data["due_to"], end=True))
    return qs


def _bulk(user: Any, action: Action, selected: Iterable[str]) -> list[BulkResult]:
    """Run ``action`` on each ``<code>@<version>``; one failure never stops the rest."""
    results: list[BulkResult] = []
    for value in selected:
        code, _sep, version_text = value.rpartition("@")
        try:
            version = int(version_text)
            dossier = selectors.dossier_detail(code)
        except (ValueError, Dossier.DoesNotExist):
            results.append(BulkResult(code or value, False, _("Unknown dossier.")))
            continue
        if not selectors.can_view(user, dossier):
            results.append(BulkResult(code, False, _("Unknown dossier.")))
            continue
        try:
            services.perform(user, action, dossier, expected_version=version)
        except StaleDossier:
            results.append(BulkResult(code, False, stale_message()))
        except (TransitionNotAllowed, IncompleteDossier) as exc:
            results.append(BulkResult(code, False, exc.message))
        except PermissionDenied as exc:
            results.append(BulkResult(code, False, str(exc) or _("Not allowed.")))
        except ValidationError as exc:
            results.append(BulkResult(code, False, " ".join(exc.messages)))
        else:
            results.append(BulkResult(code, True, _("Done.")))
    return results


@require_http_methods(["GET", "POST"])
def _worklist(request: HttpRequest) -> HttpResponse:
    user = request.user
    tabs = _tabs_for(user)
    kinds = [kind for kind, _label in tabs]
    tab = request.GET.get("tab") or (kinds[0] if kinds else "")
    if tabs and tab not in kinds:
        raise Http404(_("Unknown worklist."))
    now = timezone.now()
    results: list[BulkResult] = []
    bulk_errors: list[str] = []
    if request.method == "POST" and tab:
        bulk = BulkForm(request.POST)
        if bulk.is_valid():
            action = Action(bulk.cleaned_data["action"])
            if action not in BULK_ACTIONS.get(tab, ()):
                bulk_errors.append(_("This action is not offered in this worklist."))
            else:
                results = _bulk(user, action, bulk.cleaned_data["selected"])
        else:
            bulk_errors = [str(m) for errors in bulk.errors.values() for m in errors]
    procedures: list[tuple[str, str]] = []
    if tab:
        procedures = sorted(
            set(
                selectors.queue_for(user, tab, now=now)
                .order_by()
                .values_list(
                    "procedure_version__procedure__national_code", "procedure_version__name"
                )
            ),
            key=lambda row: row[1],
        )
    form = WorklistFilterForm(request.GET or None, procedures=procedures)
    page = None
    counts: dict[str, int] = {}
    units: list[Unit] = []
    if tab:
        for kind in kinds:
            counts[kind] = selectors.queue_for(user, kind, now=now).count()
        queue = _queue(user, tab, form, now)
        page = Paginator(queue, PAGE_SIZE).get_page(request.GET.get("page"))
        units = selectors.holding_units(queue)
    filtered = any(request.GET.get(name) for name in form.fields)
    context = {
        "tabs": [(kind, label, counts.get(kind, 0)) for kind, label in tabs],
        "tab": tab,
        "tab_label": dict(tabs).get(tab, ""),
        "form": form,
        "filtered": filtered,
        "page": page,
        "bulk_actions": [(a.value, MOVES[a].button) for a in BULK_ACTIONS.get(tab, ())],
        "results": results,
        "results_failed": sum(1 for r in results if not r.ok),
        "bulk_errors": bulk_errors,
        "can_receive": has_perm_in_unit(user, Perm.RECEIVE_DOSSIERS, None),
        # A unit column only when the rows sit in several units; else said once.
        "show_units": len(units) > 1,
        "only_unit": units[0] if len(units) == 1 else None,
    }
    return render(request, "dossiers/staff/worklist.html", context)


# --- desk receipt ---------------------------------------------------------------------------

_APPLICANT_FIELDS = {
    "applicant.name": "applicant_name",
    "applicant.id_number": "applicant_id_number",
    "applicant.address": "applicant_address",
    "applicant.phone": "applicant_phone",
    "applicant.email": "applicant_email",
    "channel": "channel",
    "reasons": "reason",
    "reason": "reason",
    "missing": "missing_extra",
}


def _add_service_errors(
    form: Any, error: ValidationError, names: Mapping[str, str] | None = None
) -> None:
    """Put a service's ``ValidationError`` next to the matching form fields."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for key, messages_ in error.message_dict.items():
        name = (names or {}).get(key, key)
        form.add_error(name if name in form.fields else None, messages_)


def _applicant(data: Mapping[str, Any]) -> ApplicantIn:
    return ApplicantIn(
        name=data.get("applicant_name", ""),
        id_number=data.get("applicant_id_number", ""),
        address=data.get("applicant_address", ""),
        phone=data.get("applicant_phone", ""),
        email=data.get("applicant_email", ""),
    )


@require_http_methods(["GET", "POST"])
def _receipt(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not has_perm_in_unit(user, Perm.RECEIVE_DOSSIERS, None):
        raise PermissionDenied(_("Only one-stop desk staff receive dossiers."))
    rows = desk_choices(user)
    by_value = {value: (version, agency) for value, _label, version, agency in rows}
    source = request.POST if request.method == "POST" else request.GET
    choice = ProcedureChoiceForm(
        source if "procedure" in source else None,
        choices=[(value, label) for value, label, _v, _a in rows],
    )
    version: ProcedureVersion | None = None
    agency: Unit | None = None
    if choice.is_bound and choice.is_valid():
        version, agency = by_value[choice.cleaned_data["procedure"]]
    receipt: ReceiptForm | None = None
    missing: list[Any] = []
    status = 200
    if version is not None and agency is not None:
        papers = list(version.papers.order_by("position", "pk"))
        if request.method == "POST":
            receipt = ReceiptForm(request.POST, papers=papers)
            decision = request.POST.get("decision", "receive")
            if receipt.is_valid():
                outcome = _decide(request, receipt, version, agency, decision)
                if isinstance(outcome, HttpResponse):
                    return outcome
                missing = outcome
            status = 422 if (missing or receipt.errors) else 200
        else:
            receipt = ReceiptForm(papers=papers)
    context = {
        "choice": choice,
        "has_choices": bool(rows),
        "version": version,
        "agency": agency,
        "receipt": receipt,
        "missing": missing,
    }
    return render(request, "dossiers/staff/receipt.html", context, status=status)


def _decide(
    request: HttpRequest,
    receipt: ReceiptForm,
    version: ProcedureVersion,
    agency: Unit,
    decision: str,
) -> HttpResponse | list[Any]:
    """Receive, request a supplement or refuse. Returns the redirect, or the missing
    papers (empty when the error is elsewhere and already on the form)."""
    data = receipt.cleaned_data
    common: dict[str, Any] = {
        "version": version,
        "agency": agency,
        "channel": data["channel"],
        "applicant": _applicant(data),
        "papers": form_papers(receipt.papers_in()),
    }
    try:
        if decision == "supplement":
            dossier = services.request_supplement_at_desk(
                request.user,
                reason=data.get("reason", ""),
                missing=receipt.missing_extra_lines(),
                **common,
            )
            messages.success(
                request,
                _("Dossier %(code)s recorded as incomplete; give the applicant form 02.")
                % {"code": dossier.code},
            )
        elif decision == "refuse":
            dossier = services.refuse_dossier(
                request.user, reasons=data.get("reason", ""), **common
            )
            messages.success(
                request,
                _("Dossier %(code)s refused; give the applicant form 03.") % {"code": dossier.code},
            )
        else:
            dossier = services.receive_dossier(request.user, note=data.get("note", ""), **common)
            messages.success(
                request,
                _("Dossier %(code)s received; print the receipt slip (form 01).")
                % {"code": dossier.code},
            )
    except IncompleteDossier as exc:
        return exc.missing
    except ValidationError as exc:
        _add_service_errors(receipt, exc, _APPLICANT_FIELDS)
        if decision in ("supplement", "refuse"):
            # Keep the decision panel open: the papers are still incomplete.
            return services.check_papers(version, common["papers"]) or []
        return []
    except PermissionDenied as exc:
        receipt.add_error(None, str(exc))
        return []
    return redirect("dossiers_staff:detail", code=dossier.code)


# --- a dossier -----------------------------------------------------------------------------


@dataclass
class ActionPanel:
    action: str
    label: Any
    form: Any
    open: bool = False
    warning: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def _visible(user: Any, code: str) -> Dossier:
    dossier = selectors.visible_dossier(user, code)
    if dossier is None:
        # Not 403: whether a code exists is not told to those who may not see it.
        raise Http404(_("No dossier with this code."))
    return dossier


def _form_kwargs(action: Action, dossier: Dossier) -> dict[str, Any]:
    if action == Action.FORWARD:
        plan = services.plan_of(dossier)
        position = dossier.step_position or 0
        if 0 <= position < len(plan):
            step = plan[position]
            return {"people": people_for_step(step.unit, step.role_code)}
        return {"people": User.objects.none()}
    if action == Action.CONSULT:
        return {"agencies": consult_choices(dossier)}
    if action == Action.RECEIVE_SUPPLEMENT:
        return {"listed": list(dossier.procedure_version.papers.order_by("position", "pk"))}
    return {}


def _panel(
    user: Any, dossier: Dossier, offer: Offer, bound: tuple[Action, Any] | None
) -> ActionPanel:
    if bound is not None and bound[0] == offer.action:
        return ActionPanel(
            offer.action.value, offer.label, bound[1], open=True, warning=offer.warning
        )
    form = MOVES[offer.action].form(
        prefix=offer.action.value, **_form_kwargs(offer.action, dossier)
    )
    return ActionPanel(offer.action.value, offer.label, form, warning=offer.warning)


def _panels(
    user: Any, dossier: Dossier, bound: tuple[Action, Any] | None = None
) -> tuple[ActionPanel | None, list[ActionPanel]]:
    """The primary panel (the move finishing the step) and the other moves."""
    found = offers_for(user, dossier, services.inputs.now())
    primary = _panel(user, dossier, found.primary, bound) if found.primary else None
    others = [_panel(user, dossier, offer, bound) for offer in found.others]
    shown = {p.action for p in ([primary] if primary else []) + others}
    if bound is not None and bound[0].value not in shown:
        # A move refused on its form stays open even if it is no longer offered.
        others.append(ActionPanel(bound[0].value, MOVES[bound[0]].button, bound[1], open=True))
    return primary, others


#: Moves whose note is the opinion handed to the next person (shown above the
#: primary action): the specialist's recommendation, the reason for sending back.
_OPINION_ACTIONS = frozenset({Action.FORWARD, Action.SEND_BACK, Action.ANSWER_CONSULTATION})


def _latest_opinion(events: list[DossierEvent]) -> DossierEvent | None:
    for event in reversed(events):
        if event.action in _OPINION_ACTIONS and event.note.strip():
            return event
    return None


def _forms_for(dossier: Dossier, events: list[DossierEvent]) -> list[tuple[str, Any]]:
    actions = {event.action for event in events}
    codes = ["01"]
    if dossier.status == Status.SUPPLEMENT_REQUESTED or actions & {
        "request_supplement",
        "desk_supplement_request",
    }:
        codes.append("02")
    if dossier.status == Status.REFUSED:
        codes.append("03")
    if list(dossier.apologies.all()):
        codes.append("04")
    if dossier.status == Status.STOPPED:
        codes.append("05")
    codes.append("06")
    return [(code, FORM_TITLES[code]) for code in codes]


def _event_rows(events: list[DossierEvent]) -> list[dict[str, Any]]:
    rows = []
    for event in events:
        label = EVENT_LABELS.get(event.action)
        if label is None:
            try:
                label = ACTION_LABELS[Action(event.action)]
            except ValueError:
                label = event.action
        rows.append(
            {
                "event": event,
                "label": label,
                "to_status": Status(event.to_status).label,
                "asked": (event.data or {}).get("asked") or [],
            }
        )
    return rows


def _paused_hours(events: list[DossierEvent]) -> float:
    seconds = sum(int((e.data or {}).get("paused_working_seconds") or 0) for e in events)
    return round(seconds / 3600, 1)


def _detail_context(
    request: HttpRequest, dossier: Dossier, bound: tuple[Action, Any] | None = None
) -> dict[str, Any]:
    events = list(dossier.events.all())
    is_overdue, is_due_soon = selectors.flags(dossier)
    papers = list(dossier.papers.all())
    primary, others = _panels(request.user, dossier, bound)
    return {
        "dossier": dossier,
        "status_label": Status(dossier.status).label,
        "is_overdue": is_overdue,
        "is_due_soon": is_due_soon,
        "papers": _paper_rows(dossier, [p for p in papers if not (p.is_result or p.is_draft)]),
        "drafts": [p for p in papers if p.is_draft],
        "results": [p for p in papers if p.is_result],
        "events": _event_rows(events),
        "apologies": list(dossier.apologies.all()),
        "paused_hours": _paused_hours(events),
        "remaining_hours": (
            round(dossier.remaining_seconds / 3600, 1)
            if dossier.remaining_seconds is not None
            else None
        ),
        "forms": _forms_for(dossier, events),
        "primary": primary,
        "panels": others,
        "others_open": any(panel.open for panel in others),
        "opinion": _latest_opinion(events) if primary is not None else None,
        "step_name": _step_name(dossier),
        "sections": page_sections.sections_for(request.user, dossier),
    }


def _paper_rows(dossier: Dossier, papers: list[DossierPaper]) -> list[dict[str, Any]]:
    """Papers with their form in words (never the stored value such as "original")
    and whether the applicant's online declaration stands for the paper."""
    required = {
        pk: (name, name_en, is_declaration)
        for pk, name, name_en, is_declaration in RequiredPaper.objects.filter(
            pk__in=[p.required_paper_id for p in papers if p.required_paper_id]
        ).values_list("pk", "name", "name_en", "is_declaration")
    }
    declarations = {pk for pk, (_n, _e, is_declaration) in required.items() if is_declaration}
    labels = dict(PaperForm.choices)

    def shown_name(paper: DossierPaper) -> str:
        # The English name of the required paper, while the paper keeps its name.
        name, name_en, _d = required.get(paper.required_paper_id or 0, ("", "", False))
        english = name_en if name == paper.name else ""
        return localized_name({"name": paper.name, "name_en": english})

    return [
        {
            "paper": paper,
            "name": shown_name(paper),
            "form": labels.get(paper.form, paper.form),
            "declared_online": not paper.file
            and dossier.channel == Channel.ONLINE
            and paper.required_paper_id in declarations,
        }
        for paper in papers
    ]


def _step_name(dossier: Dossier) -> str:
    if dossier.step_position is None:
        return ""
    plan = services.plan_of(dossier)
    if 1 <= dossier.step_position <= len(plan):
        step = plan[dossier.step_position - 1]
        row = getattr(step, "step", None)  # the template's step: it may have an English name
        return localized_name(row) if row is not None else step.name
    return ""


@require_http_methods(["GET"])
def _detail(request: HttpRequest, code: str) -> HttpResponse:
    dossier = _visible(request.user, code)
    return render(request, "dossiers/staff/detail.html", _detail_context(request, dossier))


def _perform(user: Any, action: Action, dossier: Dossier, form: Any, version: int) -> Any:
    move = MOVES[action]
    return move.service(user, dossier, expected_version=version, **move.form_args(form))


_ACTION_FIELD_NAMES = {
    "missing_papers": "missing_papers",
    "result_papers": "result_names",
    "files": "result_files",
    "to_user": "to_user",
    "other_agency": "other_agency",
}


@require_POST
def _act(request: HttpRequest, code: str, action: str) -> HttpResponse:
    try:
        move = Action(action)
    except ValueError:
        raise Http404(_("Unknown action.")) from None
    dossier = _visible(request.user, code)
    here = reverse("dossiers_staff:detail", kwargs={"code": dossier.code})
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        messages.error(request, stale_message())
        return redirect(here)
    form = MOVES[move].form(
        request.POST, request.FILES, prefix=move.value, **_form_kwargs(move, dossier)
    )
    if version != dossier.version:
        messages.warning(request, stale_message())
        return redirect(here)
    if not form.is_valid():
        context = _detail_context(request, dossier, (move, form))
        return render(request, "dossiers/staff/detail.html", context, status=400)
    try:
        _perform(request.user, move, dossier, form, version)
    except StaleDossier:
        messages.warning(request, stale_message())
        return redirect(here)
    except TransitionNotAllowed as exc:
        messages.error(request, exc.message)
        return redirect(here)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You are not allowed to do this with this dossier."))
        return redirect(here)
    except IncompleteDossier as exc:
        form.add_error(None, exc.message)
        fresh = _visible(request.user, code)
        context = _detail_context(request, fresh, (move, form))
        return render(request, "dossiers/staff/detail.html", context, status=422)
    except ValidationError as exc:
        _add_service_errors(form, exc, _ACTION_FIELD_NAMES)
        fresh = _visible(request.user, code)
        context = _detail_context(request, fresh, (move, form))
        return render(request, "dossiers/staff/detail.html", context, status=400)
    messages.success(request, _("Done: %(action)s.") % {"action": ACTION_LABELS[move]})
    return redirect(here)


# The method checks run only for signed-in, verified staff.
worklist = staff_required(_worklist)
receipt = staff_required(_receipt)
detail = staff_required(_detail)
act = staff_required(_act)
