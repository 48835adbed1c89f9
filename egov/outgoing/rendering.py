"""From an outgoing document to what its page says: the symbol (ký hiệu), the
parent body, the recipients' lines and the Decree 30 layout handed to the PDF."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from egov.core.models import Unit, UnitLevel
from egov.core.selectors.units import parent_of
from egov.outgoing.layout import Layout, local_day, render
from egov.outgoing.models import OutgoingDocument, RecipientKind, Status

#: A department or district office prints its governing body above its own name.
_GOVERNED_LEVELS = (UnitLevel.PROVINCIAL_AGENCY, UnitLevel.DISTRICT_AGENCY)
LETTER_TYPES = ("cong-van", "thu-cong")


def notation_for(document: OutgoingDocument) -> str:
    """Ký hiệu per Decree 30 (Phụ lục I, mục II.3): ``<type>-<agency>`` such as
    ``QĐ-UBND``; a công văn, having no type abbreviation, takes the agency and the
    drafting unit: ``UBND-VP``."""
    agency_abbreviation = (document.agency.short_name or "").strip()
    if not agency_abbreviation:
        raise ValidationError(
            {
                "agency": _(
                    "The agency %(name)s has no abbreviation (short name): the symbol of its "
                    "documents cannot be written. Ask the agency administrator to set it."
                )
                % {"name": document.agency.name}
            }
        )
    if document.type_abbreviation:
        notation = f"{document.type_abbreviation}-{agency_abbreviation}"
    else:
        unit_abbreviation = ""
        if document.drafting_unit_id != document.agency_id:
            unit_abbreviation = (document.drafting_unit.short_name or "").strip()
        notation = "-".join(part for part in (agency_abbreviation, unit_abbreviation) if part)
    return notation[:30]


def parent_body(agency: Unit) -> str:
    if agency.level not in _GOVERNED_LEVELS:
        return ""
    parent = parent_of(agency)
    return parent.name if parent is not None else ""


def recipient_lines(document: OutgoingDocument) -> list[str]:
    lines = [
        recipient.name
        for recipient in document.recipients.all()
        if recipient.kind in (RecipientKind.PLATFORM, RecipientKind.OUTSIDE)
    ]
    extra = [line.strip(" -;.") for line in document.copies_to.splitlines() if line.strip(" -;.")]
    lines.extend(extra)
    if not any(line.lower().startswith("lưu") for line in extra):
        unit = (
            document.drafting_unit.short_name
            if document.drafting_unit_id != document.agency_id
            else ""
        )
        lines.append("Lưu: VT" + (f", {unit}" if unit else ""))
    return lines


def layout_of(document: OutgoingDocument) -> Layout:
    issued = document.status in (Status.ISSUED, Status.RECALLED)
    try:
        notation = document.notation or notation_for(document)
    except ValidationError:
        notation = document.type_abbreviation or ""
    return Layout(
        parent_body=parent_body(document.agency),
        issuing_body=document.agency.name,
        number_and_symbol=document.number_and_symbol,
        notation=notation,
        place=document.place,
        day=local_day(document.issued_at) if issued else None,
        type_name=document.type_name.split(" (")[0],
        is_letter=document.type_code in LETTER_TYPES,
        subject=document.subject,
        body=document.body,
        authority=document.authority,
        authority_of=document.authority_of,
        signer_position=document.signer_position,
        signer_name=document.signer_name,
        recipients=recipient_lines(document),
        urgency=document.urgency,
        confidentiality=document.confidentiality,
        approved_by=str(document.approved_by) if document.approved_by_id else "",
        approved_at=document.approved_at,
        digitally_signed=document.digitally_signed,
        draft=not issued,
    )


def document_pdf(document: OutgoingDocument) -> bytes:
    """The issued PDF as kept at issuance, or a fresh rendering of a draft."""
    if document.issued_pdf:
        return bytes(document.issued_pdf)
    return render(layout_of(document))
