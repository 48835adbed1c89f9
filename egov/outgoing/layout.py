"""An outgoing document laid out per Nghị định 30/2020/NĐ-CP, Phụ lục I, as an A4 PDF.

fpdf2 with the vendored Liberation Serif (Times New Roman metrics, Vietnamese
coverage), margins 20 mm top and bottom, 30 mm left, 15 mm right. The parts, in
their places: the issuing body under its parent (left) and the national motto
(right); the number and symbol (left) and place and date (right, italic); the
urgency and confidentiality marks; the type and summary (a công văn carries its
summary, "V/v …", under the number); the body in size 14; the signer's authority
(TM./KT./Q./TL./TUQ.), title and name; the recipients (Nơi nhận). The space between
title and name is where the signer's signature image is drawn when the document is
signed (``render_with_space`` says where); unsigned, it says who approved it, marked
"chưa ký số".
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from egov.core.formatting import format_date, format_time, local

if TYPE_CHECKING:
    # fpdf (with fontTools and Pillow) weighs tens of MB: loaded when a PDF is drawn.
    from egov.outgoing.layout_pdf import DocumentPDF

_subset_logger = logging.getLogger("fontTools.subset")
if _subset_logger.level == logging.NOTSET:
    _subset_logger.setLevel(logging.WARNING)

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "LiberationSerif"
_FONT_FILES = {
    "": "LiberationSerif-Regular.ttf",
    "B": "LiberationSerif-Bold.ttf",
    "I": "LiberationSerif-Italic.ttf",
    "BI": "LiberationSerif-BoldItalic.ttf",
}
BODY_SIZE = 14
HEADING_SIZE = 13
MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_LINE = "Độc lập - Tự do - Hạnh phúc"
UNSIGNED_MARK = "CHƯA KÝ SỐ"
#: Height of the space between the signer's title and name (the signature image).
SIGNATURE_SPACE_MM = 26
_POINTS_PER_MM = 72 / 25.4

URGENCY_MARKS = {"urgent": "KHẨN", "very_urgent": "THƯỢNG KHẨN", "flash": "HỎA TỐC"}
SECRECY_MARKS = {"confidential": "MẬT", "secret": "TỐI MẬT", "top_secret": "TUYỆT MẬT"}


@dataclass(frozen=True)
class Layout:
    """Everything printed on the document (built by ``outgoing.rendering``)."""

    parent_body: str
    issuing_body: str
    number_and_symbol: str  # "12/QĐ-UBND", or "" before issue ("Số:      /QĐ-UBND")
    notation: str
    place: str
    day: date | None
    type_name: str
    is_letter: bool  # công văn: no type name; "V/v <summary>" under the number
    subject: str
    body: str
    authority: str
    authority_of: str
    signer_position: str
    signer_name: str
    recipients: list[str] = field(default_factory=list)
    urgency: str = "normal"
    confidentiality: str = "normal"
    approved_by: str = ""
    approved_at: datetime | None = None
    digitally_signed: bool = False
    draft: bool = False


def vietnamese_date(place: str, day: date | None) -> str:
    """``Kiên Giang, ngày 05 tháng 02 năm 2026``: a day below 10 and the months 1 and 2
    take a leading zero (Phụ lục I); an undated draft leaves blanks."""
    if day is None:
        return f"{place}, ngày      tháng      năm"
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text or "")


def _heading(pdf: DocumentPDF, layout: Layout) -> None:
    top = pdf.get_y()
    left_width = pdf.epw * 0.45
    right_x = pdf.l_margin + left_width
    right_width = pdf.epw - left_width

    pdf.set_xy(pdf.l_margin, top)
    if layout.parent_body:
        pdf.set_font(FONT, "", HEADING_SIZE - 1)
        pdf.multi_cell(
            left_width,
            5.5,
            _nfc(layout.parent_body).upper(),
            align="C",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    pdf.set_font(FONT, "B", HEADING_SIZE - 1)
    pdf.multi_cell(
        left_width,
        5.5,
        _nfc(layout.issuing_body).upper(),
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    middle = pdf.l_margin + left_width / 2
    pdf.line(middle - 10, pdf.get_y() + 0.8, middle + 10, pdf.get_y() + 0.8)
    pdf.ln(3)
    pdf.set_font(FONT, "", HEADING_SIZE)
    number = layout.number_and_symbol or f"      /{layout.notation}"
    pdf.multi_cell(left_width, 6, f"Số: {number}", align="C", new_x="LMARGIN", new_y="NEXT")
    if layout.is_letter and layout.subject:
        pdf.set_font(FONT, "", HEADING_SIZE - 1)
        pdf.multi_cell(
            left_width,
            5.5,
            f"V/v {_nfc(layout.subject)}",
            align="C",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    left_bottom = pdf.get_y()

    pdf.set_xy(right_x, top)
    pdf.set_font(FONT, "B", HEADING_SIZE - 1)
    pdf.multi_cell(right_width, 5.5, MOTTO, align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font(FONT, "B", HEADING_SIZE)
    pdf.multi_cell(right_width, 6, MOTTO_LINE, align="C", new_x="LEFT", new_y="NEXT")
    width = pdf.get_string_width(MOTTO_LINE)
    centre = right_x + right_width / 2
    pdf.line(centre - width / 2, pdf.get_y() + 0.5, centre + width / 2, pdf.get_y() + 0.5)
    pdf.ln(3.5)
    pdf.set_x(right_x)
    pdf.set_font(FONT, "I", HEADING_SIZE)
    pdf.multi_cell(
        right_width,
        6,
        vietnamese_date(_nfc(layout.place), layout.day),
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_y(max(pdf.get_y(), left_bottom) + 3)


def _marks(pdf: DocumentPDF, layout: Layout) -> None:
    marks = [
        mark
        for mark in (
            SECRECY_MARKS.get(layout.confidentiality),
            URGENCY_MARKS.get(layout.urgency),
        )
        if mark
    ]
    if not marks:
        return
    pdf.set_font(FONT, "B", HEADING_SIZE + 1)
    for mark in marks:
        width = pdf.get_string_width(mark) + 6
        pdf.set_x(pdf.l_margin + 5)
        pdf.cell(width, 7, mark, border=1, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    pdf.ln(2)


def _title(pdf: DocumentPDF, layout: Layout) -> None:
    if layout.is_letter:
        pdf.ln(2)
        return
    pdf.set_font(FONT, "B", BODY_SIZE)
    pdf.multi_cell(0, 7, _nfc(layout.type_name).upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 7, _nfc(layout.subject), align="C", new_x="LMARGIN", new_y="NEXT")
    centre = pdf.l_margin + pdf.epw / 2
    pdf.line(centre - 15, pdf.get_y() + 1.5, centre + 15, pdf.get_y() + 1.5)
    pdf.ln(5)


def _body(pdf: DocumentPDF, layout: Layout) -> None:
    """Paragraphs justified, first line indented 1 cm, 6 pt apart (Phụ lục I, mục II.7)."""
    pdf.set_font(FONT, "", BODY_SIZE)
    paragraphs = [line.strip() for line in _nfc(layout.body).splitlines() if line.strip()]
    if paragraphs:
        with pdf.text_columns(text_align="J", line_height=1.4) as columns:
            for paragraph in paragraphs:
                with columns.paragraph(first_line_indent=10, bottom_margin=2) as par:
                    par.write(paragraph)
    pdf.ln(4)


def _signature_lines(layout: Layout) -> list[tuple[str, str]]:
    lines: list[tuple[str, str]] = []
    authority = layout.authority.strip()
    if authority and layout.authority_of:
        lines.append(("B", f"{authority} {_nfc(layout.authority_of).upper()}"))
    lines.append(("B", _nfc(layout.signer_position).upper()))
    return lines


def _closing(pdf: DocumentPDF, layout: Layout) -> None:
    left_width = pdf.epw * 0.45
    right_x = pdf.l_margin + left_width
    right_width = pdf.epw - left_width
    block_height = 7 * 2 + 34 + 8
    if pdf.get_y() + block_height > pdf.h - pdf.b_margin:
        pdf.add_page()
    top = pdf.get_y()

    # Nơi nhận (left): bold italic 12, entries 11, each on its own line.
    pdf.set_xy(pdf.l_margin, top)
    pdf.set_font(FONT, "BI", 12)
    pdf.cell(left_width, 6, "Nơi nhận:", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 11)
    entries = [entry for entry in layout.recipients if entry.strip()]
    for index, entry in enumerate(entries):
        end = "." if index == len(entries) - 1 else ";"
        pdf.multi_cell(
            left_width, 5, f"- {_nfc(entry).rstrip(';.')}{end}", new_x="LMARGIN", new_y="NEXT"
        )
    left_bottom = pdf.get_y()

    # Signature block (right).
    pdf.set_xy(right_x, top)
    for style, text in _signature_lines(layout):
        pdf.set_font(FONT, style, BODY_SIZE)
        pdf.multi_cell(right_width, 6.5, text, align="C", new_x="LEFT", new_y="NEXT")
    space_top = pdf.get_y() + 2
    pdf.signature_space = (pdf.page_no() - 1, right_x, space_top, right_width, SIGNATURE_SPACE_MM)
    pdf.set_font(FONT, "I", 10)
    if layout.draft:
        note = "(Dự thảo)"
    elif layout.digitally_signed:
        note = ""
    else:
        approved = ""
        if layout.approved_by:
            when = layout.approved_at
            stamp = f" lúc {format_time(when)} {format_date(when)}" if when else ""
            approved = f"\nĐã duyệt ký: {_nfc(layout.approved_by)}{stamp}"
        note = f"{UNSIGNED_MARK}{approved}"
    if note:
        pdf.set_xy(right_x, space_top + 4)
        with pdf.local_context(text_color=(180, 0, 0)):
            pdf.multi_cell(right_width, 4.5, note, align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_xy(right_x, space_top + SIGNATURE_SPACE_MM)
    pdf.set_font(FONT, "B", BODY_SIZE)
    pdf.multi_cell(
        right_width, 6.5, _nfc(layout.signer_name), align="C", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_y(max(pdf.get_y(), left_bottom) + 2)


@dataclass(frozen=True)
class SignatureSpace:
    """The space between the signer's title and name, in PDF points from the
    bottom left of its page (``page`` from 0): where the signature image goes."""

    page: int
    x1: float
    y1: float
    x2: float
    y2: float


def render(layout: Layout) -> bytes:
    """The document as PDF bytes."""
    return render_with_space(layout)[0]


def render_with_space(layout: Layout) -> tuple[bytes, SignatureSpace]:
    """The document as PDF bytes and where its signature image goes."""
    footer = ""
    if layout.draft:
        footer = "Dự thảo — chưa phát hành"
    elif not layout.digitally_signed:
        footer = "Văn bản chưa ký số: thông tin người duyệt ký được ghi trong hệ thống"
    from egov.outgoing.layout_pdf import DocumentPDF

    pdf = DocumentPDF(footer_text=footer)
    pdf.set_title(_nfc(layout.subject)[:200])
    pdf.add_page()
    _heading(pdf, layout)
    _marks(pdf, layout)
    _title(pdf, layout)
    _body(pdf, layout)
    _closing(pdf, layout)
    assert pdf.signature_space is not None
    page, x, y, width, height = pdf.signature_space
    k = _POINTS_PER_MM
    page_height = pdf.h * k
    space = SignatureSpace(
        page, x * k, page_height - (y + height) * k, (x + width) * k, page_height - y * k
    )
    return bytes(pdf.output()), space


def local_day(moment: datetime | None) -> date | None:
    return local(moment).date() if moment is not None else None
