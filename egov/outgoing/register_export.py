"""The outgoing register (sổ đăng ký văn bản đi, Phụ lục IV) for a period as an A4
landscape PDF and as an Excel workbook, with the decree's ten columns."""

from __future__ import annotations

import io
from datetime import date

from egov.core.formatting import format_date
from egov.core.models import Unit
from egov.outgoing.layout import FONT
from egov.outgoing.selectors import RegisterRow

COLUMNS: tuple[tuple[str, float], ...] = (
    ("Số, ký hiệu văn bản", 28),
    ("Ngày tháng văn bản", 20),
    ("Tên loại và trích yếu nội dung", 62),
    ("Người ký", 26),
    ("Nơi nhận văn bản", 40),
    ("Đơn vị, người nhận bản lưu", 22),
    ("Số lượng bản", 12),
    ("Ngày chuyển", 18),
    ("Ký nhận", 14),
    ("Ghi chú", 30),
)


def _cells(row: RegisterRow) -> list[str]:
    return [
        row.number_and_symbol,
        format_date(row.issued_on),
        row.type_and_subject,
        row.signer,
        row.recipients,
        row.kept_by,
        str(row.copies),
        format_date(row.sent_on) if row.sent_on else "",
        "",
        row.notes,
    ]


def title(agency: Unit, start: date, end: date, confidential: bool) -> str:
    kind = "SỔ ĐĂNG KÝ VĂN BẢN ĐI (MẬT)" if confidential else "SỔ ĐĂNG KÝ VĂN BẢN ĐI"
    return f"{kind}\n{agency.name}\nTừ ngày {format_date(start)} đến ngày {format_date(end)}"


def register_pdf(
    agency: Unit, start: date, end: date, rows: list[RegisterRow], *, confidential: bool = False
) -> bytes:
    from fpdf.fonts import FontFace

    from egov.outgoing.layout_pdf import DocumentPDF

    pdf = DocumentPDF(footer_text=f"{agency.name} — sổ văn bản đi")
    pdf.set_margins(left=12, top=12, right=12)
    pdf.add_page(orientation="L")
    pdf.set_font(FONT, "B", 13)
    pdf.multi_cell(
        0, 6.5, title(agency, start, end, confidential), align="C", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.ln(3)
    total = sum(width for _name, width in COLUMNS)
    widths = [pdf.epw * width / total for _name, width in COLUMNS]
    pdf.set_font(FONT, "", 9.5)
    with pdf.table(
        col_widths=widths,
        text_align="LEFT",
        line_height=4.6,
        headings_style=FontFace(emphasis="BOLD"),
        first_row_as_headings=True,
    ) as table:
        heading = table.row()
        for name, _width in COLUMNS:
            heading.cell(name)
        for row in rows:
            line = table.row()
            for value in _cells(row):
                line.cell(value)
    if not rows:
        pdf.ln(4)
        pdf.set_font(FONT, "I", 11)
        pdf.cell(0, 6, "Không có văn bản đi trong kỳ này.", align="C")
    return bytes(pdf.output())


def register_workbook(
    agency: Unit, start: date, end: date, rows: list[RegisterRow], *, confidential: bool = False
) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "So van ban di"
    heading = title(agency, start, end, confidential).replace("\n", " — ")
    sheet.append([heading])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([name for name, _width in COLUMNS])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        values: list[object] = list(_cells(row))
        values[1] = row.issued_on
        values[6] = row.copies
        values[7] = row.sent_on
        sheet.append(values)
    for index, (_name, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for line in sheet.iter_rows(min_row=3):
        line[1].number_format = "DD/MM/YYYY"
        line[7].number_format = "DD/MM/YYYY"
        for cell in line:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A3"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
