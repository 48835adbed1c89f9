"""Creating a dossier: receipt at the desk or by post, online submission, the desk's
decisions on an incomplete dossier (form 02) or a refusal (form 03), and the API's
idempotent receipt.

Every creation asks the catalogue once for the terms of receipt
(:func:`egov.procedures.terms.terms_of_receipt`: desk, papers, plan, due date,
fee), checks who asks and what was handed in, computes everything, and only then
opens the transaction, which writes: code, dossier, papers, event, audit.

Incomplete papers at the desk (``IncompleteDossier``) write nothing. The desk then
either refuses (:func:`refuse_dossier`, status 3, form 03) or records the request to
supplement (:func:`request_supplement_at_desk`): **decision** — that creates the
dossier at once, with its code, in status 5 and *without* ``received_at`` or a due
date, so the form 02 slip carries a code the applicant brings back; when they
return, ``receive_supplement`` receives it (status 2) and the legal time limit
counts from that moment. Statistics count receipt by ``received_at``, so such a
dossier is not "received" until it is complete.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from egov.accounts.models import AccountKind, User
from egov.accounts.permissions import Perm, require_perm
from egov.core import audit
from egov.core.models import Unit
from egov.core.numbering import issue_dossier_code
from egov.dossiers.errors import IdempotencyKeyReused, IncompleteDossier
from egov.dossiers.models import Channel, Dossier, DossierEvent, IdempotentRequest, Status
from egov.dossiers.services.inputs import (
    Actor,
    ApplicantIn,
    actor_user,
    applicant_from_account,
    clean_applicant,
    json_safe,
    moment,
    required_text,
    text,
)
from egov.dossiers.services.papers import (
    PaperIn,
    PaperRow,
    declared_online,
    missing_data,
    missing_papers,
    paper_rows,
    save_papers,
)
from egov.dossiers.services.plan import enter_step
from egov.dossiers.signals import dossier_changed
from egov.procedures.models import OnlineLevel, ProcedureVersion
from egov.procedures.terms import PlannedStep, ReceiptTerms, terms_of_receipt


@dataclass
class _Intake:
    terms: ReceiptTerms  # for the receipt moment ``at``
    applicant: ApplicantIn
    rows: list[PaperRow]
    at: datetime

    def missing(self) -> list[Any]:
        return missing_papers(self.terms.version, self.rows, self.terms.papers)


def _intake(
    actor: Actor,
    *,
    version: ProcedureVersion,
    agency: Unit,
    channel: int,
    applicant: ApplicantIn,
    papers: Sequence[PaperIn],
    at: datetime | None,
    online: bool = False,
) -> _Intake:
    return intake_with(
        terms_of_receipt(version, agency),
        actor,
        channel=channel,
        applicant=applicant,
        papers=papers,
        at=at,
        online=online,
    )


def intake_with(
    terms: ReceiptTerms,
    actor: Actor,
    *,
    channel: int,
    applicant: ApplicantIn,
    papers: Sequence[PaperIn],
    at: datetime | None,
    online: bool = False,
) -> _Intake:
    """:func:`_intake` with the terms of receipt already read (a batch reads them
    once per procedure and agency): the same checks, in the same order."""
    version = terms.version
    if not online:
        require_perm(actor, Perm.RECEIVE_DOSSIERS, terms.desk)
        if channel not in (Channel.DESK, Channel.POST):
            raise ValidationError(
                {"channel": _("Online dossiers are submitted by the applicant, not at the desk.")}
            )
    terms.check()
    cleaned = clean_applicant(applicant)
    rows = paper_rows(version, papers, listed=terms.papers)
    start = moment(at)
    return _Intake(
        terms=dataclasses.replace(terms, at=start), applicant=cleaned, rows=rows, at=start
    )


def _new_dossier(intake: _Intake, *, channel: int, status: Status) -> Dossier:
    applicant = intake.applicant
    terms = intake.terms
    return Dossier(
        procedure_version=terms.version,
        receiving_agency=terms.agency,
        receiving_unit=terms.desk,
        channel=channel,
        status=status,
        applicant=applicant.user,
        applicant_name=applicant.name,
        applicant_id_number=applicant.id_number,
        applicant_address=applicant.address,
        applicant_phone=applicant.phone,
        applicant_email=applicant.email,
        applicant_vneid=bool(applicant.vneid and applicant.user is not None),
        submitted_at=intake.at,
        current_unit=terms.desk,
    )


def _create(
    actor: Actor,
    dossier: Dossier,
    intake: _Intake,
    *,
    action: str,
    note: str = "",
    data: Mapping[str, Any] | None = None,
    step_name: str = "",
    on_insert: Callable[[Dossier], object] | None = None,
) -> Dossier:
    """Insert a new dossier with its code, papers, first event and audit entry.

    Runs inside the caller's transaction, which then holds the agency's code
    sequence row (from the upsert) and, for its last statement, the audit chain head,
    until it commits. Everything that only reads or computes is done before it:
    the transaction is five statements (code, dossier, papers, event, audit).
    """
    dossier.code = issue_dossier_code(intake.terms.agency.code, intake.at)
    dossier.save(force_insert=True)
    if on_insert is not None:
        on_insert(dossier)
    save_papers(dossier, intake.rows)
    event = first_event(
        actor, dossier, intake, action=action, note=note, data=data, step_name=step_name
    )
    event.save(force_insert=True)
    dossier_changed.send(
        Dossier, dossier=dossier, event=event, action=action, actor=actor_user(actor)
    )
    audit.record(
        actor=actor,
        action=f"dossier.{action}",
        obj=dossier,
        unit=dossier.receiving_unit,
        changes=creation_changes(dossier, intake, note=note, data=data),
    )
    return dossier


def first_event(
    actor: Actor,
    dossier: Dossier,
    intake: _Intake,
    *,
    action: str,
    note: str = "",
    data: Mapping[str, Any] | None = None,
    step_name: str = "",
) -> DossierEvent:
    """The (unsaved) event row of a new dossier."""
    event_data = {
        "channel": dossier.channel,
        "step_position": dossier.step_position,
        "step_name": step_name,
        **(data or {}),
    }
    return DossierEvent(
        dossier=dossier,
        at=intake.at,
        action=action,
        from_status=None,
        to_status=dossier.status,
        from_unit=None,
        to_unit=dossier.current_unit,
        actor=actor if getattr(actor, "pk", None) else None,
        step=dossier.current_step,
        step_due_at=dossier.step_due_at,
        note=note,
        data=json_safe(event_data),
    )


def creation_changes(
    dossier: Dossier, intake: _Intake, *, note: str = "", data: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The audit entry's summary of a new dossier."""
    changes: dict[str, Any] = json_safe(
        {
            "status": [None, dossier.status],
            "procedure": version_label(dossier.procedure_version),
            "channel": dossier.channel,
            "received_at": dossier.received_at,
            "due_at": dossier.due_at,
            "papers": len(intake.rows),
            **({"note": note} if note else {}),
            **(data or {}),
        }
    )
    return changes


def version_label(version: ProcedureVersion) -> str:
    return f"{version.procedure.national_code} v{version.number}"


def receive_dossier(
    actor: Actor,
    *,
    version: ProcedureVersion,
    agency: Unit,
    channel: int = Channel.DESK,
    applicant: ApplicantIn,
    papers: Sequence[PaperIn],
    received_at: datetime | None = None,
    fee_inputs: Mapping[str, Any] | None = None,
    note: str = "",
) -> Dossier:
    """Receive a complete dossier at the desk (channel 1) or by post (3).

    Needs ``dossiers.receive`` in the agency's one-stop unit. Gives it its code,
    status 2, the appointment (``due_at``) counted from ``received_at`` (default
    now) with the working-day calendar, its fees, and the first process step.
    Incomplete papers raise :class:`IncompleteDossier` and write nothing.
    """
    return _receive(
        actor,
        version=version,
        agency=agency,
        channel=channel,
        applicant=applicant,
        papers=papers,
        received_at=received_at,
        fee_inputs=fee_inputs,
        note=note,
    )


def _receive(
    actor: Actor,
    *,
    version: ProcedureVersion,
    agency: Unit,
    channel: int = Channel.DESK,
    applicant: ApplicantIn,
    papers: Sequence[PaperIn],
    received_at: datetime | None = None,
    fee_inputs: Mapping[str, Any] | None = None,
    note: str = "",
    on_insert: Callable[[Dossier], object] | None = None,
) -> Dossier:
    intake = _intake(
        actor,
        version=version,
        agency=agency,
        channel=channel,
        applicant=applicant,
        papers=papers,
        at=received_at,
    )
    # Everything that reads or computes happens before the transaction, which
    # then only writes: it holds the agency's sequence row and the audit head.
    dossier, first = received_dossier(intake, channel=channel, fee_inputs=fee_inputs)
    with transaction.atomic():
        return _create(
            actor,
            dossier,
            intake,
            action="receive",
            note=text(note, 2000),
            step_name=first.name,
            on_insert=on_insert,
        )


def received_dossier(
    intake: _Intake,
    *,
    channel: int,
    fee_inputs: Mapping[str, Any] | None,
    plan: Sequence[PlannedStep] | None = None,
) -> tuple[Dossier, PlannedStep]:
    """The (unsaved, uncoded) dossier of a complete receipt and its first step;
    :class:`IncompleteDossier` when papers are missing. ``plan``: the process
    already read for these terms (a batch reads it once)."""
    missing = intake.missing()
    if missing:
        raise IncompleteDossier(missing)
    terms = intake.terms
    due = terms.due_at
    first = plan[0] if plan is not None else terms.first_step
    fee = terms.fee(fee_inputs)
    dossier = _new_dossier(intake, channel=channel, status=Status.RECEIVED)
    dossier.received_at = intake.at
    dossier.due_at = due
    dossier.original_due_at = due
    dossier.fee_amount = fee
    enter_step(dossier, first, intake.at, None)
    return dossier, first


def submit_online(
    actor: User,
    *,
    version: ProcedureVersion,
    agency: Unit,
    papers: Sequence[PaperIn],
    applicant: ApplicantIn | None = None,
    fee_inputs: Mapping[str, Any] | None = None,
    declaration_filled: bool = False,
) -> Dossier:
    """An applicant submits online (channel 2): status 1 with its code at once; the
    clock starts when the desk accepts it (:func:`accept_online`).

    ``declaration_filled``: the applicant filled in the procedure's declaration form
    online, so the papers that are the declaration itself are handed in by it
    (recorded without a file; see ``papers.declared_online``)."""
    if actor is None or not actor.is_authenticated or not actor.is_active:
        raise PermissionDenied(_("Sign in to submit a dossier online."))
    if version.online_level < OnlineLevel.PARTLY_ONLINE:
        raise ValidationError({"procedure": _("This procedure cannot be submitted online.")})
    base = applicant or applicant_from_account(actor)
    if base.user is None and actor.kind in (AccountKind.CITIZEN, AccountKind.BUSINESS):
        base = dataclasses.replace(base, user=actor)
    intake = _intake(
        actor,
        version=version,
        agency=agency,
        channel=Channel.ONLINE,
        applicant=base,
        papers=papers,
        at=None,
        online=True,
    )
    if declaration_filled:
        intake.rows += declared_online(intake.terms.papers, intake.rows)
    missing = intake.missing()
    if missing:
        raise IncompleteDossier(missing)
    dossier = _new_dossier(intake, channel=Channel.ONLINE, status=Status.SUBMITTED)
    dossier.fee_amount = intake.terms.fee(fee_inputs)
    with transaction.atomic():
        return _create(actor, dossier, intake, action="submit_online")


def request_supplement_at_desk(
    actor: Actor,
    *,
    version: ProcedureVersion,
    agency: Unit,
    channel: int = Channel.DESK,
    applicant: ApplicantIn,
    papers: Sequence[PaperIn],
    reason: str = "",
    missing: Sequence[str] = (),
    at: datetime | None = None,
) -> Dossier:
    """Record a dossier brought to the desk incomplete (form 02): status 5, a code
    for the applicant to come back with, no receipt time and no due date yet.

    ``missing`` lists what the clerk asks for in words; the papers absent from the
    procedure's list are added to it. At least one of them, or ``reason``, is needed.
    """
    intake = _intake(
        actor,
        version=version,
        agency=agency,
        channel=channel,
        applicant=applicant,
        papers=papers,
        at=at,
    )
    absent = intake.missing()
    asked = [text(item, 500) for item in missing if item and item.strip()]
    reason = (reason or "").strip()[:2000]
    if not absent and not asked and not reason:
        raise ValidationError(
            {"missing": _("Say what the applicant must add: the papers, or the reason.")}
        )
    dossier = _new_dossier(intake, channel=channel, status=Status.SUPPLEMENT_REQUESTED)
    with transaction.atomic():
        return _create(
            actor,
            dossier,
            intake,
            action="desk_supplement_request",
            note=reason,
            data={"missing": missing_data(absent), "asked": asked},
        )


def refuse_dossier(
    actor: Actor,
    *,
    version: ProcedureVersion,
    agency: Unit,
    channel: int = Channel.DESK,
    applicant: ApplicantIn,
    papers: Sequence[PaperIn] = (),
    reasons: str,
    at: datetime | None = None,
) -> Dossier:
    """Refuse a dossier at the desk (status 3, form 03), with the reasons; it keeps a
    code so the refusal slip can be looked up."""
    reasons = required_text(reasons, "reasons", _("Give the reasons for the refusal."))
    intake = _intake(
        actor,
        version=version,
        agency=agency,
        channel=channel,
        applicant=applicant,
        papers=papers,
        at=at,
    )
    dossier = _new_dossier(intake, channel=channel, status=Status.REFUSED)
    dossier.closed_at = intake.at
    with transaction.atomic():
        return _create(
            actor,
            dossier,
            intake,
            action="refuse_at_desk",
            note=reasons,
            data={"missing": missing_data(intake.missing())},
        )


# --- idempotent creation (API) -----------------------------------------------------------


def request_fingerprint(payload: Any) -> str:
    """SHA-256 of a request body in canonical JSON (key order and spacing ignored)."""
    blob = json.dumps(
        payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )
    return hashlib.sha256(blob.encode()).hexdigest()


def _idempotent_answer(scope: str, key: str, fingerprint: str) -> Dossier | None:
    row = IdempotentRequest.objects.filter(scope=scope, key=key).select_related("dossier").first()
    if row is None:
        return None
    if row.request_hash != fingerprint:
        raise IdempotencyKeyReused()
    return row.dossier


def receive_dossier_once(
    actor: User,
    *,
    idempotency_key: str,
    fingerprint: str,
    route: str = "POST /api/v1/dossiers",
    **receive_kwargs: Any,
) -> tuple[Dossier, bool]:
    """:func:`receive_dossier` at most once per (actor, route, key).

    Returns ``(dossier, created)``. A retry with the same key and the same
    ``fingerprint`` gets the first dossier; with another fingerprint,
    :class:`IdempotencyKeyReused`. Retries racing each other each start a receipt;
    the ``IdempotentRequest`` row is inserted right after the dossier row, so the
    unique constraint makes the later ones wait for the first to commit, then fail
    before taking a number; their transactions roll back and they answer with the
    first one's dossier.
    """
    key = idempotency_key.strip()
    if not key or len(key) > 255:
        raise ValidationError(
            {"Idempotency-Key": _("Give an Idempotency-Key of 1 to 255 characters.")}
        )
    scope = f"user:{actor.pk}:{route}"[:150]
    found = _idempotent_answer(scope, key, fingerprint)
    if found is not None:
        return found, False

    def claim(dossier: Dossier) -> None:
        # Right after the dossier row and before its number: a racing retry blocks
        # here on the key's unique index and, once the first commits, fails without
        # having taken a number.
        IdempotentRequest.objects.create(
            key=key, scope=scope, request_hash=fingerprint, dossier=dossier
        )

    try:
        with transaction.atomic():
            dossier = _receive(actor, **receive_kwargs, on_insert=claim)
    except IntegrityError:
        found = _idempotent_answer(scope, key, fingerprint)
        if found is None:
            raise
        return found, False
    return dossier, True
