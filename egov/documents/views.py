"""Staff pages of incoming documents (mounted at ``/van-ban/den/``).

Thin: reads come from :mod:`egov.documents.selectors`, every change is one call of
:mod:`egov.documents.services`, which checks permission and state again. Seeing a
document and downloading its files are written to the audit log.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from egov.accounts.decorators import staff_required
from egov.accounts.models import User
from egov.accounts.permissions import Perm, units_with_perm
from egov.core import audit
from egov.core.errors import DomainError
from egov.core.formatting import local
from egov.core.models import Unit, UnitLevel
from egov.core.selectors.units import subtree
from egov.documents import access, registers, selectors, services
from egov.documents.contract import ReceiptStatusCode
from egov.documents.errors import LikelyDuplicate, StaleDocument
from egov.documents.forms import (
    AnswerForm,
    PeriodForm,
    PersonForm,
    PresentForm,
    ReasonForm,
    ReassignForm,
    RegisterForm,
    ResolveForm,
    ScanForm,
    SearchForm,
    SheetForm,
    TextForm,
)
from egov.documents.models import (
    Assignment,
    AssignmentStatus,
    IncomingDocument,
    IncomingFile,
    IncomingStatus,
)
from egov.documents.suggest import suggest

PAGE_SIZE = 25

ACTION_LABELS = {
    "received": gettext_lazy("received"),
    "delivered": gettext_lazy("delivered by the sender"),
    "registered": gettext_lazy("registered"),
    "presented": gettext_lazy("presented to the leader"),
    "assigned": gettext_lazy("assigned (processing sheet)"),
    "handed_out": gettext_lazy("handed to a person"),
    "reassigned": gettext_lazy("reassigned"),
    "assignment_returned": gettext_lazy("assignment returned"),
    "progress": gettext_lazy("progress noted"),
    "answer_linked": gettext_lazy("answering document linked"),
    "resolved": gettext_lazy("resolved"),
    "returned": gettext_lazy("returned to the sender"),
    "withdrawn": gettext_lazy("withdrawn by the sender"),
    "recalled": gettext_lazy("recalled by the sender"),
    "edited": gettext_lazy("details corrected"),
    "reader_named": gettext_lazy("reader named"),
    "signatures_checked": gettext_lazy("digital signatures checked"),
}


RECEIPT_LABELS = {
    ReceiptStatusCode.RECEIVED: gettext_lazy("received"),
    ReceiptStatusCode.REGISTERED: gettext_lazy("registered"),
    ReceiptStatusCode.ASSIGNED: gettext_lazy("assigned"),
    ReceiptStatusCode.PROCESSING: gettext_lazy("being handled"),
    ReceiptStatusCode.DONE: gettext_lazy("resolved"),
    ReceiptStatusCode.RETURNED: gettext_lazy("returned to the sender"),
    ReceiptStatusCode.WITHDRAWN: gettext_lazy("withdrawn by the sender"),
}


def _agencies(user: Any, *perms: str) -> Any:
    """The agencies (not internal units) where ``user`` holds one of ``perms``."""
    ids: set[int] = set()
    for perm in perms:
        ids |= set(units_with_perm(user, perm).values_list("pk", flat=True))
    return (
        Unit.objects.filter(pk__in=ids, dissolved_at__isnull=True)
        .exclude(level=UnitLevel.INTERNAL)
        .order_by("path")
    )


def _leaders(agency: Unit) -> Any:
    return User.objects.filter(
        pk__in=[u.pk for u in services.common.people_with(Perm.ASSIGN_DOCUMENTS, agency)]
    ).order_by("full_name")


def _agency_units(agency: Unit) -> Any:
    """The agency itself (a commune has no divisions) and its internal units."""
    units = subtree(agency).filter(level=UnitLevel.INTERNAL) | Unit.objects.filter(pk=agency.pk)
    return units.filter(dissolved_at__isnull=True).order_by("path")


def _agency_people(agency: Unit) -> Any:
    from egov.accounts.models import RoleAssignment

    ids = RoleAssignment.objects.filter(
        unit__in=subtree(agency), revoked_at__isnull=True, user__is_active=True
    ).values("user_id")
    return User.objects.filter(pk__in=ids).order_by("full_name")


def _audit_view(
    request: HttpRequest, document: IncomingDocument, action: str, **extra: Any
) -> None:
    with transaction.atomic():
        audit.record(
            actor=request.user,
            action=action,
            obj=document,
            unit=document.recipient_agency,
            changes=extra or None,
        )


def _page(request: HttpRequest, qs: Any) -> Any:
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


# --- worklists ----------------------------------------------------------------------


@staff_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """The hub: what waits for this person (to register, to direct, assigned), notices."""
    user = request.user
    tabs = []
    if access.may_register_anywhere(user):
        tabs.append(("queue", _("To register"), selectors.queue_for(user)))
    if units_with_perm(user, Perm.ASSIGN_DOCUMENTS).exists():
        tabs.append(("direct", _("To direct"), selectors.to_direct(user)))
    tabs.append(("mine", _("Assigned to me"), selectors.assigned_to(user)))
    tab = request.GET.get("tab") or tabs[0][0]
    current = next((t for t in tabs if t[0] == tab), tabs[0])
    now = timezone.now()
    page = _page(request, current[2])
    overdue_ids = set(selectors.overdue(current[2], now).values_list("pk", flat=True))
    soon_ids = set(selectors.due_soon(current[2], now).values_list("pk", flat=True))
    return render(
        request,
        "documents/queue.html",
        {
            "tabs": [(kind, label, qs.count()) for kind, label, qs in tabs],
            "tab": current[0],
            "tab_label": current[1],
            "page": page,
            "overdue_ids": overdue_ids,
            "soon_ids": soon_ids,
            "notices": selectors.notices_for(user)[:10],
            "may_receive": access.may_register_anywhere(user),
            "search_form": SearchForm(),
        },
    )


@staff_required
@require_POST
def read_notices(request: HttpRequest) -> HttpResponse:
    services.mark_notices_read(request.user)
    return redirect("documents:queue")


@staff_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    user = request.user
    qs = selectors.assigned_to(user, include_done=request.GET.get("all") == "1")
    now = timezone.now()
    return render(
        request,
        "documents/mine.html",
        {
            "page": _page(request, qs),
            "overdue_ids": set(selectors.overdue(qs, now).values_list("pk", flat=True)),
            "soon_ids": set(selectors.due_soon(qs, now).values_list("pk", flat=True)),
            "show_all": request.GET.get("all") == "1",
        },
    )


@staff_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    query = form.data.get("q", "") if form.is_valid() else ""
    results = selectors.search(request.user, query) if query.strip() else None
    return render(
        request,
        "documents/search.html",
        {
            "form": form,
            "query": query,
            "page": _page(request, results) if results is not None else None,
        },
    )


# --- receipt and registration -------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def receive(request: HttpRequest) -> HttpResponse:
    agencies = _agencies(request.user, Perm.REGISTER_DOCUMENTS)
    if not agencies:
        raise PermissionDenied(_("Only a records clerk receives documents."))
    form = ScanForm(request.POST or None, request.FILES or None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        try:
            document = services.receive_scan(
                agency=form.cleaned_data["agency"],
                files=[(f.name, f.read(), f.content_type or "") for f in form.cleaned_data["scan"]],
                actor=request.user,
            )
        except DomainError as error:
            form.add_error("scan", error.message)
        else:
            messages.success(
                request, _("The scan was received. Check the details and register it.")
            )
            return redirect("documents:register", document.uuid)
    return render(request, "documents/receive.html", {"form": form})


def _document(request: HttpRequest, ref: str) -> IncomingDocument:
    return selectors.detail(request.user, str(ref))


@staff_required
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, ref: str) -> HttpResponse:
    """The register form beside the recognised text of the scan."""
    document = _document(request, ref)
    access.require_register(request.user, document)
    leaders = _leaders(document.recipient_agency)
    initial = RegisterForm.initial_for(document)
    guessed = {
        name: value for name, value in suggest(document.ocr_text).items() if not initial.get(name)
    }
    initial.update(guessed)
    form = RegisterForm(request.POST or None, leaders=leaders, initial=initial)
    duplicates: list[IncomingDocument] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.register(
                document,
                actor=request.user,
                metadata=form.metadata(),
                confirm_duplicate=data["confirm_duplicate"],
                present_to=data["present_to"],
                expected_version=data["version"],
            )
        except LikelyDuplicate as warning:
            duplicates = warning.duplicates
            form.add_error(None, warning.message)
        except StaleDocument as stale:
            messages.error(request, stale.message)
            return redirect("documents:register", document.uuid)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Registered."))
            return redirect("documents:detail", document.uuid)
    elif request.method == "GET" and document.status != IncomingStatus.RECEIVED:
        return redirect("documents:detail", document.uuid)
    _audit_view(request, document, "documents.view")
    return render(
        request,
        "documents/register.html",
        {
            "document": document,
            "form": form,
            "duplicates": duplicates,
            "guessed": bool(guessed) and request.method == "GET",
            "files": list(document.files.all()),
        },
    )


# --- the document page and its actions ----------------------------------------------


@staff_required
@require_GET
def detail(request: HttpRequest, ref: str) -> HttpResponse:
    document = _document(request, ref)
    _audit_view(request, document, "documents.view")
    user = request.user
    agency = document.recipient_agency
    is_clerk = access.may_register(user, agency)
    is_leader = access.may_direct(user, agency)
    active = list(
        document.assignments.filter(status=AssignmentStatus.ACTIVE).select_related(
            "unit", "assignee"
        )
    )
    mine = [a for a in active if a.assignee_id == user.pk]
    heads = [a for a in active if a.assignee_id is None and access.may_hand_out(user, a)]
    handling = (
        bool(mine or heads or is_leader)
        and document.status
        in (
            IncomingStatus.ASSIGNED,
            IncomingStatus.PROCESSING,
        )
        and document.recalled_at is None
    )
    units = _agency_units(agency)
    people = _agency_people(agency)
    v = {"version": document.version}
    return render(
        request,
        "documents/detail.html",
        {
            "document": document,
            "stamp": registers.stamp(document),
            "files": list(document.files.all()),
            "events": [
                (e, ACTION_LABELS.get(e.action, e.action))
                for e in document.events.select_related("actor")
            ],
            "assignments": document.assignments.select_related("unit", "assignee", "assigned_by"),
            "notes": document.progress_notes.select_related("author"),
            "sheet": getattr(document, "sheet", None),
            "receipt": RECEIPT_LABELS[selectors.receipt_status(document).status]
            if document.source_ref
            else None,
            "can_register": is_clerk and document.status == IncomingStatus.RECEIVED,
            "can_present": is_clerk
            and document.status in (IncomingStatus.REGISTERED, IncomingStatus.PRESENTED)
            and not document.recalled_at,
            "can_direct": is_leader
            and document.status
            in (IncomingStatus.REGISTERED, IncomingStatus.PRESENTED, IncomingStatus.ASSIGNED)
            and not document.recalled_at,
            "present_form": PresentForm(initial=v, leaders=_leaders(agency)),
            "return_form": ReasonForm(initial=v),
            "handling": handling,
            "mine": mine,
            "heads": [
                (
                    a,
                    PersonForm(initial={"assignment": a.pk}, people=people),
                    ReassignForm(initial={"assignment": a.pk}, units=units, people=people),
                )
                for a in heads
            ],
            "progress_form": TextForm(),
            "answer_form": AnswerForm(
                initial={
                    "reference": document.answer_reference,
                    "notation": document.answer_notation,
                }
            ),
            "resolve_form": ResolveForm(initial=v),
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def sheet(request: HttpRequest, ref: str) -> HttpResponse:
    """The processing sheet (phiếu giải quyết): the leader's direction, phone-sized."""
    document = _document(request, ref)
    access.require_direct(request.user, document)
    agency = document.recipient_agency
    current = getattr(document, "sheet", None)
    initial: dict[str, Any] = {"version": document.version}
    if current is not None:
        initial.update(
            lead_unit=current.lead_unit_id,
            deadline_days=current.deadline_days,
            opinion=current.opinion,
            cooperating_units=list(current.cooperating_units.values_list("pk", flat=True)),
        )
    form = SheetForm(
        request.POST or None,
        units=_agency_units(agency),
        people=_agency_people(agency),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.assign(
                document,
                actor=request.user,
                lead_unit=data["lead_unit"],
                cooperating_units=list(data["cooperating_units"]),
                deadline_days=data["deadline_days"],
                opinion=data["opinion"],
                lead_person=data["lead_person"],
                expected_version=data["version"],
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Assigned."))
            return redirect("documents:detail", document.uuid)
    _audit_view(request, document, "documents.view")
    return render(
        request,
        "documents/sheet.html",
        {
            "document": document,
            "form": form,
            "files": list(document.files.all()),
        },
    )


def _assignment(document: IncomingDocument, pk: Any) -> Assignment:
    try:
        return get_object_or_404(Assignment, pk=int(pk), document=document)
    except (TypeError, ValueError):
        raise Http404 from None


@staff_required
@require_POST
def act(request: HttpRequest, ref: str, action: str) -> HttpResponse:
    """One action from the document page; the service decides whether it is allowed."""
    document = _document(request, ref)
    user = request.user
    post = request.POST
    agency = document.recipient_agency
    try:
        if action == "present":
            form: Any = PresentForm(post, leaders=_leaders(agency))
            if form.is_valid():
                services.present(
                    document,
                    leader=form.cleaned_data["leader"],
                    actor=user,
                    expected_version=form.cleaned_data["version"],
                )
        elif action == "return-to-sender":
            form = ReasonForm(post)
            if form.is_valid():
                services.return_to_sender(
                    document,
                    actor=user,
                    reason=form.cleaned_data["reason"],
                    expected_version=form.cleaned_data["version"],
                )
        elif action == "hand-out":
            form = PersonForm(post, people=_agency_people(agency))
            if form.is_valid():
                services.hand_out(
                    _assignment(document, form.cleaned_data["assignment"]),
                    person=form.cleaned_data["person"],
                    actor=user,
                )
        elif action == "reassign":
            form = ReassignForm(post, units=_agency_units(agency), people=_agency_people(agency))
            if form.is_valid():
                data = form.cleaned_data
                services.reassign(
                    _assignment(document, data["assignment"]),
                    actor=user,
                    unit=data["unit"],
                    person=data["person"],
                    note=data["note"],
                )
        elif action == "return-assignment":
            form = ReasonForm(post)
            if form.is_valid():
                services.return_assignment(
                    _assignment(document, form.cleaned_data["assignment"]),
                    actor=user,
                    reason=form.cleaned_data["reason"],
                )
        elif action == "progress":
            form = TextForm(post)
            if form.is_valid():
                services.add_progress_note(document, actor=user, text=form.cleaned_data["text"])
        elif action == "answer":
            form = AnswerForm(post)
            if form.is_valid():
                services.link_answer(
                    document,
                    actor=user,
                    reference=form.cleaned_data["reference"],
                    notation=form.cleaned_data["notation"],
                )
        elif action == "resolve":
            form = ResolveForm(post)
            if form.is_valid():
                services.resolve(
                    document,
                    actor=user,
                    resolution=form.cleaned_data["resolution"],
                    expected_version=form.cleaned_data["version"],
                )
        else:
            raise Http404
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if form.is_valid():
            messages.success(request, _("Done."))
        else:
            errors = [str(e) for errs in form.errors.values() for e in errs]
            messages.error(request, " ".join(errors))
    return redirect("documents:detail", document.uuid)


@require_GET
def _download(request: HttpRequest, ref: str, file_id: int) -> FileResponse:
    document = _document(request, ref)
    stored = get_object_or_404(IncomingFile, pk=file_id, document=document)
    _audit_view(request, document, "documents.download", file=stored.pk)
    try:
        handle = stored.file.open("rb")
    except OSError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=request.GET.get("inline") != "1",
        filename=stored.name,
        content_type=stored.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


download = staff_required(cast("Callable[..., HttpResponse]", _download))


@staff_required
@require_GET
def signatures(request: HttpRequest, ref: str) -> HttpResponse:
    """The full report of the digital signatures checked when the document arrived."""
    document = _document(request, ref)
    _audit_view(request, document, "documents.view_signatures")
    return render(
        request,
        "documents/signatures.html",
        {"document": document, "results": document.signature_reports},
    )


# --- registers ----------------------------------------------------------------------


def _period(request: HttpRequest, agencies: Any) -> tuple[PeriodForm, Any]:
    today = local(timezone.now()).date()
    # A submitted period: the three date boxes (start_0…2) or a single ISO value.
    asked = any(key == "start" or key.startswith("start_") for key in request.GET)
    data = request.GET.copy() if asked else None
    form = PeriodForm(
        data,
        agencies=agencies,
        initial={
            "agency": agencies[0].pk if agencies else None,
            "start": today.replace(day=1),
            "end": today,
        },
    )
    if data is None:
        return form, (agencies[0], today.replace(day=1), today, False) if agencies else None
    if form.is_valid():
        d = form.cleaned_data
        return form, (d["agency"], d["start"], d["end"], d["confidential"])
    return form, None


def _register_page(request: HttpRequest, *, follow_up: bool) -> HttpResponse:
    from egov.documents import exports

    user = request.user
    agencies = _agencies(user, Perm.REGISTER_DOCUMENTS, Perm.ASSIGN_DOCUMENTS)
    if not agencies:
        raise PermissionDenied(_("Only records clerks and leaders keep the registers."))
    form, chosen = _period(request, agencies)
    title = "Sổ theo dõi giải quyết văn bản đến" if follow_up else "Sổ đăng ký văn bản đến"
    columns = registers.FOLLOW_UP_COLUMNS if follow_up else registers.INCOMING_COLUMNS
    rows: list[list[str]] = []
    if chosen is not None:
        agency, start, end, confidential = chosen
        documents = selectors.registered_between(
            user, agency, start, end, confidential=confidential
        )
        if follow_up:
            documents = documents.prefetch_related("progress_notes")
        rows = (registers.follow_up_rows if follow_up else registers.incoming_rows)(documents)
        fmt = request.GET.get("format")
        if fmt in ("pdf", "xlsx"):
            with transaction.atomic():
                audit.record(
                    actor=user,
                    action=f"documents.register_{fmt}",
                    unit=agency,
                    object_type="documents.register",
                    object_repr=title,
                    changes={"start": str(start), "end": str(end)},
                )
            build = exports.register_pdf if fmt == "pdf" else exports.register_xlsx
            content = build(title, agency.name, start, end, columns, rows, follow_up=follow_up)
            stem = "so-theo-doi" if follow_up else "so-van-ban-den"
            name = f"{stem}-{start:%Y%m%d}-{end:%Y%m%d}.{fmt}"
            response = HttpResponse(
                content,
                content_type=(
                    "application/pdf"
                    if fmt == "pdf"
                    else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                ),
            )
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            response["Cache-Control"] = "private, no-store"
            return response
    query = request.GET.copy()
    query.pop("format", None)
    return render(
        request,
        "documents/register_book.html",
        {
            "title": title,
            "form": form,
            "columns": columns,
            "rows": rows,
            # Each cell with its column's name: the phone's stacked cards label them.
            "labelled_rows": [list(zip(columns, row, strict=False)) for row in rows],
            "follow_up": follow_up,
            "query": query.urlencode(),
        },
    )


@staff_required
@require_GET
def register_book(request: HttpRequest) -> HttpResponse:
    return _register_page(request, follow_up=False)


@staff_required
@require_GET
def follow_up(request: HttpRequest) -> HttpResponse:
    return _register_page(request, follow_up=True)
