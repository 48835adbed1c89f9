"""Staff JSON API of directive and task tracking, mounted at ``/api/v1/tasks``: list
the tasks I may see (mine, overdue, due soon, to decide), see one with its history,
assign one, and the acts of the lead unit (progress, extension, completion) and of
the assigner or office (decide an extension, confirm or send back). Same
authentication as the staff pages; refusals answer with the API's one error body
(409 ``wrong_state`` when someone acted first)."""

# No ``from __future__ import annotations``: ninja reads the parameter annotations.

from datetime import date, datetime
from typing import Any, Literal

from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from egov.accounts.api_auth import staff_auth
from egov.core.models import Unit
from egov.core.schemas import ErrorOut
from egov.tasks import access, selectors, services
from egov.tasks.errors import InvalidInput
from egov.tasks.models import Task

router = Router(auth=staff_auth)
ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
MAX_ID = 2**62


class TaskOut(Schema):
    id: int
    reference: str
    version: int
    source: Literal["incoming", "outgoing", "meeting", "office"]
    document_id: int | None
    meeting: str
    text: str
    office_code: str
    lead_unit_code: str
    lead_unit_name: str
    assigned_by: str
    assigned_on: date
    due_date: date
    original_due_date: date
    priority: Literal["normal", "urgent", "very_urgent"]
    status: Literal["in_progress", "reported", "done", "cancelled"]
    progress: int
    overdue: bool
    completed_on: date | None
    finished_late: bool


class TaskEventOut(Schema):
    action: str
    label: str
    actor: str
    at: datetime
    note: str


class TaskDetailOut(TaskOut):
    cooperating_unit_codes: list[str]
    events: list[TaskEventOut]
    pending_extension_id: int | None


class AssignIn(Schema):
    text: str = Field(max_length=5000)
    office_code: str = Field("", description="Agency whose office tracks it; default: yours.")
    lead_unit_code: str
    cooperating_unit_codes: list[str] = []
    assigned_by: str = Field("", description="User name of the assigning leader; default: you.")
    source: Literal["incoming", "outgoing", "meeting", "office"] = "office"
    document_id: int | None = Field(None, ge=1, le=MAX_ID)
    meeting: str = Field("", max_length=300)
    working_days: int | None = Field(None, ge=1, le=250)
    due_date: date | None = None
    priority: Literal["normal", "urgent", "very_urgent"] = "normal"


class ProgressIn(Schema):
    progress: int = Field(ge=0, le=100)
    note: str = Field(max_length=1000)


class ExtensionIn(Schema):
    new_due_date: date
    reason: str = Field(max_length=500)


class DecisionIn(Schema):
    approve: bool
    note: str = Field("", max_length=500)


class CompletionIn(Schema):
    answer_kind: Literal["", "incoming", "outgoing"] = ""
    answer_document_id: int | None = Field(None, ge=1, le=MAX_ID)
    note: str = Field("", max_length=500)


class ConfirmIn(Schema):
    accept: bool
    note: str = Field("", max_length=500)


def _out(task: Task) -> dict[str, Any]:
    return {
        "id": task.pk,
        "reference": task.reference,
        "version": task.version,
        "source": task.source,
        "document_id": task.document_id,
        "meeting": task.meeting,
        "text": task.text,
        "office_code": task.office.code,
        "lead_unit_code": task.lead_unit.code,
        "lead_unit_name": task.lead_unit.name,
        "assigned_by": task.assigned_by.username,
        "assigned_on": task.assigned_on,
        "due_date": task.due_date,
        "original_due_date": task.original_due_date,
        "priority": task.priority,
        "status": task.status,
        "progress": task.progress,
        "overdue": task.is_overdue(selectors.today()),
        "completed_on": task.completed_on,
        "finished_late": task.finished_late,
    }


def _get(request: HttpRequest, task_id: int) -> Task:
    task = selectors.detail(request.user, task_id)
    if task is None:
        raise Http404(_("The task does not exist or you may not see it."))
    return task


def _unit(code: str, field: str) -> Unit:
    unit = Unit.objects.filter(code=code, dissolved_at__isnull=True).first()
    if unit is None:
        raise InvalidInput(_("No unit with this code."), field=field)
    return unit


@router.get("", response={200: list[TaskOut], **ERRORS}, summary="Tasks I may see")
def list_tasks(
    request: HttpRequest,
    view: Literal["mine", "overdue", "due_soon", "to_decide", "all"] = "mine",
) -> list[dict[str, Any]]:
    user = request.user
    mine = selectors.for_lead_units(user)
    qs = {
        "mine": mine,
        "overdue": selectors.overdue(mine),
        "due_soon": selectors.due_soon(mine),
        "to_decide": selectors.to_decide(user),
        "all": selectors._base(access.visible_tasks(user)).order_by("due_date", "pk"),
    }[view]
    return [_out(task) for task in qs[:500]]


@router.post("", response={201: TaskOut, **ERRORS}, summary="Assign a task")
def assign(request: HttpRequest, data: AssignIn) -> Status:
    user = request.user
    offices = access.offices(user)
    office = (
        next((o for o in offices if o.code == data.office_code), None)
        if data.office_code
        else (offices[0] if offices else None)
    )
    if office is None:
        raise InvalidInput(_("Only leaders and the office assign tasks."), field="office_code")
    leader = (
        get_user_model().objects.filter(username=data.assigned_by).first()
        if data.assigned_by
        else user
    )
    if leader is None:
        raise InvalidInput(
            _("The assigning person must be a leader of the office's agency."),
            field="assigned_by",
        )
    task = services.assign(
        user,
        services.TaskIn(
            text=data.text,
            office=office,
            lead_unit=_unit(data.lead_unit_code, "lead_unit_code"),
            assigned_by=leader,
            source=data.source,
            document_id=data.document_id,
            meeting=data.meeting,
            cooperating_units=[
                _unit(code, "cooperating_unit_codes") for code in data.cooperating_unit_codes
            ],
            due_date=data.due_date,
            working_days=data.working_days,
            priority=data.priority,
        ),
    )
    return Status(201, _out(selectors.detail(user, task.pk) or task))


@router.get("/{task_id}", response={200: TaskDetailOut, **ERRORS}, summary="One task")
def get_task(request: HttpRequest, task_id: int) -> dict[str, Any]:
    task = _get(request, task_id)
    pending = next((e for e in task.extensions.all() if e.status == "pending"), None)
    return {
        **_out(task),
        "cooperating_unit_codes": [u.code for u in task.cooperating_units.all()],
        "events": [
            {
                "action": e.action,
                "label": e.label,
                "actor": e.actor.username,
                "at": e.at,
                "note": e.note,
            }
            for e in task.events.all()
        ],
        "pending_extension_id": pending.pk if pending else None,
    }


@router.post("/{task_id}/progress", response={200: TaskOut, **ERRORS}, summary="Report progress")
def progress(request: HttpRequest, task_id: int, data: ProgressIn) -> dict[str, Any]:
    _get(request, task_id)
    services.report_progress(request.user, task_id, progress=data.progress, note=data.note)
    return _out(_get(request, task_id))


@router.post(
    "/{task_id}/extensions", response={201: TaskOut, **ERRORS}, summary="Ask for an extension"
)
def extension(request: HttpRequest, task_id: int, data: ExtensionIn) -> Status:
    _get(request, task_id)
    services.request_extension(
        request.user, task_id, new_due_date=data.new_due_date, reason=data.reason
    )
    return Status(201, _out(_get(request, task_id)))


@router.post(
    "/extensions/{request_id}/decision",
    response={200: TaskOut, **ERRORS},
    summary="Approve or refuse an extension",
)
def decide(request: HttpRequest, request_id: int, data: DecisionIn) -> dict[str, Any]:
    task = Task.objects.filter(extensions__pk=request_id).first()
    if task is None:
        raise Http404
    _get(request, task.pk)
    services.decide_extension(request.user, request_id, approve=data.approve, note=data.note)
    return _out(_get(request, task.pk))


@router.post(
    "/{task_id}/completion", response={200: TaskOut, **ERRORS}, summary="Report completion"
)
def completion(request: HttpRequest, task_id: int, data: CompletionIn) -> dict[str, Any]:
    _get(request, task_id)
    services.report_completion(
        request.user,
        task_id,
        answer_kind=data.answer_kind,
        answer_document_id=data.answer_document_id,
        note=data.note,
    )
    return _out(_get(request, task_id))


@router.post(
    "/{task_id}/confirmation",
    response={200: TaskOut, **ERRORS},
    summary="Confirm the completion or send it back",
)
def confirm(request: HttpRequest, task_id: int, data: ConfirmIn) -> dict[str, Any]:
    _get(request, task_id)
    services.confirm_completion(request.user, task_id, accept=data.accept, note=data.note)
    return _out(_get(request, task_id))
