"""A work file exported for reading or for the archive, its documents in date order
with the table of contents (mục lục văn bản, Nghị định 30/2020 Phụ lục IV/V).

PDF: fpdf2 with the vendored Be Vietnam Pro font (covers Vietnamese): the cover
(agency, symbol, title, dates, retention, responsible unit) then the table of
contents.

XML (UTF-8, ``xml.etree``), one element per field of the file's metadata
(Nghị định 30/2020 Phụ lục VI), then the documents::

    <WorkFile version="1">
      <FileCode>000.00.12.H33.2026.01.TP</FileCode>   agency code . year . symbol
      <Symbol>01.TP</Symbol>
      <Title>…</Title>
      <Agency code="000.00.12.H33">Sở Tư pháp</Agency>
      <Unit>…</Unit>                                 responsible unit
      <Creator>…</Creator>                           responsible person
      <Maintenance years="10">10 năm</Maintenance>  no ``years``: permanent (Vĩnh viễn)
      <Rights>normal|restricted</Rights>             restricted: holds confidential papers
      <Language>vi</Language>
      <StartDate>2026-01-05</StartDate>              ISO dates
      <EndDate>2026-12-20</EndDate>                  empty while the file is open
      <Status>open|closed|handed_over</Status>
      <HandoverDue>2027-12-31</HandoverDue>          empty when not handed over
      <ArchiveReceipt>…</ArchiveReceipt>
      <DocTotal>3</DocTotal>                         documents listed below
      <PageTotal>7</PageTotal>                       pages known of them
      <Withheld>1</Withheld>                         confidential, not for the reader
      <Description>…</Description>
      <Documents>
        <Document order="1" kind="incoming|outgoing" id="12">
          <Date>2026-11-27</Date><NumberSymbol>176/KH-UBND</NumberSymbol>
          <Issuer>…</Issuer><Subject>…</Subject><Pages>3</Pages>
        </Document>
      </Documents>
    </WorkFile>
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from egov.core.formatting import format_date
from egov.workfiles.models import DocumentKind, WorkFile
from egov.workfiles.selectors import FileItem

FONT_DIR = Path(__file__).resolve().parent.parent / "dossiers" / "fonts"
FONT = "BeVietnamPro"
TOC_WIDTHS = (10, 30, 20, 38, 74, 18)
KIND_SHORT: dict[str, str] = {DocumentKind.INCOMING: "Đến", DocumentKind.OUTGOING: "Đi"}


def retention_label(years: int | None) -> str:
    """Printed in Vietnamese whatever the reader's language: the archive's copy."""
    return "Vĩnh viễn" if years is None else f"{years} năm"


def file_code(work_file: WorkFile) -> str:
    return f"{work_file.agency.code}.{work_file.year}.{work_file.symbol}"


def _shown(items: Sequence[FileItem]) -> list[FileItem]:
    return [item for item in items if item.ref is not None]


class FilePDF(FPDF):
    def __init__(self) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        for style, name in (("", "Regular"), ("B", "Bold"), ("I", "Italic")):
            self.add_font(FONT, style, str(FONT_DIR / f"BeVietnamPro-{name}.ttf"))
        self.set_auto_page_break(auto=True, margin=14)
        self.set_margins(15, 12, 15)

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font(FONT, size=8)
        self.cell(0, 5, f"Trang {self.page_no()}/{{nb}}", align="C")


def _line(pdf: FPDF, label: str, value: str) -> None:
    pdf.set_font(FONT, "B", 10)
    pdf.cell(48, 6, label)
    pdf.set_font(FONT, "", 10)
    pdf.multi_cell(0, 6, value or "—", new_x="LMARGIN", new_y="NEXT")


def file_pdf(work_file: WorkFile, items: Sequence[FileItem]) -> bytes:
    shown = _shown(items)
    withheld = len(items) - len(shown)
    pdf = FilePDF()
    pdf.set_title(f"Hồ sơ {work_file.symbol}")
    pdf.add_page()
    pdf.set_font(FONT, "B", 11)
    pdf.multi_cell(0, 6, work_file.agency.name.upper(), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(18)
    pdf.set_font(FONT, "B", 20)
    pdf.cell(0, 12, "HỒ SƠ", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "B", 13)
    pdf.multi_cell(0, 8, work_file.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(10)
    _line(pdf, "Mã hồ sơ:", file_code(work_file))
    _line(pdf, "Ký hiệu hồ sơ:", work_file.symbol)
    _line(
        pdf,
        "Đơn vị/người lập:",
        f"{work_file.unit.name} — {work_file.owner.get_full_name() or work_file.owner}",
    )
    _line(
        pdf,
        "Thời gian:",
        f"{format_date(work_file.start_date)} – {format_date(work_file.end_date) or 'đang mở'}",
    )
    _line(pdf, "Thời hạn bảo quản:", retention_label(work_file.retention_years))
    _line(pdf, "Số lượng văn bản:", str(len(shown)))
    pages = sum(item.ref.pages or 0 for item in shown if item.ref)
    _line(pdf, "Số trang (đã biết):", str(pages) if pages else "")
    if work_file.handover_due:
        _line(pdf, "Hạn nộp lưu:", format_date(work_file.handover_due))
    if work_file.archive_receipt:
        _line(pdf, "Số biên bản nộp lưu:", work_file.archive_receipt)
    if withheld:
        pdf.ln(4)
        pdf.set_font(FONT, "I", 10)
        pdf.multi_cell(
            0,
            6,
            f"{withheld} văn bản mật không hiển thị với người tải "
            "(chỉ người được chỉ định mới xem được).",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    pdf.add_page()
    pdf.set_font(FONT, "B", 14)
    pdf.cell(0, 9, "MỤC LỤC VĂN BẢN", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 10)
    pdf.cell(
        0,
        6,
        f"Hồ sơ {work_file.symbol}: {work_file.title}"[:120],
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)
    pdf.set_font(FONT, "", 8.5)
    with pdf.table(
        col_widths=TOC_WIDTHS,
        headings_style=FontFace(emphasis="BOLD", fill_color=(230, 236, 245)),
        line_height=4.4,
        text_align="LEFT",
        repeat_headings=1,
    ) as table:
        table.row(["STT", "Số, ký hiệu", "Ngày", "Tác giả", "Trích yếu nội dung", "Đến/Đi"])
        for order, item in enumerate(shown, start=1):
            ref = item.ref
            assert ref is not None
            table.row(
                [
                    str(order),
                    ref.number_symbol or "—",
                    format_date(ref.date),
                    ref.issuer,
                    ref.subject,
                    KIND_SHORT.get(ref.kind, ref.kind),
                ]
            )
    if not shown:
        pdf.ln(4)
        pdf.cell(0, 6, "Hồ sơ chưa có văn bản.", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _text(parent: ET.Element, tag: str, value: object = "", **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    element.text = "" if value is None else str(value)
    return element


def file_xml(work_file: WorkFile, items: Sequence[FileItem]) -> bytes:
    shown = _shown(items)
    root = ET.Element("WorkFile", {"version": "1"})
    _text(root, "FileCode", file_code(work_file))
    _text(root, "Symbol", work_file.symbol)
    _text(root, "Title", work_file.title)
    _text(root, "Agency", work_file.agency.name, code=work_file.agency.code)
    _text(root, "Unit", work_file.unit.name)
    _text(root, "Creator", work_file.owner.get_full_name() or str(work_file.owner))
    years = {} if work_file.retention_years is None else {"years": str(work_file.retention_years)}
    _text(root, "Maintenance", retention_label(work_file.retention_years), **years)
    restricted = any(item.ref is None or item.ref.confidential for item in items)
    _text(root, "Rights", "restricted" if restricted else "normal")
    _text(root, "Language", work_file.language)
    _text(root, "StartDate", work_file.start_date.isoformat())
    _text(root, "EndDate", work_file.end_date.isoformat() if work_file.end_date else "")
    _text(root, "Status", work_file.status)
    _text(root, "HandoverDue", work_file.handover_due.isoformat() if work_file.handover_due else "")
    _text(root, "ArchiveReceipt", work_file.archive_receipt)
    _text(root, "DocTotal", len(shown))
    _text(root, "PageTotal", sum(item.ref.pages or 0 for item in shown if item.ref))
    _text(root, "Withheld", len(items) - len(shown))
    _text(root, "Description", work_file.description)
    documents = ET.SubElement(root, "Documents")
    for order, item in enumerate(shown, start=1):
        ref = item.ref
        assert ref is not None
        node = ET.SubElement(
            documents, "Document", {"order": str(order), "kind": ref.kind, "id": str(ref.id)}
        )
        _text(node, "Date", ref.date.isoformat() if ref.date else "")
        _text(node, "NumberSymbol", ref.number_symbol)
        _text(node, "Issuer", ref.issuer)
        _text(node, "Subject", ref.subject)
        _text(node, "Pages", ref.pages if ref.pages is not None else "")
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
