"""Staff pages of directive and task tracking (/giao-viec/): the unit's lists (due
soon, overdue, waiting for a decision), assigning a task (from a document, a meeting
conclusion or by the office), the task page with its acts, and the monthly summary
per leader with counts per unit. Thin: each POST is one service call; refusals are
shown as messages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from egov.accounts.decorators import staff_required
from egov.core.errors import DomainError
from egov.core.models import Unit
from egov.tasks import access, selectors, services, sources
from egov.tasks.forms import CompletionForm, DecisionForm, ExtensionForm, ProgressForm, TaskForm
from egov.tasks.models import ExtensionStatus, Source, Task, TaskStatus


@staff_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    day = selectors.today()
    mine = selectors.for_lead_units(user)
    context = {
        "overdue": list(selectors.overdue(mine, day)[:100]),
        "due_soon": list(selectors.due_soon(mine, day)[:100]),
        "mine": list(mine[:200]),
        "to_decide": list(selectors.to_decide(user)[:100]),
        "tracked": list(
            selectors._base(access.visible_tasks(user))
            .filter(status__in=[TaskStatus.IN_PROGRESS, TaskStatus.REPORTED])
            .order_by("due_date", "pk")[:200]
        )
        if access.offices(user)
        else [],
        "notices": list(selectors.notices_for(user)[:20]),
        "may_assign": access.may_assign_anywhere(user),
        "today": day,
    }
    return render(request, "tasks/index.html", context)


@staff_required
@require_POST
def read_notices(request: HttpRequest) -> HttpResponse:
    services.mark_notices_read(request.user)
    return redirect("tasks:index")


def _office(request: HttpRequest) -> Unit:
    offices = access.offices(request.user)
    if not offices:
        raise PermissionDenied(_("Only leaders and the office assign tasks."))
    wanted = request.GET.get("office") or request.POST.get("office")
    return next((o for o in offices if str(o.pk) == wanted), offices[0])


def _leaders(office: Unit, user: Any) -> list[tuple[str, str]]:
    people = (
        get_user_model()
        .objects.filter(
            is_active=True,
            role_assignments__unit__path__startswith=office.path,
            role_assignments__unit__depth__lte=office.depth + 1,
            role_assignments__revoked_at__isnull=True,
        )
        .prefetch_related("role_assignments__role")
        .distinct()
        .order_by("full_name")
    )
    found = [
        (str(p.pk), p.full_name or p.username) for p in people if access.is_leader_of(p, office)
    ]
    # The person assigning comes first when they are a leader.
    found.sort(key=lambda row: row[0] != str(user.pk))
    return found


@staff_required
@require_http_methods(["GET", "POST"])
def new_task(request: HttpRequest) -> HttpResponse:
    user = request.user
    office = _office(request)
    units = selectors.lead_unit_choices(office)
    leaders = _leaders(office, user)
    source = request.GET.get("source") or Source.OFFICE
    document = None
    try:
        document_id = int(request.GET.get("document") or request.POST.get("document_id") or 0)
    except ValueError:
        document_id = 0
    source = request.POST.get("source", source)
    if source in (Source.INCOMING, Source.OUTGOING) and document_id:
        document = sources.find(user, source, document_id)
        if document is None:
            raise Http404(_("The document does not exist or you may not see it."))
    initial = {"source": source, "document_id": document_id or None}
    if document is not None:
        initial["text"] = document.subject
    form = TaskForm(request.POST or None, units=units, leaders=leaders, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        leader = get_user_model().objects.filter(pk=data["assigned_by"]).first()
        try:
            task = services.assign(
                user,
                services.TaskIn(
                    text=data["text"],
                    office=office,
                    lead_unit=data["lead_unit"],
                    assigned_by=leader,
                    source=data["source"],
                    document_id=data["document_id"],
                    meeting=data["meeting"],
                    cooperating_units=list(data["cooperating_units"]),
                    due_date=data["due_date"],
                    working_days=data["working_days"],
                    priority=data["priority"],
                ),
            )
        except DomainError as error:
            if error.field and error.field in form.fields:
                form.add_error(error.field, str(error))
            else:
                form.add_error(None, str(error))
        else:
            messages.success(request, _("Task %(ref)s was assigned.") % {"ref": task.reference})
            return redirect("tasks:detail", task.pk)
    picks = []
    if document is None and request.method == "GET":
        picks = sources.recent(user, Source.INCOMING, 10) + sources.recent(user, Source.OUTGOING, 5)
    return render(
        request,
        "tasks/new.html",
        {
            "form": form,
            "office": office,
            "offices": access.offices(user),
            "document": document,
            "picks": picks,
        },
    )


def _task(request: HttpRequest, pk: int) -> Task:
    task = selectors.detail(request.user, pk)
    if task is None:
        raise Http404(_("The task does not exist or you may not see it."))
    return task


def _answers(user: Any) -> list[tuple[str, str]]:
    return [
        (f"{ref.kind}:{ref.id}", f"{ref.number_symbol or '—'} – {ref.subject[:80]}")
        for ref in sources.recent(user, Source.OUTGOING, 20)
    ]


@staff_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _task(request, pk))


def _render_detail(request: HttpRequest, task: Task, **forms: Any) -> HttpResponse:
    user = request.user
    pending = next((e for e in task.extensions.all() if e.status == ExtensionStatus.PENDING), None)
    in_lead = access.in_lead_unit(user, task)
    context = {
        "task": task,
        "document": sources.find(user, task.source, task.document_id),
        "answer": sources.find(user, task.answer_kind, task.answer_document_id)
        if task.answer_kind
        else None,
        "events": list(task.events.all()),
        "extensions": list(task.extensions.all()),
        "pending": pending,
        "in_lead_unit": in_lead,
        "may_decide": access.may_decide(user, task),
        "overdue": task.is_overdue(selectors.today()),
        "progress_form": forms.get("progress_form") or ProgressForm(prefix="progress"),
        "extension_form": forms.get("extension_form") or ExtensionForm(prefix="extension"),
        "completion_form": forms.get("completion_form")
        or CompletionForm(answers=_answers(user) if in_lead else [], prefix="completion"),
        "decision_form": DecisionForm(),
    }
    status = 422 if forms else 200
    return render(request, "tasks/detail.html", context, status=status)


def _done(request: HttpRequest, pk: int, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("tasks:detail", pk)


@staff_required
@require_POST
def progress(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task(request, pk)
    form = ProgressForm(request.POST, prefix="progress")
    if form.is_valid():
        try:
            services.report_progress(request.user, task.pk, **form.cleaned_data)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            return _done(request, pk, _("Progress was recorded."))
    return _render_detail(request, _task(request, pk), progress_form=form)


@staff_required
@require_POST
def extension(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task(request, pk)
    form = ExtensionForm(request.POST, prefix="extension")
    if form.is_valid():
        try:
            services.request_extension(request.user, task.pk, **form.cleaned_data)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            return _done(request, pk, _("The extension request was sent."))
    return _render_detail(request, _task(request, pk), extension_form=form)


@staff_required
@require_POST
def decide(request: HttpRequest, request_id: int) -> HttpResponse:
    task = Task.objects.filter(extensions__pk=request_id).first()
    if task is None:
        raise Http404
    task = _task(request, task.pk)
    approve = request.POST.get("decision") == "approve"
    try:
        services.decide_extension(
            request.user, request_id, approve=approve, note=request.POST.get("note", "")
        )
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("tasks:detail", task.pk)
    return _done(
        request,
        task.pk,
        _("The extension was approved.") if approve else _("The extension was refused."),
    )


@staff_required
@require_POST
def completion(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task(request, pk)
    form = CompletionForm(request.POST, answers=_answers(request.user), prefix="completion")
    if form.is_valid():
        kind, _sep, raw_id = (form.cleaned_data["answer"] or "").partition(":")
        try:
            services.report_completion(
                request.user,
                task.pk,
                answer_kind=kind,
                answer_document_id=int(raw_id) if raw_id else None,
                note=form.cleaned_data["note"],
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            return _done(request, pk, _("Completion was reported to the office."))
    return _render_detail(request, _task(request, pk), completion_form=form)


@staff_required
@require_POST
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task(request, pk)
    accept = request.POST.get("decision") == "accept"
    try:
        services.confirm_completion(
            request.user, task.pk, accept=accept, note=request.POST.get("note", "")
        )
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("tasks:detail", pk)
    return _done(
        request,
        pk,
        _("The completion was confirmed.") if accept else _("The task was sent back."),
    )


@staff_required
@require_GET
def summary(request: HttpRequest) -> HttpResponse:
    user = request.user
    offices = access.offices(user)
    if not offices:
        raise PermissionDenied(_("Only leaders and the office see the summary."))
    day = selectors.today()
    try:
        year, month = (int(x) for x in (request.GET.get("month") or "").split("-"))
        if not (2000 <= year <= 2100 and 1 <= month <= 12):
            raise ValueError
    except ValueError:
        year, month = day.year, day.month
    return render(
        request,
        "tasks/summary.html",
        {
            "leaders": selectors.monthly_summary(offices, year, month),
            "month": f"{year}-{month:02d}",
            "month_label": f"{month:02d}/{year}",
            "units": selectors.counts_for_offices(offices),
            "offices": offices,
        },
    )
