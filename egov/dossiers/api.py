"""Staff JSON API of one-stop dossiers, mounted at ``/api/v1/dossiers``.

Authentication: the Django session of a **staff** account that passed the second
factor (TOTP), like the staff pages. :class:`StaffSessionAuth` extends ninja's
``SessionAuth``, an ``APIKeyCookie`` with ``csrf=True``: for unsafe methods ninja
runs Django's CSRF check before authenticating, so a browser script must send the
``X-CSRFToken`` header (the value of the ``csrftoken`` cookie); a failed check is
refused with 403. Other sessions (no session, citizen accounts, second factor not
passed) get 401.

Every state change is one call of :mod:`egov.dossiers.services`; each move takes
``expected_version`` and answers 409 (``transition_not_allowed`` or ``stale``) when
it cannot be done, changing nothing. Creating a dossier requires an
``Idempotency-Key`` header: the same key and body from the same person give the
same dossier (201 the first time, 200 after), the same key with another body 422
``idempotency_key_reused``.
"""

# No ``from __future__ import annotations``: ninja reads the parameter annotations.

from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from ninja import HeaderEx, P, QueryEx, Router, Status
from ninja.security import SessionAuth

from egov.accounts.decorators import is_verified
from egov.accounts.models import AccountKind, User
from egov.core.models import Unit
from egov.core.schemas import ErrorOut
from egov.core.selectors.units import get_unit_by_code
from egov.dossiers import selectors, services
from egov.dossiers.errors import (
    IdempotencyKeyReused,
    IncompleteDossier,
    StaleDossier,
    TransitionNotAllowed,
)
from egov.dossiers.models import Dossier, DossierEvent
from egov.dossiers.models import Status as DossierStatus
from egov.dossiers.schemas import (
    AcceptIn,
    AnswerConsultationIn,
    ApologyIn,
    ConfirmPaymentIn,
    ConsultIn,
    DossierCreateIn,
    DossierListOut,
    DossierOut,
    ForwardIn,
    IncompleteOut,
    NoteIn,
    PaperIn,
    ReasonIn,
    ReceiveSupplementIn,
    RefuseIn,
    RequestPaymentIn,
    RequestSupplementIn,
    ResultReadyIn,
    SendBackIn,
)
from egov.dossiers.workflow import Action
from egov.procedures.models import ProcedureVersion, VersionStatus


class StaffSessionAuth(SessionAuth):
    """A staff session verified with the second factor; CSRF checked (``csrf=True``)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        if (
            user.is_authenticated
            and user.is_active
            and getattr(user, "kind", None) == AccountKind.STAFF
            and is_verified(user)
        ):
            return user
        return None


staff_auth = StaffSessionAuth(csrf=True)
router = Router(auth=staff_auth)

IDEMPOTENCY_HEADER = "Idempotency-Key"
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
            }
            for letter in dossier.apologies.all()
        ],
    }


def _error(status: int, code: str, message: str, field: str | None = None) -> Status[Any]:
    return Status(status, {"code": code, "message": message, "field": field})


def _validation_error(exc: ValidationError) -> Status[Any]:
    if hasattr(exc, "error_dict"):
        field, errors = next(iter(exc.error_dict.items()))
        message = errors[0].messages[0] if errors else gettext("The request is not valid.")
        return _error(422, "invalid", message, None if field == "__all__" else field)
    return _error(422, "invalid", exc.messages[0] if exc.messages else "")


def _incomplete(exc: IncompleteDossier) -> Status[Any]:
    return Status(
        422,
        {
            "code": exc.code,
            "message": exc.message,
            "field": "papers",
            "missing": [
                {
                    "required_paper": paper.required_paper_id,
                    "name": paper.name,
                    "copies_required": paper.copies_required,
                    "copies_given": paper.copies_given,
                    "form_required": paper.form_required,
                    "reason": paper.reason,
                }
                for paper in exc.missing
            ],
        },
    )


def _refusal(exc: Exception) -> Status[Any] | None:
    """The answer for an exception the services raise on purpose (else None)."""
    if isinstance(exc, TransitionNotAllowed | StaleDossier):
        return _error(409, exc.code, exc.message)
    if isinstance(exc, IncompleteDossier):
        return _incomplete(exc)
    if isinstance(exc, IdempotencyKeyReused):
        return _error(422, exc.code, exc.message, IDEMPOTENCY_HEADER)
    if isinstance(exc, PermissionDenied):
        message = str(exc) or gettext("You are not allowed to do this with this dossier.")
        return _error(403, "forbidden", message)
    if isinstance(exc, ValidationError):
        return _validation_error(exc)
    return None


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


class _BadReference(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _user(username: str | None) -> User | None:
    if not username:
        return None
    user = User.objects.filter(username=User.normalize_username(username)).first()
    if user is None:
        raise _BadReference("to_user", gettext("No account with this user name."))
    return user


def _unit_by_code(code: str, field: str) -> Unit:
    unit = get_unit_by_code(code, follow_successor=True)
    if unit is None:
        raise _BadReference(field, gettext("No agency or unit with this identifier code."))
    return unit


def _papers(items: list[PaperIn]) -> list[services.PaperIn]:
    return [
        services.PaperIn(
            required_paper=item.required_paper, name=item.name, copies=item.copies, form=item.form
        )
        for item in items
    ]


def _act(request: HttpRequest, code: str, move: Callable[[Dossier], Any]) -> Status[Any]:
    dossier = _visible(request, code)
    try:
        move(dossier)
    except _BadReference as exc:
        return _error(422, "invalid", exc.message, exc.field)
    except Exception as exc:
        answer = _refusal(exc)
        if answer is None:
            raise
        return answer
    return Status(200, _detail(selectors.dossier_detail(dossier.code)))


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
    try:
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
            papers=_papers(payload.papers),
            received_at=payload.received_at,
            fee_inputs=payload.fee_inputs,
            note=payload.note,
        )
    except _BadReference as exc:
        return _error(422, "invalid", exc.message, exc.field)
    except Exception as exc:
        answer = _refusal(exc)
        if answer is None:
            raise
        return answer
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
    """Most urgent first; `is_overdue` and `is_due_soon` flag each row."""
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
        qs = qs.select_related(
            "procedure_version__procedure",
            "receiving_agency",
            "current_unit",
            "current_assignee",
        ).order_by("due_at", "code")
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


@router.post(
    "/{code}/accept",
    response=MOVE_RESPONSES,
    url_name="dossiers-accept",
    summary="Accept an online dossier (1 → 2)",
)
def accept(request: HttpRequest, code: str, payload: AcceptIn) -> Status[Any]:
    return _act(
        request,
        code,
        lambda d: services.accept_online(
            request.user,
            d,
            expected_version=payload.expected_version,
            fee_inputs=payload.fee_inputs,
            note=payload.note,
        ),
    )


@router.post(
    "/{code}/refuse",
    response=MOVE_RESPONSES,
    url_name="dossiers-refuse",
    summary="Refuse a dossier not yet received (→ 3, form 03)",
)
def refuse(request: HttpRequest, code: str, payload: RefuseIn) -> Status[Any]:
    return _act(
        request,
        code,
        lambda d: services.refuse(
            request.user, d, expected_version=payload.expected_version, reasons=payload.reasons
        ),
    )


@router.post(
    "/{code}/forward",
    response=MOVE_RESPONSES,
    url_name="dossiers-forward",
    summary="Hand over to the next step (→ 4)",
)
def forward(request: HttpRequest, code: str, payload: ForwardIn) -> Status[Any]:
    return _act(
        request,
        code,
        lambda d: services.forward(
            request.user,
            d,
            expected_version=payload.expected_version,
            to_user=_user(payload.to_user),
            note=payload.note,
        ),
    )


@router.post(
    "/{code}/send-back",
    response=MOVE_RESPONSES,
    url_name="dossiers-send-back",
    summary="Send back to the previous step",
)
def send_back(request: HttpRequest, code: str, payload: SendBackIn) -> Status[Any]:
    return _act(
        request,
        code,
        lambda d: services.send_back(
            request.user,
            d,
            expected_version=payload.expected_version,
            reason=payload.reason,
            to_user=_user(payload.to_user),
        ),
    )


@router.post(
    "/{code}/request-supplement",
    response=MOVE_RESPONSES,
    url_name="dossiers-request-supplement",
    summary="Ask the applicant for more papers (→ 5, clock stops)",
)
def request_supplement(
    request: HttpRequest, code: str, payload: RequestSupplementIn
) -> Status[Any]:
    return _act(
        request,
        code,
        lambda d: services.request_supplement(
            request.user,
            d,
            expected_version=payload.expected_version,
            missing_papers=payload.missing_papers,
            reason=payload.reason,
        ),
    )


@router.post(
    "/{code}/receive-supplement",
    response=PAPER_MOVE_RESPONSES,
    url_name="dossiers-receive-supplement",
    summary="Record the papers the applicant added (clock restarts)",
)
def receive_supplement(
    request: HttpRequest, code: str, payload: ReceiveSupplementIn
) -> Status[Any]:
    return _act(
        request,
        code,
        lambda d: services.receive_supplement(
            request.user,
            d,
            expected_version=payload.expected_version,
            papers=_papers(payload.papers),
            note=payload.note,
        ),
    )


@router.post(
    "/{code}/request-payment",
    response=MOVE_RESPONSES,
    url_name="dossiers-request-payment",
    summary="Ask for taxes and fees (→ 6, clock stops)",
)
def request_payment(request: HttpRequest, code: str, payload: RequestPaymentIn) -> Status[Any]:
    return _act(
        request,
        code,
        lambda d: services.request_payment(
            request.user,
            d,
            expected_version=payload.expected_version,
            amount=payload.amount,
            note=payload.note,
        ),
    )


@router.post(
    "/{code}/confirm-payment",
    response=MOVE_RESPONSES,
    url_name="dossiers-confirm-payment",
    summary="Record the payment (clock restarts)",
)
def confirm_payment(request: HttpRequest, code: str, payload: ConfirmPaymentIn) -> Status[Any]:
    return _act(
        request,
        code,
        lambda d: services.confirm_payment(
            request.user,
            d,
            expected_version=payload.expected_version,
            amount=payload.amount,
            reference=payload.reference,
        ),
    )


@router.post(
    "/{code}/consult",
    response=MOVE_RESPONSES,
    url_name="dossiers-consult",
    summary="Pass to another agency for a step (liên thông)",
)
def consult(request: HttpRequest, code: str, payload: ConsultIn) -> Status[Any]:
    return _act(
        request,
        code,
        lambda d: services.consult_agency(
            request.user,
            d,
            expected_version=payload.expected_version,
            other_agency=_unit_by_code(payload.unit, "unit"),
            note=payload.note,
        ),
    )


@router.post(
    "/{code}/answer-consultation",
    response=MOVE_RESPONSES,
    url_name="dossiers-answer-consultation",
    summary="Answer and send the dossier back to the agency that asked",
)
def answer_consultation(
    request: HttpRequest, code: str, payload: AnswerConsultationIn
) -> Status[Any]:
    return _act(
        request,
        code,
        lambda d: services.answer_consultation(
            request.user,
            d,
            expected_version=payload.expected_version,
            note=payload.note,
            files=_papers(payload.files),
        ),
    )


@router.post(
    "/{code}/stop",
    response=MOVE_RESPONSES,
    url_name="dossiers-stop",
    summary="Stop processing (→ 8, form 05)",
)
def stop(request: HttpRequest, code: str, payload: ReasonIn) -> Status[Any]:
    return _act(
        request,
        code,
        lambda d: services.stop_processing(
            request.user, d, expected_version=payload.expected_version, reason=payload.reason
        ),
    )


@router.post(
    "/{code}/withdraw",
    response=MOVE_RESPONSES,
    url_name="dossiers-withdraw",
    summary="Withdraw at the applicant's request (→ 7)",
)
def withdraw(request: HttpRequest, code: str, payload: ReasonIn) -> Status[Any]:
    return _act(
        request,
        code,
        lambda d: services.withdraw(
            request.user, d, expected_version=payload.expected_version, reason=payload.reason
        ),
    )


@router.post(
    "/{code}/result-ready",
    response=MOVE_RESPONSES,
    url_name="dossiers-result-ready",
    summary="Result ready, sent to the one-stop desk (→ 9)",
)
def result_ready(request: HttpRequest, code: str, payload: ResultReadyIn) -> Status[Any]:
    return _act(
        request,
        code,
        lambda d: services.mark_result_ready(
            request.user,
            d,
            expected_version=payload.expected_version,
            result_papers=_papers(payload.result_papers),
            note=payload.note,
        ),
    )


@router.post(
    "/{code}/return",
    response=MOVE_RESPONSES,
    url_name="dossiers-return",
    summary="Result returned to the applicant (→ 10)",
)
def return_result(request: HttpRequest, code: str, payload: NoteIn) -> Status[Any]:
    return _act(
        request,
        code,
        lambda d: services.return_result(
            request.user, d, expected_version=payload.expected_version, note=payload.note
        ),
    )


@router.post(
    "/{code}/apology",
    response=MOVE_RESPONSES,
    url_name="dossiers-apology",
    summary="Apology letter with a new appointment (form 04)",
)
def apology(request: HttpRequest, code: str, payload: ApologyIn) -> Status[Any]:
    return _act(
        request,
        code,
        lambda d: services.issue_apology(
            request.user,
            d,
            expected_version=payload.expected_version,
            reason=payload.reason,
            new_due_at=payload.new_due_at,
        ),
    )


#: Action → URL segment, for pages that link to the API.
ACTION_PATHS: dict[Action, str] = {
    Action.ACCEPT: "accept",
    Action.REFUSE: "refuse",
    Action.FORWARD: "forward",
    Action.SEND_BACK: "send-back",
    Action.REQUEST_SUPPLEMENT: "request-supplement",
    Action.RECEIVE_SUPPLEMENT: "receive-supplement",
    Action.REQUEST_PAYMENT: "request-payment",
    Action.CONFIRM_PAYMENT: "confirm-payment",
    Action.CONSULT: "consult",
    Action.ANSWER_CONSULTATION: "answer-consultation",
    Action.STOP: "stop",
    Action.WITHDRAW: "withdraw",
    Action.RESULT_READY: "result-ready",
    Action.RETURN_RESULT: "return",
    Action.APOLOGY: "apology",
}
