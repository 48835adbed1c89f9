"""The approval chain: submit a draft, approve or return it step by step, until the
signer's step approves it for signing. Also the operator's edit of a chain."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from egov.accounts.models import Role
from egov.accounts.permissions import Perm, has_perm_in_unit
from egov.core import audit
from egov.core.models import Unit
from egov.documents import services as document_services
from egov.documents.contract import NoticeFor
from egov.outgoing import access, chains
from egov.outgoing.doctypes import resolve_type
from egov.outgoing.errors import NoApprovalChain, NotAllowedNow
from egov.outgoing.models import (
    ApprovalChain,
    ApprovalStep,
    EventKind,
    OutgoingDocument,
    Status,
    StepScope,
)
from egov.outgoing.services.common import bump, event, lock, now

# --- notices (through the documents app's one notice mechanism) --------------------


def _page(document: OutgoingDocument) -> str:
    return reverse("outgoing:detail", args=[document.reference])


def _notify_step(document: OutgoingDocument, step: ApprovalStep, actor: Any) -> int:
    """Tell whoever may act at ``step`` that the draft waits for them (not the actor)."""
    people = [p for p in chains.people_for(step, document) if p.pk != getattr(actor, "pk", None)]
    return document_services.notify_people(
        people,
        kind=NoticeFor.TO_APPROVE,
        text=_("To approve (%(step)s): %(subject)s")
        % {"step": step.name, "subject": document.subject[:200]},
        url=_page(document),
    )


def _notify_author(document: OutgoingDocument, actor: Any, note: str) -> int:
    if document.author_id == getattr(actor, "pk", None):
        return 0
    return document_services.notify_people(
        [document.author],
        kind=NoticeFor.SENT_BACK,
        text=_("%(who)s sent back your draft “%(subject)s”: %(note)s")
        % {"who": actor, "subject": document.subject[:150], "note": note},
        url=_page(document),
    )


def submit(
    actor: Any, document: OutgoingDocument, *, expected_version: int, note: str = ""
) -> OutgoingDocument:
    """The author hands the draft to the first step of its chain."""
    with transaction.atomic():
        current = lock(document, expected_version)
        if current.status != Status.DRAFTING:
            raise NotAllowedNow(_("Only a draft being written can be submitted."))
        if not access.may_edit(actor, current):
            raise PermissionDenied(_("Only the drafting unit may submit this draft."))
        chain = chains.chain_for(current.agency, current.type_code)
        steps = chains.steps_of(chain)
        if chain is None or not steps:
            raise NoApprovalChain()
        current.chain = chain
        current.step_position = steps[0].position
        current.status = Status.IN_REVIEW
        bump(current, ["chain", "step_position", "status"])
        event(current, EventKind.SUBMITTED, actor, note=note.strip(), step=steps[0])
        _notify_step(current, steps[0], actor)
        audit.record(
            actor=actor,
            action="outgoing.submitted",
            obj=current,
            unit=current.agency,
            changes={"status": [Status.DRAFTING, Status.IN_REVIEW]},
        )
    return current


def _acting_step(actor: Any, document: OutgoingDocument) -> chains.ApprovalStep:
    if document.status != Status.IN_REVIEW:
        raise NotAllowedNow(_("This document is not waiting for approval."))
    step = chains.current_step(document)
    if step is None:
        raise NotAllowedNow(_("This document is not waiting for approval."))
    if not chains.may_act_at(actor, step, document):
        raise PermissionDenied(
            _("The step “%(step)s” is not yours to approve.") % {"step": step.name}
        )
    return step


def approve(
    actor: Any, document: OutgoingDocument, *, expected_version: int, note: str = ""
) -> OutgoingDocument:
    """Approve at the current step: the next step follows; at the signer's step the
    document is approved for signing (who and when are kept: until digital
    signatures exist, that record is what issuance shows, marked unsigned)."""
    with transaction.atomic():
        current = lock(document, expected_version)
        step = _acting_step(actor, current)
        at = now()
        later = [s for s in chains.steps_of(current.chain) if s.position > step.position]
        if step.signs or not later:
            current.status = Status.APPROVED
            current.step_position = None
            current.approved_by = actor
            current.approved_at = at
            if current.signer_id is None:
                current.signer = actor
            bump(current, ["status", "step_position", "approved_by", "approved_at", "signer"])
            event(
                current, EventKind.APPROVED_FOR_SIGNING, actor, note=note.strip(), step=step, at=at
            )
            action = "outgoing.approved_for_signing"
        else:
            current.step_position = later[0].position
            bump(current, ["step_position"])
            _notify_step(current, later[0], actor)
            event(current, EventKind.APPROVED, actor, note=note.strip(), step=step, at=at)
            action = "outgoing.approved"
        audit.record(
            actor=actor,
            action=action,
            obj=current,
            unit=current.agency,
            changes={"step": [step.position, current.step_position]},
        )
    return current


def return_draft(
    actor: Any, document: OutgoingDocument, *, expected_version: int, note: str
) -> OutgoingDocument:
    """Send the draft back to its author with what to change (a reason is required)."""
    note = note.strip()
    if not note:
        raise ValidationError({"note": _("Say what should be changed.")})
    with transaction.atomic():
        current = lock(document, expected_version)
        step = _acting_step(actor, current)
        current.status = Status.DRAFTING
        current.step_position = None
        bump(current, ["status", "step_position"])
        event(current, EventKind.RETURNED, actor, note=note, step=step)
        _notify_author(current, actor, note)
        audit.record(
            actor=actor,
            action="outgoing.returned",
            obj=current,
            unit=current.agency,
            changes={"status": [Status.IN_REVIEW, Status.DRAFTING]},
        )
    return current


# --- chains as data -----------------------------------------------------------------


@dataclass(frozen=True)
class StepIn:
    name: str
    role_code: str
    scope: str
    unit: Unit | None = None
    signs: bool = False


def _check_steps(steps: list[StepIn]) -> None:
    if not steps:
        raise ValidationError({"steps": _("A chain needs at least one step.")})
    roles = set(Role.objects.values_list("code", flat=True))
    for index, step in enumerate(steps, start=1):
        path = f"steps[{index}]"
        if not step.name.strip():
            raise ValidationError({f"{path}.name": _("Name step %(n)s.") % {"n": index}})
        if step.role_code not in roles:
            raise ValidationError(
                {
                    f"{path}.role_code": _("No role with the code %(code)s.")
                    % {"code": step.role_code}
                }
            )
        if step.scope not in StepScope.values:
            raise ValidationError({f"{path}.scope": _("Unknown place for the role.")})
        if (step.scope == StepScope.UNIT) != (step.unit is not None):
            raise ValidationError(
                {f"{path}.unit": _("Name the unit exactly when the role is held in a named unit.")}
            )
    signing = [index for index, step in enumerate(steps) if step.signs]
    if signing != [len(steps) - 1]:
        raise ValidationError({"steps": _("Exactly one step signs, and it is the last one.")})


def set_chain(
    actor: Any, *, agency: Unit | None, type_code: str, name: str, steps: list[StepIn]
) -> ApprovalChain:
    """Replace the active chain of (agency, type) with a new one; the old chain stays
    (inactive) for the documents already following it. ``actor=None`` is the
    platform operator at the command line (``manage.py set_approval_chain``)."""
    allowed = actor is None or (
        has_perm_in_unit(actor, Perm.OPERATE_PLATFORM, None)
        if agency is None
        else has_perm_in_unit(actor, Perm.MANAGE_UNITS, agency)
    )
    if not allowed:
        raise PermissionDenied(_("You may not change the approval chains here."))
    if type_code and resolve_type(type_code) is None:
        raise ValidationError({"type_code": _("Choose one of the document types of Decree 30.")})
    if not name.strip():
        raise ValidationError({"name": _("Name the chain.")})
    _check_steps(steps)
    with transaction.atomic():
        old = list(
            ApprovalChain.objects.select_for_update().filter(
                agency=agency, type_code=type_code, is_active=True
            )
        )
        ApprovalChain.objects.filter(pk__in=[c.pk for c in old]).update(is_active=False)
        chain = ApprovalChain.objects.create(
            name=name.strip()[:200], agency=agency, type_code=type_code
        )
        ApprovalStep.objects.bulk_create(
            ApprovalStep(
                chain=chain,
                position=position,
                name=step.name.strip()[:200],
                role_code=step.role_code,
                scope=step.scope,
                unit=step.unit,
                signs=step.signs,
            )
            for position, step in enumerate(steps, start=1)
        )
        audit.record(
            actor=actor,
            action="outgoing.chain_set",
            obj=chain,
            unit=agency,
            changes={"steps": [None, [f"{s.role_code}@{s.scope}" for s in steps]]},
        )
    return chain
