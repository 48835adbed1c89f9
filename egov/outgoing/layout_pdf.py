"""The fpdf page of an outgoing document (Decree 30 margins, fonts, page numbers).

Apart from :mod:`egov.outgoing.layout` so that importing the layout (its data
classes, marks and helpers) does not load fpdf, fontTools and Pillow into every
worker: only the code that draws a PDF imports this module."""

from __future__ import annotations

from fpdf import FPDF

from egov.outgoing.layout import _FONT_FILES, BODY_SIZE, FONT, FONT_DIR


class DocumentPDF(FPDF):
    def __init__(self, footer_text: str = "") -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        for style, filename in _FONT_FILES.items():
            self.add_font(FONT, style, str(FONT_DIR / filename))
        self.set_margins(left=30, top=20, right=15)
        self.set_auto_page_break(True, margin=20)
        self.set_lang("vi")
        self.set_creator("egov")
        self.footer_text = footer_text
        #: (page from 0, x, y from the top, width, height) in mm, set by ``_closing``.
        self.signature_space: tuple[int, float, float, float, float] | None = None
        self.set_font(FONT, "", BODY_SIZE)

    def header(self) -> None:
        # Page numbers from the second page on, centred in the top margin (Phụ lục I).
        if self.page_no() > 1:
            self.set_y(10)
            self.set_font(FONT, "", 13)
            self.cell(0, 5, str(self.page_no()), align="C")
            self.set_y(20)

    def footer(self) -> None:
        if self.footer_text:
            self.set_y(-14)
            self.set_font(FONT, "I", 9)
            self.cell(0, 4, self.footer_text, align="C")
