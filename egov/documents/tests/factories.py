"""Test data for incoming documents: two agencies with their units and staff, and
scans generated on the fly (Pillow draws real Vietnamese text for Tesseract)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from egov.accounts import services as accounts
from egov.accounts.models import User
from egov.accounts.permissions import RoleCode
from egov.core.models import Unit, UnitLevel
from egov.core.services.units import create_unit
from egov.documents.contract import IncomingMetadata

FONT = str(Path(__file__).resolve().parents[2] / "dossiers" / "fonts" / "BeVietnamPro-Regular.ttf")


@dataclass
class Org:
    province: Unit
    office: Unit  # UBND tỉnh's office (internal)
    dept: Unit  # Sở Tư pháp: the receiving agency of most tests
    dept_office: Unit  # its Văn phòng (internal unit)
    dept_legal: Unit  # Phòng Xây dựng và kiểm tra văn bản (internal unit)
    other: Unit  # Sở Tài chính: another agency on the platform


@dataclass
class Staff:
    clerk: User  # văn thư of Sở Tư pháp
    leader: User  # Giám đốc Sở Tư pháp
    head: User  # head of the legal division
    specialist: User  # specialist of the legal division
    office_specialist: User
    other_clerk: User  # văn thư of Sở Tài chính
    outsider: User  # specialist of Sở Tài chính


def person(username: str, role: str, unit: Unit, full_name: str) -> User:
    return accounts.create_staff_account(
        None, username=username, full_name=full_name, unit=unit, role_codes=[role]
    )


def build_org() -> Org:
    province = create_unit(
        None, None, code="000.00.00.H33", name="UBND tỉnh Kiên Giang", level=UnitLevel.PROVINCE
    )
    office = create_unit(
        None,
        province,
        code="000.01.00.H33",
        name="Văn phòng UBND tỉnh",
        level=UnitLevel.INTERNAL,
    )
    dept = create_unit(
        None,
        province,
        code="000.00.12.H33",
        name="Sở Tư pháp",
        short_name="STP",
        level=UnitLevel.PROVINCIAL_AGENCY,
    )
    dept_office = create_unit(
        None, dept, code="000.01.12.H33", name="Văn phòng Sở Tư pháp", level=UnitLevel.INTERNAL
    )
    dept_legal = create_unit(
        None,
        dept,
        code="000.02.12.H33",
        name="Phòng Xây dựng và kiểm tra văn bản",
        level=UnitLevel.INTERNAL,
    )
    other = create_unit(
        None,
        province,
        code="000.00.07.H33",
        name="Sở Tài chính",
        short_name="STC",
        level=UnitLevel.PROVINCIAL_AGENCY,
    )
    return Org(province, office, dept, dept_office, dept_legal, other)


def build_staff(org: Org) -> Staff:
    return Staff(
        clerk=person("vanthu.stp", RoleCode.RECORDS_CLERK, org.dept, "Trần Thị Bình"),
        leader=person("gd.stp", RoleCode.AGENCY_LEADER, org.dept, "Võ Văn Em"),
        head=person("tp.xdkt", RoleCode.UNIT_HEAD, org.dept_legal, "Phạm Thị Dung"),
        specialist=person("cv.xdkt", RoleCode.SPECIALIST, org.dept_legal, "Lê Văn Cường"),
        office_specialist=person("cv.vp", RoleCode.SPECIALIST, org.dept_office, "Đỗ Thị Giang"),
        other_clerk=person("vanthu.stc", RoleCode.RECORDS_CLERK, org.other, "Ngô Văn Hải"),
        outsider=person("cv.stc", RoleCode.SPECIALIST, org.other, "Hồ Thị Lan"),
    )


def metadata(**overrides: object) -> IncomingMetadata:
    values: dict[str, object] = {
        "issuing_agency_name": "UBND tỉnh Kiên Giang",
        "code_number": "176",
        "code_notation": "KH-UBND",
        "type_code": "KH",
        "issued_date": date(2026, 11, 27),
        "subject": "Kế hoạch ứng dụng công nghệ thông tin năm 2027",
        "signer_name": "Lâm Minh Thành",
        "signer_position": "Chủ tịch",
        "page_amount": 3,
    }
    values.update(overrides)
    return IncomingMetadata(**values)  # type: ignore[arg-type]


SCAN_LINES = (
    "ỦY BAN NHÂN DÂN TỈNH KIÊN GIANG",
    "Số: 125/UBND-VP",
    "CÔNG VĂN",
    "Về việc triển khai hệ thống",
    "quản lý văn bản điều hành",
)


def scan_png(lines: tuple[str, ...] = SCAN_LINES, *, size: tuple[int, int] = (1400, 700)) -> bytes:
    """A clean 'scan' of a letter: black Vietnamese text on white, large enough to read."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", size, 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 44)
    y = 40
    for line in lines:
        draw.text((60, y), line, fill=0, font=font)
        y += 80
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def scan_pdf(lines: tuple[str, ...] = SCAN_LINES) -> bytes:
    """A scanned PDF: one page holding only an image (no text layer)."""
    from fpdf import FPDF

    pdf = FPDF(unit="mm", format="A4")
    pdf.add_page()
    pdf.image(io.BytesIO(scan_png(lines)), x=10, y=10, w=190)
    return bytes(pdf.output())


def text_pdf(text: str = "Công văn về việc báo cáo tình hình") -> bytes:
    """A born-digital PDF whose text layer is read without OCR."""
    from fpdf import FPDF

    pdf = FPDF(unit="mm", format="A4")
    pdf.add_page()
    pdf.add_font("BeVietnamPro", "", FONT)
    pdf.set_font("BeVietnamPro", size=14)
    pdf.multi_cell(0, 8, text)
    return bytes(pdf.output())
