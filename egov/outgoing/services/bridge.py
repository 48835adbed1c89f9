"""The one-stop bridge (system 16 of the plan): a dossier step that needs an
official document gets an outgoing draft linked to the dossier; issuing the
document puts its number and signed PDF back on the dossier and moves it on.

Outgoing is above dossiers in the layers: this module calls the dossiers'
selectors and services; dossiers knows nothing of outgoing (the staff dossier
page shows the section outgoing registers in ``dossiers.page_sections``).

What each purpose drafts and what issuing it does to the dossier is data
(:data:`PURPOSES`): the result decision makes the result ready (status 9, the
PDF as the result paper); a consultation letter hands the dossier to the agency
it is addressed to (liên thông), the letter's number in the note.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from egov.accounts.models import RoleAssignment
from egov.accounts.permissions import RoleCode
from egov.core import audit
from egov.core.errors import DomainError
from egov.core.models import Unit, UnitLevel
from egov.dossiers import selectors as dossier_selectors
from egov.dossiers import services as dossier_services
from egov.dossiers.models import Dossier
from egov.dossiers.workflow import Action
from egov.outgoing import access
from egov.outgoing.body_templates import body_template
from egov.outgoing.models import (
    DossierPurpose,
    EventKind,
    OutgoingDocument,
    RecipientKind,
    Status,
)
from egov.outgoing.services.common import event, lock
from egov.outgoing.services.drafting import DraftIn, RecipientIn, create_draft

#: The signer's title and the collective signed for, by the level of the agency.
_SIGNER_BY_LEVEL: dict[str, tuple[str, str, str]] = {
    UnitLevel.PROVINCE: ("TM.", "ỦY BAN NHÂN DÂN", "CHỦ TỊCH"),
    UnitLevel.DISTRICT: ("TM.", "ỦY BAN NHÂN DÂN", "CHỦ TỊCH"),
    UnitLevel.COMMUNE: ("TM.", "ỦY BAN NHÂN DÂN", "CHỦ TỊCH"),
    UnitLevel.PROVINCIAL_AGENCY: ("", "", "GIÁM ĐỐC"),
    UnitLevel.DISTRICT_AGENCY: ("", "", "TRƯỞNG PHÒNG"),
}


@dataclass(frozen=True)
class Purpose:
    code: str
    label: Any
    type_code: str
    subject: str  # % {"code", "procedure", "applicant"}
    #: What issuing the document does to the dossier.
    apply: Callable[[Any, OutgoingDocument, Dossier], str]
    #: The dossier move it makes (who may draft it: who may make it, or work there).
    action: Action


def _pdf_paper(document: OutgoingDocument) -> dossier_services.PaperIn:
    name = f"{document.type_name.split(' (')[0]} số {document.number_and_symbol}"
    filename = f"{document.number_and_symbol or 'van-ban'}.pdf".replace("/", "-")
    return dossier_services.PaperIn(
        name=name[:500], file=ContentFile(bytes(document.issued_pdf or b""), name=filename)
    )


def _actors(document: OutgoingDocument) -> list[Any]:
    """Who the dossier move is made as: the signer (the leader at the dossier's last
    step), else the author (the handler who drafted it)."""
    people = [document.signer, document.author]
    return [p for p in people if p is not None]


def _acting(document: OutgoingDocument, dossier: Dossier, action: Action) -> Any:
    for person in _actors(document):
        if dossier_services.may_act(person, dossier, action):
            return person
    raise PermissionDenied(
        _(
            "Neither the signer nor the drafter may now %(action)s on dossier %(code)s: "
            "move it on from the dossier page."
        )
        % {"action": str(_action_label(action)), "code": dossier.code}
    )


def _action_label(action: Action) -> Any:
    from egov.dossiers.workflow import ACTION_LABELS

    return ACTION_LABELS.get(action, action)


def _result_ready(actor: Any, document: OutgoingDocument, dossier: Dossier) -> str:
    person = _acting(document, dossier, Action.RESULT_READY)
    dossier_services.mark_result_ready(
        person,
        dossier,
        expected_version=dossier.version,
        result_papers=[_pdf_paper(document)],
        note=_("Result: %(number)s") % {"number": document.number_and_symbol},
    )
    return _("Result ready on dossier %(code)s with %(number)s.") % {
        "code": dossier.code,
        "number": document.number_and_symbol,
    }


def _consult(actor: Any, document: OutgoingDocument, dossier: Dossier) -> str:
    person = _acting(document, dossier, Action.CONSULT)
    recipient = document.recipients.filter(
        kind=RecipientKind.PLATFORM, agency__isnull=False
    ).first()
    if recipient is None or recipient.agency is None:
        raise ValidationError(_("The consultation letter has no recipient agency on the platform."))
    dossier_services.consult_agency(
        person,
        dossier,
        expected_version=dossier.version,
        other_agency=recipient.agency,
        note=_("Consultation letter %(number)s: %(subject)s")
        % {"number": document.number_and_symbol, "subject": document.subject},
    )
    return _("Dossier %(code)s sent to %(agency)s with letter %(number)s.") % {
        "code": dossier.code,
        "agency": recipient.agency.name,
        "number": document.number_and_symbol,
    }


PURPOSES: dict[str, Purpose] = {
    DossierPurpose.RESULT: Purpose(
        code=DossierPurpose.RESULT,
        label=gettext_lazy("Draft the result decision"),
        type_code="quyet-dinh",
        subject="Về việc giải quyết hồ sơ %(code)s (%(procedure)s) của %(applicant)s",
        apply=_result_ready,
        action=Action.RESULT_READY,
    ),
    DossierPurpose.CONSULTATION: Purpose(
        code=DossierPurpose.CONSULTATION,
        label=gettext_lazy("Draft a consultation letter"),
        type_code="cong-van",
        subject="Lấy ý kiến về hồ sơ %(code)s (%(procedure)s) của %(applicant)s",
        apply=_consult,
        action=Action.CONSULT,
    ),
}


def _signer_for(agency: Unit) -> tuple[str, str, str, str]:
    authority, of, title = _SIGNER_BY_LEVEL.get(agency.level, ("", "", "THỦ TRƯỞNG"))
    leader = (
        RoleAssignment.objects.filter(
            unit=agency, role__code=RoleCode.AGENCY_LEADER, revoked_at__isnull=True
        )
        .select_related("user")
        .order_by("pk")
        .first()
    )
    name = leader.user.get_full_name() if leader else ""
    return authority, of, title, name or "…"


def documents_for(dossier_code: str) -> list[OutgoingDocument]:
    return list(
        OutgoingDocument.objects.filter(dossier_code=dossier_code).order_by("created_at", "pk")
    )


def draft_for_dossier(
    actor: Any,
    dossier_code: str,
    *,
    purpose: str,
    recipients: list[RecipientIn] | None = None,
) -> OutgoingDocument:
    """A draft linked to the dossier, in the unit now holding it, written by
    ``actor`` (who must see the dossier and work in that unit). Asking twice for
    the result decision gives the same draft back (double submit)."""
    chosen = PURPOSES.get(purpose)
    if chosen is None:
        raise ValidationError({"purpose": _("Unknown kind of document for a dossier.")})
    dossier = dossier_selectors.visible_dossier(actor, dossier_code)
    if dossier is None:
        raise PermissionDenied(_("You may not see this dossier."))
    unit = dossier.current_unit
    if unit is None or not access.may_draft_in(actor, unit):
        raise PermissionDenied(_("Only the unit now handling the dossier drafts its documents."))
    if purpose == DossierPurpose.RESULT:
        existing = (
            OutgoingDocument.objects.filter(dossier_code=dossier.code, dossier_purpose=purpose)
            .exclude(status=Status.RECALLED)
            .first()
        )
        if existing is not None:
            return existing
    authority, of, title, name = _signer_for(dossier.receiving_agency)
    data = DraftIn(
        type_code=chosen.type_code,
        subject=(
            chosen.subject
            % {
                "code": dossier.code,
                "procedure": dossier.procedure_version.name,
                "applicant": dossier.applicant_name,
            }
        )[:500],
        body=body_template(chosen.type_code),
        authority=authority,
        authority_of=of,
        signer_position=title,
        signer_name=name,
    )
    try:
        with transaction.atomic():
            document = create_draft(actor, drafting_unit=unit, data=data, recipients=recipients)
            document.dossier_code = dossier.code
            document.dossier_purpose = purpose
            document.save(update_fields=["dossier_code", "dossier_purpose", "updated_at"])
            audit.record(
                actor=actor,
                action="outgoing.drafted_for_dossier",
                obj=document,
                unit=document.agency,
                changes={"dossier": [None, dossier.code], "purpose": [None, purpose]},
            )
    except IntegrityError:
        # Another request made the result draft at the same moment: that one stands.
        return OutgoingDocument.objects.get(
            dossier_code=dossier.code, dossier_purpose=purpose, status__in=_LIVE
        )
    return document


_LIVE = [Status.DRAFTING, Status.IN_REVIEW, Status.APPROVED, Status.ISSUED]


def after_issue(actor: Any, document: OutgoingDocument) -> str:
    """Put the issued document back on its dossier (no-op for other documents).
    The document stays issued whatever happens here: a refusal of the dossier
    side is kept on the document and in its history for a person to finish."""
    if not document.dossier_code or document.status != Status.ISSUED:
        return ""
    chosen = PURPOSES.get(document.dossier_purpose)
    if chosen is None:
        return ""
    try:
        dossier = dossier_selectors.dossier_detail(document.dossier_code)
        outcome = chosen.apply(actor, document, dossier)
        done = True
    except (Dossier.DoesNotExist, DomainError, ValidationError, PermissionDenied) as error:
        message = getattr(error, "message", None) or "; ".join(
            getattr(error, "messages", []) or [str(error)]
        )
        outcome = _("Not put back on dossier %(code)s: %(reason)s") % {
            "code": document.dossier_code,
            "reason": message,
        }
        done = False
    with transaction.atomic():
        current = lock(document)
        current.dossier_outcome = str(outcome)[:500]
        current.save(update_fields=["dossier_outcome", "updated_at"])
        event(current, EventKind.DOSSIER_UPDATED, actor, note=current.dossier_outcome)
        audit.record(
            actor=actor,
            action="outgoing.dossier_updated" if done else "outgoing.dossier_update_failed",
            obj=current,
            unit=current.agency,
            changes={"dossier": current.dossier_code, "outcome": current.dossier_outcome},
        )
    document.dossier_outcome = current.dossier_outcome
    return str(outcome)
