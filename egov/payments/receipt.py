"""The electronic receipt of an online payment (biên lai thu phí, lệ phí điện tử) as
an A4 PDF, laid out with the dossier forms' PDF class and vendored fonts.

Like the printed forms, its fixed wording is Vietnamese whatever the language of
the person printing it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone

from egov.core.formatting import format_amount, format_date, format_time
from egov.core.selectors.units import parent_of
from egov.payments.models import Payment

if TYPE_CHECKING:
    from egov.dossiers.paperforms.pdf import FormPDF

_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")


def _hundreds(n: int, full: bool) -> list[str]:
    """Words of 0 ≤ n < 1000; ``full``: the group follows a higher one, so its zero
    hundreds and tens are said ("không trăm linh năm")."""
    hundreds, rest = divmod(n, 100)
    tens, units = divmod(rest, 10)
    words: list[str] = []
    if hundreds or full:
        words += [_DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units:
            if words:
                words.append("linh")
            words.append(_DIGITS[units])
        return words
    if tens == 1:
        words.append("mười")
    else:
        words += [_DIGITS[tens], "mươi"]
    if units == 1 and tens > 1:
        words.append("mốt")
    elif units == 5:
        words.append("lăm")
    elif units == 4 and tens > 1:
        words.append("tư")
    elif units:
        words.append(_DIGITS[units])
    return words


def _number_words(n: int, full: bool = False) -> list[str]:
    if n >= 10**9:
        high, low = divmod(n, 10**9)
        words = [*_number_words(high, full), "tỷ"]
        if low:
            words += _number_words(low, True)
        return words
    words = []
    groups = [(n // 10**6) % 1000, (n // 1000) % 1000, n % 1000]
    names = ("triệu", "nghìn", "")
    started = full
    for index, group in enumerate(groups):
        if group == 0:
            continue
        # A group after a higher, non-zero one (or in the low part of "tỷ") says its
        # zeros; so does a group after a skipped middle one ("một triệu không trăm…").
        words += _hundreds(group, started)
        if names[index]:
            words.append(names[index])
        started = True
    return words


def amount_in_words(amount: int) -> str:
    """``150000`` → ``"Một trăm năm mươi nghìn đồng"``."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        raise ValueError("a whole, non-negative number of đồng")
    text = " ".join(_number_words(amount)) if amount else "không"
    text = f"{text} đồng"
    return text[0].upper() + text[1:]


def _row(pdf: FormPDF, label: str, value: str) -> None:
    from egov.dossiers.paperforms.pdf import FONT_FAMILY

    pdf.set_font(FONT_FAMILY, "", 11)
    label_width = 62.0
    pdf.cell(label_width, 7, label)
    pdf.set_font(FONT_FAMILY, "B", 11)
    pdf.multi_cell(0, 7, value or "—", new_x="LMARGIN", new_y="NEXT")


#: Field name of the agency's signature on a receipt.
SIGNATURE_FIELD = "CoQuanThu"


def render_receipt(payment: Payment, *, signed: bool = False) -> bytes:
    """The receipt's PDF. ``signed``: it is about to be signed with the agency's key
    and says so; otherwise it carries a visible "not digitally signed" mark."""
    from egov.dossiers.paperforms.pdf import FONT_FAMILY, FormPDF

    dossier = payment.dossier
    agency = dossier.receiving_agency
    parent = parent_of(agency)
    pdf = FormPDF(footer_code=dossier.code)
    title = "Biên lai thu phí, lệ phí điện tử"
    pdf.set_title(f"{title} {payment.reference}")
    pdf.set_author(agency.name)
    pdf.add_page()

    top = pdf.get_y()
    left = pdf.epw * 0.45
    pdf.set_font(FONT_FAMILY, "", 10)
    if parent is not None:
        pdf.multi_cell(left, 5, parent.name.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, "B", 10)
    pdf.multi_cell(left, 5, agency.name.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    bottom = pdf.get_y()
    pdf.set_xy(pdf.l_margin + left, top)
    pdf.set_font(FONT_FAMILY, "B", 10)
    right = pdf.epw - left
    pdf.multi_cell(
        right, 5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="C", new_x="LEFT", new_y="NEXT"
    )
    pdf.set_font(FONT_FAMILY, "B", 11)
    pdf.multi_cell(
        right, 6, "Độc lập - Tự do - Hạnh phúc", align="C", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_y(max(bottom, pdf.get_y()) + 8)

    pdf.set_font(FONT_FAMILY, "B", 15)
    pdf.multi_cell(0, 8, title.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, "I", 10)
    pdf.multi_cell(
        0,
        5,
        "(Thanh toán trực tuyến qua Nền tảng thanh toán của Cổng Dịch vụ công quốc gia)",
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font(FONT_FAMILY, "", 10)
    pdf.multi_cell(0, 6, f"Số: {payment.reference}", align="C", new_x="LMARGIN", new_y="NEXT")
    if not signed:
        pdf.set_text_color(190, 0, 0)
        pdf.set_font(FONT_FAMILY, "B", 12)
        pdf.multi_cell(0, 7, "BIÊN LAI CHƯA KÝ SỐ", align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
    pdf.ln(6)

    paid_at = payment.paid_at or payment.updated_at
    payer_name = dossier.applicant_name
    if payment.payer is not None and payment.payer.full_name:
        payer_name = payment.payer.full_name
    _row(pdf, "Người nộp:", payer_name)
    _row(pdf, "Số định danh / Mã số thuế:", dossier.applicant_id_number)
    _row(pdf, "Địa chỉ:", dossier.applicant_address)
    _row(pdf, "Mã hồ sơ:", dossier.code)
    _row(pdf, "Thủ tục hành chính:", dossier.procedure_version.name)
    _row(pdf, "Nội dung thu:", "Phí, lệ phí giải quyết thủ tục hành chính")
    _row(pdf, "Số tiền:", format_amount(payment.amount))
    _row(pdf, "Bằng chữ:", amount_in_words(payment.amount))
    _row(pdf, "Mã giao dịch của cơ quan:", payment.reference)
    _row(pdf, "Mã giao dịch thanh toán:", payment.provider_transaction_id or "")
    _row(pdf, "Thời gian thanh toán:", f"{format_time(paid_at)} ngày {format_date(paid_at)}")
    _row(pdf, "Đơn vị thu:", agency.name)
    pdf.ln(10)
    today = timezone.localdate()
    pdf.set_font(FONT_FAMILY, "I", 10)
    if signed:
        note = (
            f"Biên lai điện tử lập ngày {today:%d/%m/%Y}, được ký số bởi {agency.name}; "
            "có giá trị như biên lai giấy, không cần chữ ký tay, đóng dấu."
        )
    else:
        note = (
            f"Biên lai điện tử lập ngày {today:%d/%m/%Y}. Biên lai này CHƯA ĐƯỢC KÝ SỐ: "
            f"{agency.name} chưa có khóa ký số của cơ quan trên hệ thống. Có thể tải lại "
            "biên lai đã ký số sau khi cơ quan cấu hình khóa ký số."
        )
    pdf.multi_cell(0, 5, note, align="L", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
