"""The one-stop forms 01–07 as PDFs: text, page size, QR code, operator templates.

``build_world`` (a small district with a desk, a dossier with papers, handovers
and an apology letter) is shared with the other form and lookup tests.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader
from pypdf.generic import ContentStream

from egov.accounts.models import User
from egov.accounts.permissions import RoleCode
from egov.accounts.services import create_staff_account
from egov.core.formatting import format_amount
from egov.core.models import Unit, UnitLevel
from egov.core.services.units import create_unit
from egov.dossiers.form_defaults import (
    DEFAULT_FORMS,
    FORM_CODES,
    ensure_default_form_templates,
)
from egov.dossiers.form_services import update_form_template
from egov.dossiers.models import (
    ApologyLetter,
    Channel,
    Dossier,
    DossierEvent,
    DossierPaper,
    FormTemplate,
    Status,
)
from egov.dossiers.paperforms.context import FormRenderError, public_lookup_url
from egov.dossiers.paperforms.excel import register_xlsx
from egov.dossiers.paperforms.pdf import FormPDF, draw_qr, qr_matrix, render_form, render_sample
from egov.dossiers.paperforms.register import render_register
from egov.procedures.models import Procedure, ProcedureField, ProcedureVersion

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CODE = "000.00.31.H33-260115-0001"


def at(day: str, clock: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=TZ)


@dataclass
class World:
    province: Unit
    district: Unit
    desk: Unit
    office: Unit
    other_district: Unit
    version: ProcedureVersion
    clerk: User
    specialist: User
    operator: User
    outsider: User
    dossier: Dossier


def staff(username: str, full_name: str, role: str, unit: Unit) -> User:
    # No password: hashing one on purpose takes long; tests sign in with
    # sign_in_verified() (or a session cookie in browser tests).
    return create_staff_account(
        None, username=username, full_name=full_name, unit=unit, role_codes=[role]
    )


def make_dossier(
    world_version: ProcedureVersion,
    agency: Unit,
    desk: Unit,
    *,
    code: str,
    status: int = Status.PROCESSING,
    received: datetime | None = None,
    **fields: object,
) -> Dossier:
    received = received or at("2026-01-15", "08:30")
    values: dict[str, object] = {
        "applicant_name": "Hồ Văn Đức",
        "applicant_id_number": "091090001234",
        "applicant_address": "12 Nguyễn Trung Trực, phường Vĩnh Bảo",
        "applicant_phone": "0912345678",
        "applicant_email": "hovanduc@example.vn",
        "due_at": at("2026-01-22", "16:30"),
        "original_due_at": at("2026-01-22", "16:30"),
        "fee_amount": 1_000_000,
    }
    values.update(fields)
    return Dossier.objects.create(
        code=code,
        procedure_version=world_version,
        receiving_agency=agency,
        receiving_unit=desk,
        channel=Channel.DESK,
        status=status,
        submitted_at=received,
        received_at=received,
        **values,
    )


def build_world() -> World:
    """Rạch Giá: a district, its one-stop desk and justice office, one dossier of
    "Đăng ký khai sinh" received on 15/01/2026 and handed to the office."""
    ensure_default_form_templates()
    province = create_unit(
        None, None, code="000.00.00.H33", name="UBND tỉnh Kiên Giang", level=UnitLevel.PROVINCE
    )
    district = create_unit(
        None, province, code="000.00.31.H33", name="UBND thành phố Rạch Giá", level="district"
    )
    desk = create_unit(
        None,
        district,
        code="000.01.31.H33",
        name="Bộ phận Một cửa thành phố Rạch Giá",
        level=UnitLevel.INTERNAL,
        is_one_stop=True,
        address="01 Lê Lợi, phường Vĩnh Thanh Vân",
        phone="0297 3862 000",
    )
    office = create_unit(
        None,
        district,
        code="000.02.31.H33",
        name="Phòng Tư pháp thành phố Rạch Giá",
        level=UnitLevel.INTERNAL,
    )
    other_district = create_unit(
        None, province, code="000.00.40.H33", name="UBND huyện Châu Thành", level="district"
    )
    field = ProcedureField.objects.create(code="ho-tich", name="Hộ tịch")
    procedure = Procedure.objects.create(national_code="1.001193")
    version = ProcedureVersion.objects.create(
        procedure=procedure,
        number=1,
        status="published",
        name="Đăng ký khai sinh",
        field=field,
        time_limit=Decimal("5.00"),
        result_type="Giấy khai sinh",
    )
    clerk = staff("motcua.rachgia", "Trần Thị Mai", RoleCode.ONE_STOP_CLERK, desk)
    specialist = staff("tuphap.rachgia", "Lê Văn Hùng", RoleCode.SPECIALIST, office)
    operator = staff("vanhanh", "Nguyễn Văn Vận", RoleCode.PLATFORM_OPERATOR, province)
    outsider = staff("motcua.chauthanh", "Phạm Thị Lan", RoleCode.ONE_STOP_CLERK, other_district)

    dossier = make_dossier(version, district, desk, code=CODE, current_unit=office)
    for name, form, received in (
        ("Tờ khai đăng ký khai sinh", "original", True),
        ("Giấy chứng sinh", "certified_copy", True),
        ("Văn bản ủy quyền", "photocopy", False),
    ):
        DossierPaper.objects.create(
            dossier=dossier, name=name, copies=1, form=form, received=received
        )
    DossierEvent.objects.create(
        dossier=dossier,
        at=at("2026-01-15", "08:30"),
        action="receive",
        from_status=None,
        to_status=Status.RECEIVED,
        to_unit=desk,
        actor=clerk,
        to_user=clerk,
        step_due_at=at("2026-01-16", "16:30"),
    )
    DossierEvent.objects.create(
        dossier=dossier,
        at=at("2026-01-16", "09:00"),
        action="forward",
        from_status=Status.RECEIVED,
        to_status=Status.PROCESSING,
        from_unit=desk,
        to_unit=office,
        actor=clerk,
        to_user=specialist,
        step_due_at=at("2026-01-21", "16:30"),
        note="Chuyển thẩm định",
    )
    return World(
        province, district, desk, office, other_district, version, clerk, specialist, operator,
        outsider, dossier,
    )  # fmt: skip


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def normalised(text: str) -> str:
    """Text extraction breaks lines where the layout wrapped: compare word streams."""
    return " ".join(text.split())


def squashed(text: str) -> str:
    """Without any spaces: narrow table cells wrap inside words, and extraction then
    glues or splits them."""
    return "".join(text.split())


# --- formatting ---------------------------------------------------------------------


def test_amounts_group_thousands_with_dots() -> None:
    assert format_amount(1_000_000) == "1.000.000 đ"
    assert format_amount(0) == "0 đ"
    assert format_amount(50_000) == "50.000 đ"


def test_every_default_form_renders_on_the_sample_dossier() -> None:
    for form in DEFAULT_FORMS:
        content = render_sample(form.code, form.title, form.body, strict=True)
        text = normalised(pdf_text(content))
        assert form.title.upper() in text
        assert f"Mẫu số {form.code}" in text


def test_ensure_default_form_templates_is_idempotent_and_keeps_edits(db: None) -> None:
    # The migration installed them; start from an empty table to see them created.
    FormTemplate.objects.all().delete()
    assert ensure_default_form_templates() == len(FORM_CODES)
    FormTemplate.objects.filter(code="01").update(title="Giấy hẹn riêng")
    assert ensure_default_form_templates() == 0
    assert FormTemplate.objects.count() == len(FORM_CODES)
    assert FormTemplate.objects.get(code="01").title == "Giấy hẹn riêng"


# --- form 01 ------------------------------------------------------------------------


def test_receipt_slip_has_code_applicant_papers_and_dates(world: World) -> None:
    content = render_form("01", world.dossier)
    reader = PdfReader(io.BytesIO(content))
    box = reader.pages[0].mediabox
    # A4 portrait in points (210 × 297 mm).
    assert round(float(box.width)) == 595 and round(float(box.height)) == 842
    text = normalised(pdf_text(content))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
    assert "giấy tiếp nhận hồ sơ" in text.lower()
    assert CODE in text
    assert "Hồ Văn Đức" in text
    assert "BỘ PHẬN MỘT CỬA THÀNH PHỐ RẠCH GIÁ" in text
    assert "Đăng ký khai sinh" in text
    assert "Tờ khai đăng ký khai sinh" in text and "Bản sao chứng thực" in text
    # The paper not handed in is not listed as received.
    assert "Văn bản ủy quyền" not in text
    assert "08:30, ngày 15/01/2026" in text
    assert "16:30, ngày 22/01/2026" in text
    assert "5 ngày làm việc" in text
    assert "1.000.000 đ" in text
    assert "Kiên Giang, ngày 15 tháng 01 năm 2026" in text
    assert "Trần Thị Mai" in text  # the officer who received it signs
    assert public_lookup_url(CODE) in text.replace(" ", "")


def test_lookup_url_follows_the_public_base_url_setting(settings: object) -> None:
    settings.EGOV_PUBLIC_BASE_URL = "https://dichvucong.kiengiang.gov.vn/"  # type: ignore[attr-defined]
    assert public_lookup_url("000.00.31.H33-260115-0001") == (
        "https://dichvucong.kiengiang.gov.vn/tra-cuu/?ma=000.00.31.H33-260115-0001"
    )


def test_forms_are_vietnamese_whatever_the_active_language(world: World) -> None:
    with translation.override("en"):
        text = normalised(pdf_text(render_form("01", world.dossier)))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Bản chính" in text


# --- QR code ------------------------------------------------------------------------


def qr_modules_in_pdf(content: bytes) -> tuple[list[list[bool]], int]:
    """Rebuild the QR matrix from the filled squares drawn on page 1.

    The squares all have the module's size; their positions give row and column.
    Returns the rebuilt matrix and the number of squares found.
    """
    reader = PdfReader(io.BytesIO(content))
    page = reader.pages[0]
    stream = ContentStream(page.get_contents(), reader)
    squares = []
    for operands, operator in stream.operations:
        if operator == b"re":
            x, y, width, height = (float(value) for value in operands)
            if abs(abs(width) - abs(height)) < 0.02 and abs(width) < 5:
                squares.append((x, y, abs(width)))
    assert squares, "no QR modules drawn"
    module = squares[0][2]
    left = min(x for x, _y, _m in squares)
    top = max(y for _x, y, _m in squares)
    cells = {(round((top - y) / module), round((x - left) / module)) for x, y, _m in squares}
    size = max(max(row, column) for row, column in cells) + 1
    matrix = [[(row, column) in cells for column in range(size)] for row in range(size)]
    return matrix, len(squares)


def test_qr_code_is_drawn_module_by_module_and_encodes_the_lookup_url(world: World) -> None:
    content = render_form("01", world.dossier)
    expected = qr_matrix(public_lookup_url(CODE))
    drawn, count = qr_modules_in_pdf(content)
    assert count == sum(sum(row) for row in expected)
    assert drawn == expected


def test_qr_matrix_has_the_size_of_its_version() -> None:
    matrix = qr_matrix("https://dichvucong.kiengiang.gov.vn/tra-cuu/?ma=" + CODE)
    size = len(matrix)
    assert all(len(row) == size for row in matrix)
    assert (size - 17) % 4 == 0  # version v is 17 + 4v modules wide
    # Finder patterns: dark 7×7 corners with a light ring inside.
    for row, column in ((0, 0), (0, size - 7), (size - 7, 0)):
        assert all(matrix[row][column + i] for i in range(7))
        assert not matrix[row + 1][column + 1]
        assert matrix[row + 3][column + 3]


def test_draw_qr_counts_the_dark_modules() -> None:
    pdf = FormPDF()
    pdf.add_page()
    matrix = qr_matrix("x")
    assert draw_qr(pdf, 10, 10, 20, matrix) == sum(sum(row) for row in matrix)


# --- forms 02–06 --------------------------------------------------------------------


def test_supplement_request_lists_what_is_missing_and_why(world: World) -> None:
    DossierEvent.objects.create(
        dossier=world.dossier,
        at=at("2026-01-17", "10:15"),
        action="request_supplement",
        from_status=Status.PROCESSING,
        to_status=Status.SUPPLEMENT_REQUESTED,
        from_unit=world.office,
        to_unit=world.desk,
        actor=world.specialist,
        note="Hồ sơ thiếu giấy tờ theo quy định.",
        # The shape dossiers.services records: reason codes, then requests in words.
        data={
            "missing": [
                {
                    "name": "Văn bản ủy quyền",
                    "reason": "wrong_form",
                    "form_required": "certified_copy",
                    "copies_required": 1,
                    "copies_given": 0,
                }
            ],
            "asked": ["Bản sao sổ hộ khẩu"],
        },
    )
    raw = pdf_text(render_form("02", world.dossier))
    text = normalised(raw)
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text
    cells = squashed(raw)
    assert "Vănbảnủyquyền" in cells
    assert "Chưađúnghìnhthức,cầnbảnsaochứngthực" in cells
    assert "Bảnsaosổhộkhẩu" in cells
    assert "Hồ sơ thiếu giấy tờ theo quy định." in text
    assert "Kiên Giang, ngày 17 tháng 01 năm 2026" in text
    assert "Lê Văn Hùng" in text


def test_supplement_request_falls_back_to_papers_not_received(world: World) -> None:
    text = normalised(pdf_text(render_form("02", world.dossier)))
    assert "Văn bản ủy quyền" in text


def test_extra_overrides_the_reason(world: World) -> None:
    text = normalised(
        pdf_text(render_form("03", world.dossier, extra={"reason": "Không thuộc thẩm quyền."}))
    )
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN" in text
    assert "Không thuộc thẩm quyền." in text


def test_apology_letter_uses_the_latest_letter(world: World) -> None:
    for issued, reason, new_due in (
        (at("2026-01-20", "09:00"), "Lý do cũ", at("2026-01-26", "16:30")),
        (at("2026-01-21", "14:00"), "Cần xác minh với UBND phường", at("2026-01-29", "10:00")),
    ):
        ApologyLetter.objects.create(
            dossier=world.dossier,
            reason=reason,
            previous_due_at=at("2026-01-22", "16:30"),
            new_due_at=new_due,
            issued_by=world.specialist,
            issuing_unit=world.district,
            issued_at=issued,
        )
    text = normalised(pdf_text(render_form("04", world.dossier)))
    assert "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT" in text
    assert "Cần xác minh với UBND phường" in text
    assert "Lý do cũ" not in text
    assert "10:00, ngày 29/01/2026" in text
    assert "16:30, ngày 22/01/2026" in text
    assert "Kiên Giang, ngày 21 tháng 01 năm 2026" in text
    # Issued by the agency: its superior heads the page.
    assert "UBND TỈNH KIÊN GIANG" in text


def test_stop_notice_states_the_reason(world: World) -> None:
    DossierEvent.objects.create(
        dossier=world.dossier,
        at=at("2026-01-19", "15:00"),
        action="stop",
        from_status=Status.PROCESSING,
        to_status=Status.STOPPED,
        from_unit=world.office,
        actor=world.specialist,
        note="Người nộp không đủ điều kiện theo quy định.",
    )
    text = normalised(pdf_text(render_form("05", world.dossier)))
    assert "THÔNG BÁO DỪNG GIẢI QUYẾT" in text
    assert "Người nộp không đủ điều kiện theo quy định." in text


def test_control_sheet_lists_each_handover_with_its_result(world: World) -> None:
    DossierEvent.objects.create(
        dossier=world.dossier,
        at=at("2026-01-22", "08:00"),
        action="approve",
        from_status=Status.PROCESSING,
        to_status=Status.RESULT_READY,
        from_unit=world.office,
        to_unit=world.desk,
        actor=world.specialist,
        to_user=world.clerk,
    )
    raw = pdf_text(render_form("06", world.dossier))
    text = normalised(raw)
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text
    cells = squashed(raw)
    assert squashed("Nhận: Phòng Tư pháp thành phố Rạch Giá") in cells
    assert "09:00,16/01/2026" in cells and "08:00,22/01/2026" in cells
    assert "LêVănHùng" in cells and "TrầnThịMai" in cells
    # Handed on 16/01 for a step due 16/01: on time; handed on 22/01 for 21/01: late.
    assert "Đúng hạn" in text
    assert "Quá hạn" in text
    assert "Chuyểnthẩmđịnh" in cells


def test_register_is_not_a_dossier_form(world: World) -> None:
    with pytest.raises(ValueError):
        render_form("07", world.dossier)


# --- operator templates -------------------------------------------------------------


def test_an_operators_edited_template_is_used(world: World) -> None:
    update_form_template(
        world.operator,
        "01",
        "Giấy tiếp nhận hồ sơ (mẫu tỉnh)",
        "<p>Nội dung riêng của tỉnh cho hồ sơ {{ dossier.code }} của {{ applicant.name }}.</p>",
    )
    text = normalised(pdf_text(render_form("01", world.dossier)))
    assert f"Nội dung riêng của tỉnh cho hồ sơ {CODE} của Hồ Văn Đức." in text
    assert "GIẤY TIẾP NHẬN HỒ SƠ (MẪU TỈNH)" in text


def test_a_template_with_a_syntax_error_is_refused_and_the_old_one_kept(world: World) -> None:
    from django.core.exceptions import ValidationError

    before = FormTemplate.objects.get(code="01")
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        update_form_template(world.operator, "01", "Giấy hẹn", "<p>{% if %}</p>")
    assert "syntax error" in caught.value.message_dict["body"][0]
    after = FormTemplate.objects.get(code="01")
    assert (after.title, after.body) == (before.title, before.body)
    assert "Hồ Văn Đức" in pdf_text(render_form("01", world.dossier))


def test_a_stored_template_that_breaks_raises_a_readable_error(world: World) -> None:
    # Written around the service (e.g. directly in the database): rendering refuses
    # cleanly instead of producing half a PDF.
    FormTemplate.objects.filter(code="01").update(body="{% for %}")
    with pytest.raises(FormRenderError):
        render_form("01", world.dossier)


# --- form 07: register --------------------------------------------------------------


def test_register_lists_the_desks_dossiers_of_the_period(world: World) -> None:
    make_dossier(
        world.version,
        world.district,
        world.desk,
        code="000.00.31.H33-260120-0001",
        received=at("2026-01-20", "10:00"),
        applicant_name="Đặng Thị Ngọc Hà",
        status=Status.RETURNED,
        resolved_at=at("2026-01-23", "09:00"),
        returned_at=at("2026-01-23", "10:00"),
        due_at=at("2026-01-22", "16:30"),
    )
    make_dossier(
        world.version,
        world.district,
        world.desk,
        code="000.00.31.H33-260210-0001",
        received=at("2026-02-10", "10:00"),
        applicant_name="Ngoài Kỳ Báo Cáo",
    )
    content = render_register(world.desk, date(2026, 1, 1), date(2026, 1, 31))
    reader = PdfReader(io.BytesIO(content))
    box = reader.pages[0].mediabox
    assert round(float(box.width)) == 842 and round(float(box.height)) == 595  # A4 landscape
    raw = pdf_text(content)
    assert "SỔ THEO DÕI HỒ SƠ" in normalised(raw)
    assert "Tổng số: 2 hồ sơ" in normalised(raw)
    cells = squashed(raw)
    assert CODE in cells and "000.00.31.H33-260120-0001" in cells
    assert "ĐặngThịNgọcHà" in cells
    assert "NgoàiKỳ" not in cells
    assert "Trễhạn" in cells  # resolved on 23/01 for an appointment on 22/01


def test_register_as_excel(world: World) -> None:
    make_dossier(
        world.version,
        world.district,
        world.desk,
        code="000.00.31.H33-260120-0001",
        received=at("2026-01-20", "10:00"),
        applicant_name='=HYPERLINK("http://example.com")',
    )
    workbook = load_workbook(
        io.BytesIO(register_xlsx(world.desk, date(2026, 1, 1), date(2026, 1, 31)))
    )
    sheet = workbook.active
    assert sheet is not None
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][0] == "SỔ THEO DÕI HỒ SƠ"
    header = values[4]
    assert header[0] == "STT" and header[1] == "Mã hồ sơ"
    lines = values[5:]
    assert [line[1] for line in lines] == [CODE, "000.00.31.H33-260120-0001"]
    assert header[3] == "Số lượng hồ sơ (bộ)" and header[6] == "Người tiếp nhận"
    assert lines[0][3] == "01" and lines[0][6] == "Trần Thị Mai"
    assert lines[0][7] == "15/01/2026" and lines[0][8] == "22/01/2026"
    # An applicant's text is kept as text, never turned into a formula.
    formula_cell = sheet.cell(row=7, column=5)
    assert formula_cell.data_type == "s"
    assert str(formula_cell.value).startswith("=HYPERLINK")


def test_register_of_an_empty_period_still_renders(world: World) -> None:
    text = squashed(pdf_text(render_register(world.desk, date(2025, 1, 1), date(2025, 1, 31))))
    assert "Khôngcóhồsơtrongkỳ" in text


def test_receipt_of_a_dossier_received_the_day_before(world: World) -> None:
    # Times are shown in the province's zone even when stored in UTC near midnight.
    dossier = make_dossier(
        world.version,
        world.district,
        world.desk,
        code="000.00.31.H33-260114-0001",
        received=at("2026-01-14", "23:50") - timedelta(hours=0),
    )
    text = normalised(pdf_text(render_form("01", dossier)))
    assert "23:50, ngày 14/01/2026" in text


# --- TT 03/2025 items (issue 14) ------------------------------------------------------


def test_receipt_slip_has_the_copy_line_and_the_register_reference(world: World) -> None:
    earlier = make_dossier(
        world.version,
        world.district,
        world.desk,
        code="000.00.31.H33-260110-0001",
        received=at("2026-01-10", "09:00"),
    )
    make_dossier(  # last year's book: not counted
        world.version,
        world.district,
        world.desk,
        code="000.00.31.H33-251230-0001",
        received=at("2025-12-30", "09:00"),
    )
    text = normalised(pdf_text(render_form("01", world.dossier)))
    assert "Liên 1 lưu tại Bộ phận Một cửa" in text
    assert "Liên 2 giao cho người nộp hồ sơ" in text
    # The second dossier the desk received in 2026.
    assert "Vào Sổ theo dõi hồ sơ, Quyển số: 2026, Số thứ tự: 0002." in text
    first = normalised(pdf_text(render_form("01", earlier)))
    assert "Quyển số: 2026, Số thứ tự: 0001." in first


@pytest.mark.parametrize("code", ["02", "03"])
def test_supplement_and_refusal_slips_show_the_applicants_contacts(world: World, code: str) -> None:
    Dossier.objects.filter(pk=world.dossier.pk).update(
        applicant_address="12 Nguyễn Trung Trực, phường Vĩnh Bảo",
        applicant_phone="0912 345 678",
        applicant_email="hovanduc@example.vn",
    )
    text = normalised(pdf_text(render_form(code, world.dossier)))
    assert "Địa chỉ: 12 Nguyễn Trung Trực, phường Vĩnh Bảo" in text
    assert "Số điện thoại: 0912 345 678" in text
    assert "Thư điện tử: hovanduc@example.vn" in text


def test_apology_is_a_numbered_letter_with_subject_and_recipients(world: World) -> None:
    Unit.objects.filter(pk=world.district.pk).update(short_name="UBND")
    for issued in (at("2026-01-20", "09:00"), at("2026-01-21", "14:00")):
        ApologyLetter.objects.create(
            dossier=world.dossier,
            reason="Cần xác minh với UBND phường",
            previous_due_at=at("2026-01-22", "16:30"),
            new_due_at=at("2026-01-29", "10:00"),
            issued_by=world.specialist,
            issuing_unit=world.district,
            issued_at=issued,
        )
    text = normalised(pdf_text(render_form("04", world.dossier)))
    assert "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT" in text
    assert "Số: 02/XL-UBND" in text  # the unit's second letter of the year
    assert f"V/v xin lỗi và đề nghị gia hạn thời gian giải quyết hồ sơ {CODE}" in text
    assert "đề nghị gia hạn thời gian giải quyết hồ sơ đến 10:00, ngày 29/01/2026" in text
    assert "Nơi nhận:" in text and "- Như trên;" in text and "- Lưu: VT." in text
    assert "- Bộ phận Một cửa thành phố Rạch Giá;" in text


def test_control_sheet_has_signature_boxes_for_handing_over_and_receiving(
    world: World,
) -> None:
    raw = pdf_text(render_form("06", world.dossier))
    text = normalised(raw)
    assert "NGƯỜI GIAO HỒ SƠ" in text and "NGƯỜI NHẬN HỒ SƠ" in text
    cells = squashed(raw)
    assert squashed("Người giao (ký, ghi rõ họ tên)") in cells
    assert squashed("Người nhận (ký, ghi rõ họ tên)") in cells


def test_register_shows_the_number_of_sets_and_the_receiving_official(world: World) -> None:
    raw = pdf_text(render_register(world.desk, date(2026, 1, 1), date(2026, 1, 31)))
    cells = squashed(raw)
    assert squashed("Số lượng hồ sơ (bộ)") in cells
    assert squashed("Người tiếp nhận") in cells
    assert "TrầnThịMai" in cells  # the clerk of the receipt event
