"""The incoming and follow-up registers for a period as an A4 landscape PDF (fpdf2,
the vendored Be Vietnam Pro font that covers Vietnamese) and as an Excel workbook."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

# The fonts vendored for the platform's printed forms (read as files, not imported).
FONT_DIR = Path(__file__).resolve().parent.parent / "dossiers" / "fonts"

INCOMING_WIDTHS = (18, 13, 32, 26, 18, 62, 40, 18, 18, 32)
FOLLOW_UP_WIDTHS = (14, 62, 50, 24, 52, 30, 45)
INCOMING_XLSX_WIDTHS = (12, 8, 28, 18, 12, 50, 34, 12, 12, 20)
FOLLOW_UP_XLSX_WIDTHS = (8, 46, 36, 14, 40, 20, 24)


class RegisterPDF(FPDF):
    def __init__(self) -> None:
        super().__init__(orientation="L", unit="mm", format="A4")
        self.add_font("BeVietnamPro", "", str(FONT_DIR / "BeVietnamPro-Regular.ttf"))
        self.add_font("BeVietnamPro", "B", str(FONT_DIR / "BeVietnamPro-Bold.ttf"))
        self.set_auto_page_break(auto=True, margin=12)
        self.set_margins(10, 10, 10)

    def footer(self) -> None:
        self.set_y(-9)
        self.set_font("BeVietnamPro", size=8)
        self.cell(0, 5, f"Trang {self.page_no()}/{{nb}}", align="C")


def register_pdf(
    title: str,
    agency: str,
    start: date,
    end: date,
    columns: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    follow_up: bool = False,
) -> bytes:
    pdf = RegisterPDF()
    pdf.add_page()
    pdf.set_font("BeVietnamPro", "B", 11)
    pdf.cell(0, 6, agency.upper(), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("BeVietnamPro", "B", 15)
    pdf.cell(0, 9, title.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("BeVietnamPro", "", 10)
    pdf.cell(
        0,
        6,
        f"Từ ngày {start:%d/%m/%Y} đến ngày {end:%d/%m/%Y} — {len(rows)} văn bản",
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(2)
    widths = FOLLOW_UP_WIDTHS if follow_up else INCOMING_WIDTHS
    pdf.set_font("BeVietnamPro", "", 8)
    with pdf.table(
        col_widths=widths,
        headings_style=FontFace(emphasis="BOLD", fill_color=(230, 236, 245)),
        line_height=4.2,
        text_align="LEFT",
        repeat_headings=1,
    ) as table:
        table.row(list(columns))
        for row in rows:
            table.row([value or "" for value in row])
    return bytes(pdf.output())


def register_xlsx(
    title: str,
    agency: str,
    start: date,
    end: date,
    columns: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    follow_up: bool = False,
) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "So theo doi" if follow_up else "So van ban den"
    sheet.append([title.upper()])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([agency])
    sheet.append([f"Từ ngày {start:%d/%m/%Y} đến ngày {end:%d/%m/%Y}. Tổng số: {len(rows)}."])
    sheet.append([])
    sheet.append(list(columns))
    header = sheet.max_row
    for cell in sheet[header]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        sheet.append(list(row))
        for cell in sheet[sheet.max_row]:
            # Text from senders and OCR must never become a spreadsheet formula.
            if isinstance(cell.value, str):
                cell.data_type = "s"
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    widths = FOLLOW_UP_XLSX_WIDTHS if follow_up else INCOMING_XLSX_WIDTHS
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = sheet.cell(row=header + 1, column=1)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
