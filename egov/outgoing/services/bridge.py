"""The one-stop bridge (system 16 of the plan): a dossier step that needs an
official document gets an outgoing draft linked to the dossier; issuing the
document puts its number and signed PDF back on the dossier and moves it on.

Outgoing is above dossiers in the layers: this module calls the dossiers'
selectors and services; dossiers knows nothing of outgoing (the staff dossier
page shows the section outgoing registers in ``dossiers.page_sections``).

What each purpose drafts and what issuing it does to the dossier is data
(:data:`PURPOSES`): the result decision makes the result ready (status 9, the
PDF as the result paper); a consultation letter hands the dossier to the agency
it is addressed to (liên thông), the letter's number in the note; an apology
letter (thư xin lỗi, form 04 of the one-stop rules, Decision 468), offered only
while the dossier is overdue or due within a working day, gives the applicant a
new appointment: issuing it records the letter (number and PDF) on the dossier
and moves its appointment (``dossiers.services.issue_apology``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from egov.accounts.models import RoleAssignment
from egov.accounts.permissions import RoleCode
from egov.core import audit
from egov.core.errors import DomainError
from egov.core.formatting import local
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


def _apologise(actor: Any, document: OutgoingDocument, dossier: Dossier) -> str:
    person = _acting(document, dossier, Action.APOLOGY)
    if document.dossier_new_due_at is None:
        raise ValidationError(_("The apology letter gives no new appointment."))
    paper = _pdf_paper(document)
    dossier_services.issue_apology(
        person,
        dossier,
        expected_version=dossier.version,
        reason=document.dossier_reason or document.subject,
        new_due_at=document.dossier_new_due_at,
        number=document.number_and_symbol,
        letter=paper.file,
    )
    return _("Apology letter %(number)s on dossier %(code)s: new appointment %(when)s.") % {
        "number": document.number_and_symbol,
        "code": dossier.code,
        "when": f"{local(document.dossier_new_due_at):%H:%M %d/%m/%Y}",
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
    DossierPurpose.APOLOGY: Purpose(
        code=DossierPurpose.APOLOGY,
        label=gettext_lazy("Draft an apology letter"),
        type_code="thu-cong",
        subject="Xin lỗi và hẹn lại ngày trả kết quả hồ sơ %(code)s (%(procedure)s)",
        apply=_apologise,
        action=Action.APOLOGY,
    ),
}


def apology_offered(dossier: Dossier) -> bool:
    """The apology letter is offered while the dossier is overdue or due within a
    working day (the dossiers' own rule for form 04)."""
    return dossier_services.apology_offered(dossier)


def _apology_body(dossier: Dossier, reason: str, new_due_at: dt.datetime) -> str:
    """Form 04's text: the applicant, the dossier, the appointment missed, the
    reason, the apology and the new date."""
    old = f"{local(dossier.due_at):%H giờ %M phút, ngày %d/%m/%Y}" if dossier.due_at else "…"
    new = f"{local(new_due_at):%H giờ %M phút, ngày %d/%m/%Y}"
    return (
        f"Kính gửi: {dossier.applicant_name}.\n"
        f"Ngày {local(dossier.received_at or dossier.created_at):%d/%m/%Y}, cơ quan tiếp nhận "
        f"hồ sơ số {dossier.code} về thủ tục {dossier.procedure_version.name}, hẹn trả kết "
        f"quả vào {old}.\n"
        f"Đến nay hồ sơ chưa giải quyết xong. Lý do: {reason}\n"
        f"Sự chậm trễ này đã gây phiền hà cho Ông/Bà. Cơ quan thành thật xin lỗi Ông/Bà và "
        f"hẹn trả kết quả vào {new}.\n"
        "Mong Ông/Bà thông cảm./."
    )


def _apology_inputs(
    dossier: Dossier, reason: str, new_due_at: dt.datetime | None
) -> tuple[str, dt.datetime]:
    if not apology_offered(dossier):
        raise ValidationError(
            {
                "purpose": _(
                    "An apology letter is only for a dossier that is overdue or due within "
                    "one working day."
                )
            }
        )
    errors: dict[str, str] = {}
    reason = " ".join((reason or "").split())[:2000]
    if not reason:
        errors["reason"] = _("Give the reason for the delay.")
    if new_due_at is None:
        errors["new_due_at"] = _("Enter the new appointment.")
    elif dossier.due_at is None or new_due_at <= dossier.due_at or new_due_at <= timezone.now():
        errors["new_due_at"] = _(
            "The new appointment must be later than the current one and than now."
        )
    if errors:
        raise ValidationError(errors)
    assert new_due_at is not None
    return reason, new_due_at


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
    reason: str = "",
    new_due_at: dt.datetime | None = None,
) -> OutgoingDocument:
    """A draft linked to the dossier, in the unit now holding it, written by
    ``actor`` (who must see the dossier and work in that unit). Asking twice for
    the result decision gives the same draft back (double submit), and so does
    asking for an apology letter while one is not issued yet. An apology letter
    needs ``reason`` and ``new_due_at`` (aware), and a dossier overdue or nearly."""
    chosen = PURPOSES.get(purpose)
    if chosen is None:
        raise ValidationError({"purpose": _("Unknown kind of document for a dossier.")})
    dossier = dossier_selectors.visible_dossier(actor, dossier_code)
    if dossier is None:
        raise PermissionDenied(_("You may not see this dossier."))
    unit = dossier.current_unit
    if unit is None or not access.may_draft_in(actor, unit):
        raise PermissionDenied(_("Only the unit now handling the dossier drafts its documents."))
    if purpose in (DossierPurpose.RESULT, DossierPurpose.APOLOGY):
        pending = OutgoingDocument.objects.filter(
            dossier_code=dossier.code, dossier_purpose=purpose
        ).exclude(status=Status.RECALLED)
        if purpose == DossierPurpose.APOLOGY:
            pending = pending.exclude(status=Status.ISSUED)
        existing = pending.first()
        if existing is not None:
            return existing
    body = body_template(chosen.type_code)
    copies_to = ""
    if purpose == DossierPurpose.APOLOGY:
        reason, due = _apology_inputs(dossier, reason, new_due_at)
        body = _apology_body(dossier, reason, due)
        copies_to = f"- {dossier.applicant_name};\n- Lưu: VT."
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
        body=body,
        authority=authority,
        authority_of=of,
        signer_position=title,
        signer_name=name,
        copies_to=copies_to,
    )
    try:
        with transaction.atomic():
            document = create_draft(actor, drafting_unit=unit, data=data, recipients=recipients)
            document.dossier_code = dossier.code
            document.dossier_purpose = purpose
            if purpose == DossierPurpose.APOLOGY:
                document.dossier_reason = reason
                document.dossier_new_due_at = due
            document.save(
                update_fields=[
                    "dossier_code",
                    "dossier_purpose",
                    "dossier_reason",
                    "dossier_new_due_at",
                    "updated_at",
                ]
            )
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
