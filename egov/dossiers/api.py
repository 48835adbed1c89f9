"""Staff JSON API of one-stop dossiers, mounted at ``/api/v1/dossiers``.

Authentication: the Django session of a **staff** account that passed the second
factor (TOTP), like the staff pages. :class:`StaffSessionAuth` extends ninja's
``SessionAuth``, an ``APIKeyCookie`` with ``csrf=True``: for unsafe methods ninja
runs Django's CSRF check before authenticating, so a browser script must send the
``X-CSRFToken`` header (the value of the ``csrftoken`` cookie); a failed check is
refused with 403. Other sessions (no session, citizen accounts, second factor not
passed) get 401.

Every state change is one call of :mod:`egov.dossiers.services`; the move routes
are built from :data:`egov.dossiers.registry.MOVES` (one row per action, with its
own request schema). Refusals are answered by the API's global handlers
(``egov/api.py``, :mod:`egov.core.errors`). Each move takes
``expected_version`` and answers 409 (``transition_not_allowed`` or ``stale``) when
it cannot be done, changing nothing. Creating a dossier requires an
``Idempotency-Key`` header: the same key and body from the same person give the
same dossier (201 the first time, 200 after), the same key with another body 422
``idempotency_key_reused``.
"""

# No ``from __future__ import annotations``: ninja reads the parameter annotations.

from datetime import datetime
from typing import Any, Literal, cast

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from ninja import HeaderEx, P, QueryEx, Router, Status

from egov.accounts.api_auth import staff_auth
from egov.accounts.models import User
from egov.core.errors import DomainError, error_body
from egov.core.models import Unit
from egov.core.schemas import ErrorOut
from egov.core.selectors.units import get_unit_by_code
from egov.dossiers import selectors, services
from egov.dossiers.errors import IDEMPOTENCY_HEADER
from egov.dossiers.models import Dossier, DossierEvent
from egov.dossiers.models import Status as DossierStatus
from egov.dossiers.registry import MOVES, Move, References, api_papers
from egov.dossiers.schemas import (
    DossierCreateIn,
    DossierListOut,
    DossierOut,
    IncompleteOut,
    VersionIn,
)
from egov.procedures.models import ProcedureVersion, VersionStatus

# One definition for every app's staff API, in the foundation (re-exported here).
router = Router(auth=staff_auth)

CREATE_ROUTE = "POST /api/v1/dossiers"

ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
MOVE_RESPONSES: dict[int, Any] = {200: DossierOut, **ERRORS, 422: ErrorOut}
PAPER_MOVE_RESPONSES: dict[int, Any] = {200: DossierOut, **ERRORS, 422: IncompleteOut}


# --- shaping the answers ---------------------------------------------------------------


def _local(moment: datetime | None) -> datetime | None:
    """Times go out in the province's time zone (+07:00), as the calendar API does."""
    return None if moment is None else timezone.localtime(moment)


def _unit(unit: Unit | None) -> dict[str, str] | None:
    return None if unit is None else {"code": unit.code, "name": unit.name}


def _person(user: User | None) -> dict[str, str] | None:
    return None if user is None else {"username": user.username, "full_name": user.full_name}


def _summary(dossier: Dossier, now: datetime) -> dict[str, Any]:
    version = dossier.procedure_version
    overdue, soon = selectors.flags(dossier, now)
    return {
        "code": dossier.code,
        "version": dossier.version,
        "status": dossier.status,
        "status_label": str(DossierStatus(dossier.status).label),
        "channel": dossier.channel,
        "procedure": {
            "code": version.procedure.national_code,
            "name": version.name,
            "version": version.number,
        },
        "receiving_agency": _unit(dossier.receiving_agency),
        "current_unit": _unit(dossier.current_unit),
        "current_assignee": _person(dossier.current_assignee),
        "applicant_name": dossier.applicant_name,
        "submitted_at": _local(dossier.submitted_at),
        "received_at": _local(dossier.received_at),
        "due_at": _local(dossier.due_at),
        "step_due_at": _local(dossier.step_due_at),
        "is_overdue": overdue,
        "is_due_soon": soon,
    }


def _event(event: DossierEvent) -> dict[str, Any]:
    data = event.data or {}
    return {
        "at": _local(event.at),
        "action": event.action,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "from_unit": _unit(event.from_unit),
        "to_unit": _unit(event.to_unit),
        "actor": _person(event.actor),
        "to_user": _person(event.to_user),
        "step_position": data.get("step_position"),
        "step_name": data.get("step_name") or "",
        "step_due_at": _local(event.step_due_at),
        "note": event.note,
    }


def _detail(dossier: Dossier, now: datetime | None = None) -> dict[str, Any]:
    now = now or timezone.now()
    step = None
    if dossier.step_position is not None:
        names = {e.data.get("step_position"): e.data.get("step_name") for e in dossier.events.all()}
        step = {
            "position": dossier.step_position,
            "name": names.get(dossier.step_position) or "",
            "role": dossier.current_role,
        }
    return {
        **_summary(dossier, now),
        "receiving_unit": _unit(dossier.receiving_unit),
        "applicant": {
            "name": dossier.applicant_name,
            "id_number": dossier.applicant_id_number,
            "address": dossier.applicant_address,
            "phone": dossier.applicant_phone,
            "email": dossier.applicant_email,
        },
        "original_due_at": _local(dossier.original_due_at),
        "paused_at": _local(dossier.paused_at),
        "remaining_seconds": dossier.remaining_seconds,
        "resolved_at": _local(dossier.resolved_at),
        "returned_at": _local(dossier.returned_at),
        "closed_at": _local(dossier.closed_at),
        "timeliness": dossier.timeliness,
        "fee_amount": dossier.fee_amount,
        "payment_requested": dossier.payment_requested,
        "step": step,
        "consult_origin_unit": _unit(dossier.consult_origin_unit),
        "needs_apology": services.needs_apology(dossier, now),
        "papers": [
            {
                "name": paper.name,
                "copies": paper.copies,
                "form": paper.form,
                "required_paper": paper.required_paper_id,
                "received": paper.received,
                "is_result": paper.is_result,
                "is_draft": paper.is_draft,
                "has_file": bool(paper.file),
            }
            for paper in dossier.papers.all()
        ],
        "events": [_event(event) for event in dossier.events.all()],
        "apologies": [
            {
                "issued_at": _local(letter.issued_at),
                "reason": letter.reason,
                "previous_due_at": _local(letter.previous_due_at),
                "new_due_at": _local(letter.new_due_at),
                "issued_by": _person(letter.issued_by),
                "issuing_unit": _unit(letter.issuing_unit),
                "number": letter.number,
            }
            for letter in dossier.apologies.all()
        ],
    }


def _error(status: int, code: str, message: str, field: str | None = None) -> Status[Any]:
    return Status(status, error_body(code, message, field))


# --- lookups ------------------------------------------------------------------------------


def _visible(request: HttpRequest, code: str) -> Dossier:
    try:
        dossier = selectors.dossier_detail(code)
    except Dossier.DoesNotExist:
        raise Http404 from None
    if not selectors.can_view(request.user, dossier):
        # Not 403: whether a code exists is not told to those who may not see it.
        raise Http404
    return dossier


def _bad_reference(field: str, message: str) -> DomainError:
    return DomainError(message, code="invalid", field=field, http_status=422)


def _user(username: str | None) -> User | None:
    if not username:
        return None
    user = User.objects.filter(username=User.normalize_username(username)).first()
    if user is None:
        raise _bad_reference("to_user", gettext("No account with this user name."))
    return user


def _unit_by_code(code: str, field: str) -> Unit:
    unit = get_unit_by_code(code, follow_successor=True)
    if unit is None:
        raise _bad_reference(field, gettext("No agency or unit with this identifier code."))
    return unit


class _References(References):
    def user(self, username: str | None) -> User | None:
        return _user(username)

    def unit(self, code: str, field: str) -> Unit:
        return _unit_by_code(code, field)


_REFERENCES = _References()


# --- endpoints --------------------------------------------------------------------------


@router.post(
    "",
    response={200: DossierOut, 201: DossierOut, 400: ErrorOut, **ERRORS, 422: IncompleteOut},
    url_name="dossiers-create",
    summary="Receive a dossier at the desk or by post",
)
def create_dossier(
    request: HttpRequest,
    payload: DossierCreateIn,
    idempotency_key: HeaderEx[
        str | None,
        P(
            alias=IDEMPOTENCY_HEADER,
            description="A unique key per new dossier (e.g. a UUID), up to 255 characters. "
            "Retrying with the same key and body returns the same dossier.",
        ),
    ] = None,
) -> Status[Any]:
    """Checks the papers against the procedure's list, gives the dossier its code,
    status 2 and its appointment. Incomplete papers: 422 `incomplete_dossier` with
    what is missing, and nothing is recorded."""
    key = (idempotency_key or "").strip()
    if not key:
        return _error(
            400,
            "idempotency_key_required",
            gettext("The Idempotency-Key header is required to create a dossier."),
            IDEMPOTENCY_HEADER,
        )
    if len(key) > 255:
        return _error(
            400,
            "invalid_idempotency_key",
            gettext("The Idempotency-Key header may have at most 255 characters."),
            IDEMPOTENCY_HEADER,
        )
    version = (
        ProcedureVersion.objects.select_related("procedure")
        .filter(procedure__national_code=payload.procedure.strip(), status=VersionStatus.PUBLISHED)
        .first()
    )
    if version is None:
        return _error(
            422, "unknown_procedure", gettext("No procedure in force with this code."), "procedure"
        )
    agency = _unit_by_code(payload.agency, "agency")
    dossier, created = services.receive_dossier_once(
        request.user,  # type: ignore[arg-type]
        idempotency_key=key,
        fingerprint=services.request_fingerprint(payload.model_dump(mode="json")),
        route=CREATE_ROUTE,
        version=version,
        agency=agency,
        channel=payload.channel,
        applicant=services.ApplicantIn(
            name=payload.applicant.name,
            id_number=payload.applicant.id_number,
            address=payload.applicant.address,
            phone=payload.applicant.phone,
            email=payload.applicant.email,
        ),
        papers=api_papers(payload.papers),
        received_at=payload.received_at,
        fee_inputs=payload.fee_inputs,
        note=payload.note,
    )
    return Status(201 if created else 200, _detail(selectors.dossier_detail(dossier.code)))


@router.get(
    "",
    response={200: DossierListOut, 401: ErrorOut},
    url_name="dossiers-list",
    summary="Dossiers of a worklist",
)
def list_dossiers(
    request: HttpRequest,
    queue: QueryEx[
        Literal["receive", "process", "approve", "return"] | None,
        P(description="Worklist: to receive, process, approve or return; all visible if left out."),
    ] = None,
    status: QueryEx[int | None, P(ge=1, le=10, description="Status code 1–10.")] = None,
    procedure: QueryEx[str | None, P(description="National code of the procedure.")] = None,
    overdue: QueryEx[bool | None, P(description="Only overdue (true) or not (false).")] = None,
    due_soon: QueryEx[bool | None, P(description="Due within one working day.")] = None,
    search: QueryEx[str | None, P(description="Start of the code, or part of a name.")] = None,
    limit: QueryEx[int, P(ge=1, le=200, description="Rows per page.")] = 50,
    offset: QueryEx[int, P(ge=0, description="Rows to skip.")] = 0,
) -> Status[Any]:
    """Most urgent first: overdue rows, then by appointment (none last); `is_overdue` and
    `is_due_soon` flag each row."""
    now = timezone.now()
    filters = selectors.QueueFilters(
        status=status, procedure=procedure, overdue=overdue, due_soon=due_soon, search=search
    )
    if queue is not None:
        qs = selectors.queue_for(request.user, queue, filters, now=now)
    else:
        qs = selectors.filter_flags(
            selectors.visible_dossiers(request.user), now, overdue=overdue, due_soon=due_soon
        )
        if status is not None:
            qs = qs.filter(status=status)
        if procedure:
            qs = qs.filter(procedure_version__procedure__national_code=procedure.strip())
        if search:
            qs = qs.filter(code__istartswith=search.strip())
        qs = selectors.most_urgent_first(
            qs.select_related(
                "procedure_version__procedure",
                "receiving_agency",
                "current_unit",
                "current_assignee",
            ),
            now,
        )
    count = qs.count()
    items = [_summary(dossier, now) for dossier in qs[offset : offset + limit]]
    return Status(200, {"count": count, "items": items})


@router.get(
    "/{code}",
    response={200: DossierOut, 401: ErrorOut, 404: ErrorOut},
    url_name="dossiers-detail",
    summary="One dossier with its papers, history and apology letters",
)
def get_dossier(request: HttpRequest, code: str) -> Status[Any]:
    return Status(200, _detail(_visible(request, code)))


def _move_route(move: Move) -> None:
    """``POST /{code}/<path>`` for one registry row, with its own request schema."""
    responses = PAPER_MOVE_RESPONSES if move.checks_papers else MOVE_RESPONSES
    schema = move.schema

    def handler(request: HttpRequest, code: str, payload: schema) -> Status[Any]:  # type: ignore[valid-type]
        dossier = _visible(request, code)
        arguments = move.api_args(payload, _REFERENCES)
        version = cast(VersionIn, payload).expected_version
        move.service(request.user, dossier, expected_version=version, **arguments)
        return Status(200, _detail(selectors.dossier_detail(dossier.code)))

    # The operation id (``egov_dossiers_api_<name>``) comes from the function's name.
    handler.__name__ = handler.__qualname__ = move.action.value
    router.post(
        f"/{{code}}/{move.path}",
        response=responses,
        url_name=f"dossiers-{move.path}",
        summary=move.summary,
    )(handler)


for _move in MOVES.values():
    _move_route(_move)
