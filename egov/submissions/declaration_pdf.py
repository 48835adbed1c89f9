"""The online declaration of a dossier as an A4 PDF, laid out with the one-stop
forms' PDF class and vendored font (:class:`egov.dossiers.paperforms.pdf.FormPDF`).

Like the printed forms, it is in Vietnamese whatever the language of the person
printing it: it is the applicant's declaration, kept with the dossier.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import translation

from egov.core.formatting import format_date, format_time
from egov.dossiers.models import Dossier
from egov.submissions.declaration import Declaration, declaration_of

if TYPE_CHECKING:
    # fpdf loads when a PDF is drawn, not in every worker.
    from egov.dossiers.paperforms.pdf import FormPDF


def _heading(pdf: FormPDF, agency: str) -> None:
    from egov.dossiers.paperforms.pdf import FONT_FAMILY

    top = pdf.get_y()
    left = pdf.epw * 0.42
    pdf.set_font(FONT_FAMILY, "B", 10)
    pdf.multi_cell(left, 5, agency.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    bottom = pdf.get_y()
    pdf.set_xy(pdf.l_margin + left, top)
    right = pdf.epw - left
    pdf.multi_cell(
        right, 5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="C", new_x="LEFT", new_y="NEXT"
    )
    pdf.set_font(FONT_FAMILY, "B", 11)
    pdf.multi_cell(
        right, 6, "Độc lập - Tự do - Hạnh phúc", align="C", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_y(max(bottom, pdf.get_y()) + 6)


def _sections(pdf: FormPDF, declaration: Declaration) -> None:
    from fpdf.fonts import FontFace

    from egov.dossiers.paperforms.pdf import FONT_FAMILY

    for section in declaration.sections:
        pdf.set_font(FONT_FAMILY, "B", 12)
        pdf.multi_cell(0, 7, section.title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT_FAMILY, "", 11)
        with pdf.table(
            col_widths=(45, 55),
            first_row_as_headings=False,
            line_height=5.5,
            padding=1,
            text_align="LEFT",
            borders_layout="HORIZONTAL_LINES",
        ) as table:
            for row in section.rows:
                cells = table.row()
                cells.cell(row.label)
                cells.cell(row.value or "—", style=FontFace(emphasis="BOLD"))
        pdf.ln(3)


def render_declaration(dossier: Dossier) -> bytes | None:
    """The declaration of ``dossier`` as PDF bytes; ``None`` when it has none."""
    from fpdf.fonts import FontFace

    from egov.dossiers.paperforms.pdf import FONT_FAMILY, FormPDF

    with translation.override("vi"):
        declaration = declaration_of(dossier)
        if declaration is None:
            return None
        pdf = FormPDF(footer_code=dossier.code)
        pdf.set_title(f"{declaration.title} – {dossier.code}")
        pdf.set_author(dossier.applicant_name)
        pdf.add_page()
        _heading(pdf, dossier.receiving_agency.name)
        pdf.set_font(FONT_FAMILY, "B", 14)
        pdf.multi_cell(0, 7, declaration.title.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT_FAMILY, "", 11)
        pdf.multi_cell(
            0,
            6,
            f"Kính gửi: {dossier.receiving_agency.name}",
            align="C",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.multi_cell(0, 6, f"Mã hồ sơ: {dossier.code}", align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
        pdf.set_font(FONT_FAMILY, "B", 12)
        pdf.multi_cell(0, 7, "Người yêu cầu", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT_FAMILY, "", 11)
        with pdf.table(
            col_widths=(45, 55),
            first_row_as_headings=False,
            line_height=5.5,
            padding=1,
            text_align="LEFT",
            borders_layout="HORIZONTAL_LINES",
        ) as table:
            for label, value in (
                ("Họ, chữ đệm, tên", dossier.applicant_name),
                ("Số định danh cá nhân / mã số thuế", dossier.applicant_id_number),
                ("Nơi cư trú", dossier.applicant_address),
                ("Số điện thoại", dossier.applicant_phone),
            ):
                cells = table.row()
                cells.cell(label)
                cells.cell(value or "—", style=FontFace(emphasis="BOLD"))
        pdf.ln(3)
        _sections(pdf, declaration)
        pdf.ln(4)
        pdf.set_font(FONT_FAMILY, "I", 10)
        submitted = declaration.submitted_at
        pdf.multi_cell(
            0,
            5,
            f"Tờ khai điện tử do người yêu cầu khai và nộp trực tuyến lúc {format_time(submitted)} "
            f"ngày {format_date(submitted)} trên Cổng dịch vụ công; bản in do hệ thống lập "
            "từ dữ liệu đã khai.",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        return bytes(pdf.output())
