"""Form 07, the register of dossiers received, as an Excel workbook."""

from __future__ import annotations

import datetime as dt
import io

from egov.core.models import Unit
from egov.dossiers.form_defaults import REGISTER_FORM_CODE
from egov.dossiers.paperforms.context import form_template
from egov.dossiers.paperforms.register import register_rows

REGISTER_COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("no", "STT", 6),
    ("code", "Mã hồ sơ", 26),
    ("procedure_name", "Tên thủ tục hành chính", 40),
    ("sets", "Số lượng hồ sơ (bộ)", 10),
    ("applicant", "Tổ chức, cá nhân nộp hồ sơ (địa chỉ, điện thoại)", 40),
    ("handling_agency", "Cơ quan chủ trì giải quyết", 28),
    ("received_by", "Người tiếp nhận", 22),
    ("received_date", "Nhận hồ sơ", 12),
    ("due_date", "Hẹn trả kết quả", 12),
    ("resolved_date", "Có kết quả", 12),
    ("returned_date", "Trả kết quả", 12),
    ("status", "Tình trạng", 20),
    ("note", "Ghi chú", 14),
)


def register_xlsx(unit: Unit, start: dt.date, end: dt.date) -> bytes:
    """Form 07 of ``unit`` for the period as an Excel workbook."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    title, _body = form_template(REGISTER_FORM_CODE)
    rows = register_rows(unit, start, end)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "So theo doi ho so"
    sheet.append([title.upper()])
    sheet.append([f"Đơn vị: {unit.name}"])
    sheet.append([f"Từ ngày {start:%d/%m/%Y} đến ngày {end:%d/%m/%Y}. Tổng số: {len(rows)} hồ sơ."])
    sheet.append([])
    sheet.append([label for _key, label, _width in REGISTER_COLUMNS])
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet["A1"].font = Font(bold=True, size=14)
    for row in rows:
        sheet.append([row[key] for key, _label, _width in REGISTER_COLUMNS])
        for cell in sheet[sheet.max_row]:
            # Text typed by applicants must never become a spreadsheet formula.
            if isinstance(cell.value, str):
                cell.data_type = "s"
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for index, (_key, _label, width) in enumerate(REGISTER_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
