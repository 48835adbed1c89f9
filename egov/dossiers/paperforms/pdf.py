"""Laying out the one-stop forms as A4 PDFs (fpdf2, vendored Be Vietnam Pro font).

The template language and the variables of each form are described in
:mod:`egov.dossiers.paperforms.context`; here is the page around them: the
national heading, the issuing agency, place and date, title, the rendered body
and the QR code pointing to the public lookup. Other apps print their own
documents with :class:`FormPDF` (e.g. the payment receipt).
"""

from __future__ import annotations

import hashlib
import json
import logging
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.template import Context, Engine, TemplateSyntaxError
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.fonts import TextStyle
from fpdf.html import HTML2FPDF

from egov.core.models import Unit
from egov.core.selectors.units import parent_of
from egov.dossiers.form_defaults import DOSSIER_FORM_CODES, REGISTER_FORM_CODE
from egov.dossiers.models import Dossier
from egov.dossiers.paperforms.context import (
    SAMPLE_CODE,
    FormRenderError,
    form_context,
    form_template,
    load_dossier,
    place_name,
    public_lookup_url,
    sample_context,
)

# fontTools logs every font subset at INFO (hundreds of lines per PDF); keep the
# platform's INFO log readable unless someone configured that logger on purpose.
_subset_logger = logging.getLogger("fontTools.subset")
if _subset_logger.level == logging.NOTSET:
    _subset_logger.setLevel(logging.WARNING)

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"
FONT_FAMILY = "BeVietnamPro"
_FONT_FILES = {
    "": "BeVietnamPro-Regular.ttf",
    "B": "BeVietnamPro-Bold.ttf",
    "I": "BeVietnamPro-Italic.ttf",
    "BI": "BeVietnamPro-BoldItalic.ttf",
}

QR_SIZE_MM = 28.0


# --- templates ------------------------------------------------------------------------

#: Marks a variable the template names but the context lacks (only while validating).
INVALID_MARKER = "\x00INVALID:%s\x00"


@cache
def _engine(strict: bool) -> Engine:
    # No template loaders: an edited form cannot {% include %} or {% extends %} files
    # of the platform. Autoescape: data is escaped into the HTML fpdf2 parses.
    return Engine(
        loaders=[("django.template.loaders.locmem.Loader", {})],
        autoescape=True,
        string_if_invalid=INVALID_MARKER if strict else "",
    )


def render_body(body: str, context: Mapping[str, Any], *, strict: bool = False) -> str:
    """The template ``body`` rendered with ``context`` to HTML (NFC-normalised).

    ``strict`` refuses variables the context does not have (used when validating an
    operator's edit on the sample context, which has all of them).
    """
    try:
        template = _engine(strict).from_string(body)
    except TemplateSyntaxError as error:
        raise FormRenderError(
            _("The template has a syntax error: %(error)s") % {"error": error}
        ) from error
    try:
        html = template.render(Context(dict(context)))
    except Exception as error:  # a filter failing on a value, a bad tag argument…
        raise FormRenderError(
            _("The template cannot be filled in: %(error)s") % {"error": error}
        ) from error
    if strict and "\x00INVALID:" in html:
        name = html.split("\x00INVALID:", 1)[1].split("\x00", 1)[0]
        raise FormRenderError(
            _("The template uses an unknown variable: %(name)s") % {"name": name or "?"}
        )
    # Decomposed input (e.g. typed on some phones) would print accents beside the letters.
    return unicodedata.normalize("NFC", html)


# --- the PDF --------------------------------------------------------------------------


def qr_matrix(text: str) -> list[list[bool]]:
    """The QR code of ``text`` as rows of modules (``True`` = dark), no quiet zone."""
    import qrcode

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(text)
    code.make(fit=True)
    return [[bool(module) for module in row] for row in code.get_matrix()]


def draw_qr(pdf: FPDF, x: float, y: float, size: float, matrix: Sequence[Sequence[bool]]) -> int:
    """Draw ``matrix`` as filled vector squares in a ``size``-mm square at (x, y);
    returns the number of dark modules drawn. Vector squares stay sharp when printed
    and need no image library or service."""
    count = len(matrix)
    module = size / count
    drawn = 0
    with pdf.local_context(fill_color=(0, 0, 0)):
        for row_index, row in enumerate(matrix):
            for column_index, dark in enumerate(row):
                if dark:
                    pdf.rect(x + column_index * module, y + row_index * module, module, module, "F")
                    drawn += 1
    return drawn


class _FormHTML(HTML2FPDF):
    """fpdf2's HTML layout with table cells left-aligned by default (its default,
    justified, spreads short cells like "Bản sao chứng thực" across the column)."""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "td" and not any(name == "align" for name, _value in attrs):
            row_align = (self.tr or {}).get("align")
            attrs = [*attrs, ("align", row_align or "left")]
        super().handle_starttag(tag, attrs)


class FormPDF(FPDF):
    """A4 page with the platform's font and a footer carrying the dossier code."""

    HTML2FPDF_CLASS = _FormHTML

    def __init__(self, *, landscape: bool = False, footer_code: str = "") -> None:
        super().__init__(orientation="L" if landscape else "P", unit="mm", format="A4")
        self.footer_code = footer_code
        for style, filename in _FONT_FILES.items():
            self.add_font(FONT_FAMILY, style, str(FONT_DIR / filename))
        # Symmetric margins: fpdf2 centres tables on the page, so with a wider left
        # margin (as Nghị định 30/2020 asks for bound documents) they would stick out.
        side = 20 if not landscape else 12
        self.set_margins(left=side, top=15, right=side)
        self.set_auto_page_break(True, margin=15)
        self.set_lang("vi")
        self.set_creator("egov")
        self.set_font(FONT_FAMILY, "", 12)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT_FAMILY, "", 8)
        parts = [f"Mã hồ sơ: {self.footer_code}"] if self.footer_code else []
        parts.append(f"Trang {self.page_no()}/{{nb}}")
        self.cell(0, 5, " · ".join(parts), align="R")


def _heading(
    pdf: FormPDF,
    *,
    superior: str,
    issuer: str,
    form_code: str,
    place_date: str,
    reference: Sequence[str] = (),
) -> None:
    pdf.set_font(FONT_FAMILY, "I", 9)
    pdf.cell(0, 4, f"Mẫu số {form_code}", align="R", new_x="LMARGIN", new_y="NEXT")
    top = pdf.get_y()
    left_width = pdf.epw * 0.42
    right_x = pdf.l_margin + left_width
    right_width = pdf.epw - left_width

    pdf.set_xy(pdf.l_margin, top)
    if superior:
        pdf.set_font(FONT_FAMILY, "", 11)
        pdf.multi_cell(left_width, 5, superior.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, "B", 11)
    pdf.multi_cell(left_width, 5, issuer.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    middle = pdf.l_margin + left_width / 2
    rule_y = pdf.get_y() + 1
    pdf.line(middle - 12, rule_y, middle + 12, rule_y)
    if reference:
        # A letter's number and symbol, then its "V/v" line, under the issuer.
        pdf.set_y(rule_y + 2)
        pdf.set_font(FONT_FAMILY, "", 11)
        number, *subject = reference
        pdf.multi_cell(left_width, 5, number, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT_FAMILY, "", 10)
        for line in subject:
            pdf.multi_cell(left_width, 5, line, align="C", new_x="LMARGIN", new_y="NEXT")
    left_bottom = pdf.get_y()

    pdf.set_xy(right_x, top)
    pdf.set_font(FONT_FAMILY, "B", 11)
    pdf.multi_cell(
        right_width, 5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="C", new_x="LEFT", new_y="NEXT"
    )
    pdf.set_font(FONT_FAMILY, "B", 12)
    motto = "Độc lập - Tự do - Hạnh phúc"
    pdf.multi_cell(right_width, 6, motto, align="C", new_x="LEFT", new_y="NEXT")
    motto_width = pdf.get_string_width(motto)
    centre = right_x + right_width / 2
    pdf.line(
        centre - motto_width / 2, pdf.get_y() + 0.5, centre + motto_width / 2, pdf.get_y() + 0.5
    )
    pdf.ln(2)
    pdf.set_x(right_x)
    pdf.set_font(FONT_FAMILY, "I", 11)
    pdf.multi_cell(right_width, 5, place_date, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(pdf.get_y(), left_bottom + 2) + 4)


def _title(pdf: FormPDF, title: str, subtitle: str) -> None:
    pdf.set_font(FONT_FAMILY, "B", 14)
    pdf.multi_cell(0, 7, title.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    if subtitle:
        pdf.set_font(FONT_FAMILY, "B", 11)
        pdf.multi_cell(0, 6, subtitle, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


def _tag_styles(size: float) -> dict[str, TextStyle]:
    black = "#000000"
    return {
        "h1": TextStyle(FONT_FAMILY, "B", size + 3, black, t_margin=3, b_margin=1),
        "h2": TextStyle(FONT_FAMILY, "B", size + 2, black, t_margin=3, b_margin=1),
        "h3": TextStyle(FONT_FAMILY, "B", size + 1, black, t_margin=2, b_margin=1),
        "blockquote": TextStyle(FONT_FAMILY, color=black, t_margin=2, b_margin=2),
    }


def _refuse_images(src: str) -> str:
    # An operator's template must not make the server fetch URLs or read files.
    raise FormRenderError(_("Images are not allowed in form templates."))


def _write_body(pdf: FormPDF, html: str, size: float) -> None:
    pdf.set_font(FONT_FAMILY, "", size)
    try:
        pdf.write_html(
            html,
            font_family=FONT_FAMILY,
            tag_styles=_tag_styles(size),
            image_map=_refuse_images,
            warn_on_tags_not_matching=False,
        )
    except FormRenderError:
        raise
    except Exception as error:  # fpdf2 refuses HTML it cannot lay out
        raise FormRenderError(
            _(
                "The form cannot be laid out as a PDF: %(error)s. Use only p, b, i, br, "
                "h1–h3 and tables whose cells hold plain text."
            )
            % {"error": error}
        ) from error


def _qr_block(pdf: FormPDF, code: str, url: str) -> int:
    pdf.ln(4)
    if pdf.will_page_break(QR_SIZE_MM + 2):
        pdf.add_page()
    top = pdf.get_y()
    drawn = draw_qr(pdf, pdf.l_margin, top, QR_SIZE_MM, qr_matrix(url))
    text_x = pdf.l_margin + QR_SIZE_MM + 5
    pdf.set_xy(text_x, top + 2)
    pdf.set_font(FONT_FAMILY, "B", 11)
    pdf.multi_cell(0, 6, f"Mã hồ sơ: {code}", new_x="LEFT", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, "", 10)
    pdf.multi_cell(
        0,
        5,
        "Tra cứu tình trạng giải quyết hồ sơ: quét mã QR hoặc truy cập",
        new_x="LEFT",
        new_y="NEXT",
    )
    pdf.multi_cell(0, 5, url, new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(pdf.get_y(), top + QR_SIZE_MM) + 2)
    return drawn


def _place_date(context: Mapping[str, Any]) -> str:
    day = context.get("issued_on") or context.get("today") or {}
    place = context.get("place") or place_name()
    dd, mm, yyyy = (day.get(key, "…") for key in ("day", "month", "year"))
    return f"{place}, ngày {dd} tháng {mm} năm {yyyy}"


@dataclass(frozen=True)
class SigningMark:
    """Whether a form carrying legal weight is issued digitally signed by ``agency``
    (it then says so at its foot) or not (a red "CHƯA KÝ SỐ" under its title)."""

    agency: str
    signed: bool


@dataclass(frozen=True)
class FormContent:
    """What one form says, already rendered: the same content always lays out as the
    same form, so its :meth:`fingerprint` names a version of the form."""

    form_code: str
    title: str
    html: str
    superior: str
    issuer: str
    place_date: str
    dossier_code: str = ""
    lookup_url: str = ""
    reference: tuple[str, ...] = ()

    def fingerprint(self) -> str:
        """SHA-256 (hex) of the content: changes when anything the form says changes."""
        text = json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()


def _signing_mark(pdf: FormPDF) -> None:
    with pdf.local_context(text_color=(190, 0, 0)):
        pdf.set_font(FONT_FAMILY, "B", 13)
        pdf.multi_cell(0, 7, "CHƯA KÝ SỐ", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def _signing_note(pdf: FormPDF, mark: SigningMark) -> None:
    pdf.ln(3)
    pdf.set_font(FONT_FAMILY, "I", 9)
    if mark.signed:
        note = (
            f"Văn bản điện tử được ký số bởi {mark.agency}; có giá trị pháp lý như văn "
            "bản giấy có chữ ký và đóng dấu."
        )
        pdf.multi_cell(0, 5, note, align="L", new_x="LMARGIN", new_y="NEXT")
        return
    note = (
        f"Văn bản này CHƯA ĐƯỢC KÝ SỐ: {mark.agency} chưa có khóa ký số của cơ quan trên "
        "hệ thống. Có thể tải lại văn bản đã ký số sau khi cơ quan cấu hình khóa ký số."
    )
    with pdf.local_context(text_color=(190, 0, 0)):
        pdf.multi_cell(0, 5, note, align="L", new_x="LMARGIN", new_y="NEXT")


def layout(
    content: FormContent,
    *,
    landscape: bool = False,
    font_size: float = 11,
    signing: SigningMark | None = None,
) -> bytes:
    """Lay out ``content``: heading, title, the rendered body, the signing mark when
    ``signing`` is given, then the QR block when the form is of a dossier."""
    pdf = FormPDF(landscape=landscape, footer_code=content.dossier_code)
    pdf.set_title(content.title)
    pdf.set_author(content.issuer)
    pdf.add_page()
    _heading(
        pdf,
        superior=content.superior,
        issuer=content.issuer,
        form_code=content.form_code,
        place_date=content.place_date,
        reference=content.reference,
    )
    subtitle = f"Mã hồ sơ: {content.dossier_code}" if content.dossier_code else ""
    _title(pdf, content.title, subtitle)
    if signing is not None and not signing.signed:
        _signing_mark(pdf)
    _write_body(pdf, content.html, font_size)
    if signing is not None:
        _signing_note(pdf, signing)
    if content.dossier_code:
        url = content.lookup_url or public_lookup_url(content.dossier_code)
        _qr_block(pdf, content.dossier_code, url)
    return bytes(pdf.output())


def build_pdf(
    *,
    form_code: str,
    title: str,
    body: str,
    context: Mapping[str, Any],
    superior: str,
    issuer: str,
    dossier_code: str = "",
    lookup_url: str = "",
    landscape: bool = False,
    font_size: float = 11,
    strict: bool = False,
    reference: Sequence[str] = (),
) -> bytes:
    """Lay out one form: heading, title, the rendered ``body``, then the QR block
    when ``dossier_code`` is given."""
    content = FormContent(
        form_code=form_code,
        title=title,
        html=render_body(body, context, strict=strict),
        superior=superior,
        issuer=issuer,
        place_date=_place_date(context),
        dossier_code=dossier_code,
        lookup_url=lookup_url,
        reference=tuple(reference),
    )
    return layout(content, landscape=landscape, font_size=font_size)


def _letter_reference(code: str, context: Mapping[str, Any]) -> tuple[str, ...]:
    """Form 04 is a letter: its number and symbol and its "V/v" line head it."""
    if code != "04":
        return ()
    apology = context.get("apology") or {}
    return (f"Số: {apology.get('number', '')}", str(apology.get("subject", "")))


def _issuer_units(code: str, dossier: Dossier) -> tuple[str, str]:
    """(superior, issuer) names for the heading: the one-stop unit issues the desk
    forms 01–03, the agency the others; the superior is the issuer's parent."""
    issuer: Unit = (
        dossier.receiving_unit if code in ("01", "02", "03") else dossier.receiving_agency
    )
    parent = parent_of(issuer)
    return (parent.name if parent is not None else ""), issuer.name


def form_content(
    code: str, dossier: Dossier, *, extra: dict[str, Any] | None = None
) -> FormContent:
    """What form ``code`` (01–06) of ``dossier`` says now (see :func:`render_form`)."""
    if code not in DOSSIER_FORM_CODES:
        raise ValueError(f"form {code!r} is not a per-dossier form (07 is render_register)")
    title, body = form_template(code)
    dossier = load_dossier(dossier)
    context = form_context(code, dossier, extra)
    superior, issuer = _issuer_units(code, dossier)
    return FormContent(
        form_code=code,
        title=title,
        html=render_body(body, context),
        superior=superior,
        issuer=issuer,
        place_date=_place_date(context),
        dossier_code=dossier.code,
        lookup_url=context["lookup_url"],
        reference=_letter_reference(code, context),
    )


def render_form(
    code: str,
    dossier: Dossier,
    *,
    extra: dict[str, Any] | None = None,
    signing: SigningMark | None = None,
) -> bytes:
    """Form ``code`` (01–06) of ``dossier`` as an A4 PDF.

    ``extra`` adds or overrides template variables (e.g. ``reason``, ``missing``,
    ``officer`` when the caller knows them better than the dossier's history).
    ``signing`` adds whether it is (about to be) digitally signed; the issued,
    signed forms come from :func:`egov.dossiers.services.signed_forms.issued_form`.
    Raises :class:`FormRenderError` if the stored template cannot be rendered.
    """
    return layout(form_content(code, dossier, extra=extra), signing=signing)


def render_sample(code: str, title: str, body: str, *, strict: bool = True) -> bytes:
    """``body`` rendered on the fictitious sample dossier (validation and preview)."""
    context = sample_context(code)
    if code == REGISTER_FORM_CODE:
        return build_pdf(
            form_code=code,
            title=title,
            body=body,
            context=context,
            superior="UBND thành phố Rạch Giá",
            issuer=context["unit"]["name"],
            landscape=True,
            font_size=8,
            strict=strict,
        )
    return build_pdf(
        form_code=code,
        title=title,
        body=body,
        context=context,
        superior="UBND tỉnh Kiên Giang",
        issuer=context["unit"]["name"],
        dossier_code=SAMPLE_CODE,
        lookup_url=context["lookup_url"],
        strict=strict,
        reference=_letter_reference(code, context),
    )
