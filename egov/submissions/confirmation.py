"""What a citizen is told once an online dossier is submitted: the code, what
happens next and when, how they will hear, and the same on a PDF receipt
(phiếu xác nhận nộp hồ sơ trực tuyến) they can keep.

The desk checks online dossiers in working hours; the page says by when the
citizen can expect it — the end of the next working day after submission, on the
province's working calendar — and that the legal time limit counts from the
moment of acceptance, not from submission.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core.workcalendar import get_calendar
from egov.dossiers.paperforms.context import public_lookup_url
from egov.procedures.selectors import describe_time_limit
from egov.submissions.models import Draft


@dataclass(frozen=True)
class Confirmation:
    code: str
    procedure: str
    agency: str
    applicant: str
    submitted_at: datetime
    check_by: date
    time_limit: str
    phone: str
    email: str
    papers: tuple[str, ...]
    lookup_url: str


def confirmation_for(draft: Draft) -> Confirmation:
    """The facts of a submitted draft (the caller has checked it is the asker's)."""
    dossier = draft.submission.dossier
    submitted_at = dossier.submitted_at or draft.submission.submitted_at
    submitted_on = timezone.localtime(submitted_at).date()
    return Confirmation(
        code=dossier.code,
        procedure=draft.procedure_version.name,
        agency=dossier.receiving_agency.name,
        applicant=dossier.applicant_name,
        submitted_at=submitted_at,
        check_by=get_calendar().nth_working_day_after(submitted_on, 1),
        time_limit=describe_time_limit(draft.procedure_version),
        phone=dossier.applicant_phone,
        email=dossier.applicant_email,
        papers=tuple(dossier.papers.order_by("pk").values_list("name", flat=True)),
        lookup_url=public_lookup_url(dossier.code),
    )


def receipt_pdf(facts: Confirmation) -> bytes:
    """The receipt as an A4 PDF with a QR code to the public lookup."""
    from egov.dossiers.paperforms.pdf import FONT_FAMILY, FormPDF, draw_qr, qr_matrix

    pdf = FormPDF(footer_code=facts.code)
    pdf.add_page()
    pdf.set_font(FONT_FAMILY, "B", 14)
    pdf.multi_cell(
        0, 7, _("CONFIRMATION OF AN ONLINE SUBMISSION"), align="C", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.ln(2)
    pdf.set_font(FONT_FAMILY, "", 12)
    pdf.multi_cell(0, 6, _("Dossier code"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, "B", 18)
    pdf.multi_cell(0, 10, facts.code, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    moment = timezone.localtime(facts.submitted_at).strftime("%H:%M %d/%m/%Y")
    rows = [
        (_("Procedure"), facts.procedure),
        (_("Sent to"), facts.agency),
        (_("Applicant"), facts.applicant),
        (_("Submitted at"), moment),
        (_("Checked by the one-stop desk by"), facts.check_by.strftime("%d/%m/%Y")),
        (_("Legal time limit, from acceptance"), facts.time_limit),
    ]
    for label, value in rows:
        pdf.set_font(FONT_FAMILY, "B", 12)
        pdf.multi_cell(0, 6, f"{label}:", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT_FAMILY, "", 12)
        pdf.multi_cell(0, 6, value, new_x="LMARGIN", new_y="NEXT")
    if facts.papers:
        pdf.ln(2)
        pdf.set_font(FONT_FAMILY, "B", 12)
        pdf.multi_cell(0, 6, _("Papers sent") + ":", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT_FAMILY, "", 12)
        for number, name in enumerate(facts.papers, start=1):
            pdf.multi_cell(0, 6, f"{number}. {name}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font(FONT_FAMILY, "I", 11)
    pdf.multi_cell(
        0,
        5.5,
        _(
            "This paper confirms that the dossier was sent, not that it was accepted. "
            "Follow it with the code at %(url)s."
        )
        % {"url": facts.lookup_url},
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(2)
    draw_qr(pdf, pdf.l_margin, pdf.get_y(), 30, qr_matrix(facts.lookup_url))
    return bytes(pdf.output())
