"""A report as a PDF in the Nghị định 30/2020 layout (outgoing's A4 page, fonts and
heading conventions) and as an Excel workbook (openpyxl)."""

from __future__ import annotations

import contextlib
import io
import unicodedata
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from egov.core.formatting import format_date
from egov.core.selectors.units import parent_of
from egov.outgoing.layout import (
    FONT,
    MOTTO,
    MOTTO_LINE,
    UNSIGNED_MARK,
    vietnamese_date,
)
from egov.reporting.models import Report

if TYPE_CHECKING:
    from egov.outgoing.layout_pdf import DocumentPDF

PLACE = "Kiên Giang"


def _nfc(text: Any) -> str:
    return unicodedata.normalize("NFC", str(text or ""))


def rows_of(report: Report) -> list[dict[str, Any]]:
    """The form's lines: indicator, unit of measure, value, note, automatic or not."""
    rows = []
    for number, indicator in enumerate(report.regime.indicators.all(), start=1):
        item = report.values.get(indicator.code) or {}
        rows.append(
            {
                "number": number,
                "code": indicator.code,
                "group": indicator.group,
                "label": indicator.label,
                "measure": indicator.measure,
                "value": item.get("value", ""),
                "note": item.get("note", ""),
                "auto": bool(indicator.source),
            }
        )
    return rows


def _heading(pdf: DocumentPDF, report: Report) -> None:
    top = pdf.get_y()
    left = pdf.epw * 0.45
    right_x = pdf.l_margin + left
    right = pdf.epw - left
    parent = parent_of(report.unit)
    if parent is not None:
        pdf.set_font(FONT, "", 12)
        pdf.multi_cell(
            left, 5.5, _nfc(parent.name).upper(), align="C", new_x="LMARGIN", new_y="NEXT"
        )
    pdf.set_font(FONT, "B", 12)
    pdf.multi_cell(
        left, 5.5, _nfc(report.unit.name).upper(), align="C", new_x="LMARGIN", new_y="NEXT"
    )
    middle = pdf.l_margin + left / 2
    pdf.line(middle - 10, pdf.get_y() + 0.8, middle + 10, pdf.get_y() + 0.8)
    pdf.ln(3)
    pdf.set_font(FONT, "", 13)
    pdf.multi_cell(left, 6, "Số:      /BC", align="C", new_x="LMARGIN", new_y="NEXT")
    bottom = pdf.get_y()
    pdf.set_xy(right_x, top)
    pdf.set_font(FONT, "B", 12)
    pdf.multi_cell(right, 5.5, MOTTO, align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font(FONT, "B", 13)
    pdf.multi_cell(right, 6, MOTTO_LINE, align="C", new_x="LEFT", new_y="NEXT")
    width = pdf.get_string_width(MOTTO_LINE)
    centre = right_x + right / 2
    pdf.line(centre - width / 2, pdf.get_y() + 0.5, centre + width / 2, pdf.get_y() + 0.5)
    pdf.ln(3.5)
    pdf.set_x(right_x)
    pdf.set_font(FONT, "I", 13)
    day = timezone.localdate(report.approved_at) if report.approved_at else None
    pdf.multi_cell(right, 6, vietnamese_date(PLACE, day), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(pdf.get_y(), bottom) + 4)


def report_pdf(report: Report) -> bytes:
    """The report on A4: heading, title, the figures' table, text sections and the
    approval block (who approved; "CHƯA KÝ SỐ" until a signature is applied)."""
    from egov.outgoing.layout_pdf import DocumentPDF

    pdf = DocumentPDF(footer_text=_nfc(f"{report.regime.title} — {report.period_label}"))
    pdf.add_page()
    _heading(pdf, report)
    pdf.set_font(FONT, "B", 14)
    pdf.multi_cell(0, 7, "BÁO CÁO", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 7, _nfc(report.regime.title), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "I", 12)
    pdf.multi_cell(0, 6, _nfc(report.period_label), align="C", new_x="LMARGIN", new_y="NEXT")
    if report.version > 1:
        pdf.multi_cell(
            0,
            6,
            _nfc(f"Bản đính chính lần {report.version - 1}"),
            align="C",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    pdf.ln(4)
    pdf.set_font(FONT, "", 11)
    widths = (10, 95, 25, 35)
    with pdf.table(
        col_widths=widths, text_align=("CENTER", "LEFT", "CENTER", "RIGHT"), line_height=6
    ) as table:
        header = table.row()
        for title in ("TT", "Chỉ tiêu", "Đơn vị tính", "Số liệu"):
            header.cell(title)
        for row in rows_of(report):
            line = table.row()
            line.cell(str(row["number"]))
            line.cell(_nfc(row["label"]) + (" (*)" if row["auto"] else ""))
            line.cell(_nfc(row["measure"]))
            line.cell(_nfc(row["value"]))
    pdf.set_font(FONT, "I", 10)
    pdf.multi_cell(0, 5, "(*) Số liệu tự động từ hệ thống.", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    for section in report.regime.sections or []:
        text = (report.texts or {}).get(section.get("code"), "")
        pdf.set_font(FONT, "B", 13)
        pdf.multi_cell(0, 7, _nfc(section.get("title")), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, "", 13)
        pdf.multi_cell(0, 7, _nfc(text) or "—", align="J", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    pdf.ln(4)
    pdf.set_x(pdf.l_margin + pdf.epw * 0.5)
    pdf.set_font(FONT, "B", 13)
    pdf.multi_cell(pdf.epw * 0.5, 6, "THỦ TRƯỞNG ĐƠN VỊ", align="C", new_x="LMARGIN", new_y="NEXT")
    if report.approved_by_id:
        pdf.set_x(pdf.l_margin + pdf.epw * 0.5)
        pdf.set_font(FONT, "I", 11)
        note = f"Đã phê duyệt {format_date(report.approved_at)}"
        if not report.is_signed:
            note += f" — {UNSIGNED_MARK}"
        pdf.multi_cell(pdf.epw * 0.5, 6, _nfc(note), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(14)
        pdf.set_x(pdf.l_margin + pdf.epw * 0.5)
        pdf.set_font(FONT, "B", 13)
        name = report.approved_by.get_full_name() if report.approved_by else ""
        pdf.multi_cell(pdf.epw * 0.5, 6, _nfc(name), align="C", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


_LEVEL_COLUMNS = ("received", "new_online", "resolved", "resolved_in_time", "resolved_late")


def report_workbook(report: Report) -> bytes:
    """The report's figures, text sections and breakdown tables as an .xlsx file."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Bao cao"
    bold = Font(bold=True)
    sheet.append([_nfc(report.regime.title)])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([_nfc(report.unit.name), _nfc(report.period_label)])
    sheet.append([f"Phiên bản {report.version}", _nfc(report.get_status_display())])
    sheet.append([])
    sheet.append(["TT", "Mã", "Nhóm", "Chỉ tiêu", "Đơn vị tính", "Số liệu", "Tự động", "Ghi chú"])
    for cell in sheet[5]:
        cell.font = bold
    for row in rows_of(report):
        value: Any = row["value"]
        with contextlib.suppress(TypeError, ValueError):
            value = float(value) if value not in ("", None) and "." in value else int(value)
        sheet.append(
            [
                row["number"],
                row["code"],
                _nfc(row["group"]),
                _nfc(row["label"]),
                _nfc(row["measure"]),
                value,
                "x" if row["auto"] else "",
                _nfc(row["note"]),
            ]
        )
    sheet.column_dimensions["D"].width = 60
    sheet.column_dimensions["H"].width = 40
    for name, title in (("by_unit", "Theo don vi"), ("by_field", "Theo linh vuc")):
        table = (report.tables or {}).get(name) or []
        if not table:
            continue
        extra = book.create_sheet(title)
        extra.append(
            [
                "Mã",
                "Tên",
                "Tiếp nhận",
                "Trực tuyến",
                "Đã giải quyết",
                "Đúng hạn",
                "Quá hạn",
                "Đang xử lý quá hạn",
            ]
        )
        for cell in extra[1]:
            cell.font = bold
        for line in table:
            extra.append(
                [
                    line["code"],
                    _nfc(line["name"]),
                    line["received"],
                    line["new_online"],
                    line["resolved"],
                    line["resolved_in_time"],
                    line["resolved_late"],
                    line["in_progress_overdue"],
                ]
            )
        extra.column_dimensions["B"].width = 50
    levels = (report.tables or {}).get("by_level") or []
    if levels:
        extra = book.create_sheet("Theo cap va linh vuc")
        extra.append(
            ["Cấp / Lĩnh vực", "Tiếp nhận", "Trực tuyến", "Đã giải quyết", "Đúng hạn", "Quá hạn"]
        )
        for cell in extra[1]:
            cell.font = bold
        for level in levels:
            extra.append([_nfc(level["name"]), *[level[key] for key in _LEVEL_COLUMNS]])
            for cell in extra[extra.max_row]:
                cell.font = bold
            for line in level.get("fields") or []:
                extra.append(["    " + _nfc(line["name"]), *[line[key] for key in _LEVEL_COLUMNS]])
        extra.column_dimensions["A"].width = 50
    texts = book.create_sheet("Thuyet minh")
    for section in report.regime.sections or []:
        texts.append([_nfc(section.get("title"))])
        texts.append([_nfc((report.texts or {}).get(section.get("code"), ""))])
        texts.cell(row=texts.max_row, column=1).alignment = Alignment(wrap_text=True)
    texts.column_dimensions["A"].width = 100
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()
