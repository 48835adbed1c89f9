"""A year of incoming documents for the demo, made through the services.

The provincial People's Committee office (Văn phòng UBND tỉnh) and two departments
(Sở Tư pháp, Sở Thông tin và Truyền thông) receive letters on paper and from each
other on the platform; each is registered, presented, directed with a processing
sheet, handled and mostly resolved. The services' clock (``services.common.now``)
is replaced by a demo clock while loading, so the registers span the past year.
A few documents are left waiting in the queues, one of them a scan whose text the
clerk sees recognised by OCR.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from django.utils import timezone

from egov.accounts import demo as accounts_demo
from egov.accounts.models import User
from egov.core.models import Unit, UnitLevel
from egov.core.services.units import create_unit
from egov.documents import ocr, services
from egov.documents.contract import IncomingMetadata
from egov.documents.doctypes import ensure_document_types
from egov.documents.models import Assignment, AssignmentStatus, IncomingDocument
from egov.documents.services import common

FONT = Path(__file__).resolve().parent.parent / "dossiers" / "fonts" / "BeVietnamPro-Regular.ttf"
SEED = 20261207
DAYS = 365
EVERY_HOURS = 52  # about 170 documents a year for the office

SENDERS = (
    ("Ủy ban nhân dân tỉnh Kiên Giang", "UBND", "Chủ tịch", "Lâm Minh Thành"),
    ("Bộ Tư pháp", "BTP", "Thứ trưởng", "Nguyễn Thanh Tịnh"),
    ("Văn phòng Chính phủ", "VPCP", "Phó Chủ nhiệm", "Nguyễn Sỹ Hiệp"),
    ("Bộ Thông tin và Truyền thông", "BTTTT", "Thứ trưởng", "Phạm Đức Long"),
    ("Sở Tài chính tỉnh Kiên Giang", "STC", "Giám đốc", "Nguyễn Văn Hải"),
    ("Ủy ban nhân dân thành phố Rạch Giá", "UBND", "Chủ tịch", "Võ Thanh Sơn"),
    ("Công an tỉnh Kiên Giang", "CAT", "Phó Giám đốc", "Lê Văn Bình"),
)
SUBJECTS = (
    ("cong-van", "V/v báo cáo tình hình ứng dụng công nghệ thông tin quý {q}"),
    ("ke-hoach", "Kế hoạch chuyển đổi số năm {y}"),
    ("cong-van", "V/v đôn đốc thực hiện dịch vụ công trực tuyến toàn trình"),
    ("quyet-dinh", "Quyết định công bố danh mục thủ tục hành chính được sửa đổi"),
    ("giay-moi", "Giấy mời dự hội nghị sơ kết công tác cải cách hành chính"),
    ("thong-bao", "Thông báo kết luận của Chủ tịch UBND tỉnh tại buổi làm việc"),
    ("cong-van", "V/v góp ý dự thảo Nghị quyết về chính sách hỗ trợ doanh nghiệp"),
    ("bao-cao", "Báo cáo kết quả kiểm tra văn bản quy phạm pháp luật"),
    ("huong-dan", "Hướng dẫn lập hồ sơ và nộp lưu hồ sơ điện tử vào lưu trữ cơ quan"),
    ("cong-van", "V/v rà soát số liệu cán bộ, công chức cấp xã"),
    ("chi-thi", "Chỉ thị về tăng cường kỷ luật, kỷ cương hành chính"),
    ("to-trinh", "Tờ trình phê duyệt danh mục dự án công nghệ thông tin"),
)
SCAN_LINES = (
    "ỦY BAN NHÂN DÂN TỈNH KIÊN GIANG",
    "Số: 125/UBND-VP",
    "CÔNG VĂN",
    "Về việc triển khai hệ thống",
    "quản lý văn bản điều hành",
)


class DemoClock:
    """Stands in for ``services.common.now``; never runs past the real now."""

    def __init__(self, start: datetime) -> None:
        self.moment = start

    def advance(self, delta: timedelta) -> datetime:
        ceiling = timezone.now() - timedelta(seconds=1)
        self.moment = min(self.moment + delta, ceiling)
        return self.moment

    def __call__(self) -> datetime:
        return self.moment


@contextmanager
def _clock(clock: DemoClock) -> Iterator[None]:
    original: Callable[[], datetime] = common.now
    common.now = clock
    try:
        yield
    finally:
        common.now = original


def text_pdf(lines: list[str]) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(unit="mm", format="A4")
    pdf.add_page()
    pdf.add_font("BeVietnamPro", "", str(FONT))
    pdf.set_font("BeVietnamPro", size=13)
    for line in lines:
        pdf.multi_cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def scan_png(lines: tuple[str, ...] = SCAN_LINES) -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", (1400, 700), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT), 44)
    for index, line in enumerate(lines):
        draw.text((60, 40 + 80 * index), line, fill=0, font=font)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _internal(agency: Unit, number: int, name: str) -> Unit:
    parts = agency.code.split(".")
    code = f"{parts[0]}.{number:02d}.{parts[2]}.{parts[3]}"
    found = Unit.objects.filter(code=code, dissolved_at__isnull=True).first()
    if found is not None:
        return found
    return create_unit(None, agency, code=code, name=name, level=UnitLevel.INTERNAL)


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _metadata(rng: random.Random, at: datetime, number: int) -> IncomingMetadata:
    sender, short, position, signer = rng.choice(SENDERS)
    type_code, subject = rng.choice(SUBJECTS)
    subject = subject.format(q=(at.month - 1) // 3 + 1, y=at.year + 1)
    abbreviation = {
        "ke-hoach": "KH",
        "quyet-dinh": "QĐ",
        "giay-moi": "GM",
        "thong-bao": "TB",
        "bao-cao": "BC",
        "huong-dan": "HD",
        "chi-thi": "CT",
        "to-trinh": "TTr",
    }
    notation = f"{abbreviation[type_code]}-{short}" if type_code in abbreviation else f"{short}-VP"
    urgency = "urgent" if rng.random() < 0.08 else "normal"
    return IncomingMetadata(
        issuing_agency_name=sender,
        subject=subject,
        code_number=str(number),
        code_notation=notation,
        type_code=type_code,
        issued_date=(at - timedelta(days=rng.randint(1, 4))).date(),
        signer_name=signer,
        signer_position=position,
        page_amount=rng.randint(1, 6),
        urgency=urgency,
    )


def _handle(
    document: IncomingDocument,
    clock: DemoClock,
    rng: random.Random,
    *,
    clerk: User,
    leader: User,
    units: list[Unit],
    specialist: User,
    age_days: float,
) -> None:
    document = services.register(document, actor=clerk, present_to=leader)
    clock.advance(timedelta(hours=rng.randint(1, 20)))
    lead = units[rng.randrange(len(units))]
    others = [u for u in units if u != lead and rng.random() < 0.3]
    document = services.assign(
        document,
        actor=leader,
        lead_unit=lead,
        cooperating_units=others,
        deadline_days=rng.choice((5, 7, 10, 15)),
        opinion="Đề nghị chủ trì, tham mưu xử lý.",
        lead_person=specialist if rng.random() < 0.7 else None,
    )
    if age_days < 3:
        return
    active = document.assignments.filter(status=AssignmentStatus.ACTIVE, role="lead").first()
    if active is not None and active.assignee_id is None:
        active = services.hand_out(active, person=specialist, actor=leader)
    clock.advance(timedelta(days=rng.randint(1, 4)))
    services.add_progress_note(document, actor=specialist, text="Đang dự thảo văn bản trả lời.")
    if age_days < 12 or rng.random() < 0.1:
        return  # still being handled (some will be overdue)
    clock.advance(timedelta(days=rng.randint(1, 6)))
    document.refresh_from_db()
    services.link_answer(
        document,
        actor=specialist,
        reference=f"demo-answer:{document.pk}",
        notation=f"{rng.randint(10, 900)}/VP-TH",
    )
    services.resolve(document, actor=specialist, resolution="Đã ban hành văn bản trả lời.")


def load_demo_documents(*, every_hours: int = EVERY_HOURS, days: int = DAYS) -> str:
    """Load the sample once (running it again changes nothing); say what was made."""
    ensure_document_types()
    office = accounts_demo.provincial_office()
    justice = accounts_demo.department("Tư pháp")
    if IncomingDocument.objects.filter(recipient_agency__in=[office, justice]).exists():
        return "incoming documents already loaded"
    office_units = [
        _internal(office, 2, "Phòng Tổng hợp"),
        _internal(office, 3, "Phòng Kinh tế - Ngành"),
    ]
    justice_units = [_internal(justice, 2, "Phòng Xây dựng và kiểm tra văn bản")]
    people = {
        "office": (
            _user("vanthu.vpubnd"),
            _user("lanhdao.vpubnd"),
            _user("chuyenvien.vpubnd"),
            office_units,
        ),
        "justice": (
            _user("vanthu.stp"),
            _user("lanhdao.stp"),
            _user("chuyenvien.stp"),
            justice_units,
        ),
    }
    rng = random.Random(SEED)  # noqa: S311 - reproducible demo data, not secrets
    now = timezone.now().replace(microsecond=0)
    clock = DemoClock(now - timedelta(days=days))
    made = 0
    with _clock(clock):
        number = 0
        while clock.moment < now - timedelta(days=1):
            clock.advance(timedelta(hours=rng.randint(every_hours // 2, every_hours * 3 // 2)))
            number += 1
            side = "office" if rng.random() < 0.7 else "justice"
            clerk, leader, specialist, units = people[side]
            agency = office if side == "office" else justice
            at = clock()
            arrival = clock.moment
            meta = _metadata(rng, at, number)
            if rng.random() < 0.25:
                # From the other agency on the platform (delivered directly).
                sender = justice if side == "office" else office
                sender_clerk = people["justice" if side == "office" else "office"][0]
                document = services.deliver_from_platform(
                    sender_agency=sender,
                    recipient_agency=agency,
                    metadata=replace(meta, issuing_agency_name=sender.name),
                    files=[("van-ban.pdf", text_pdf([meta.subject]), "application/pdf")],
                    source_ref=f"demo:{side}:{number}",
                    actor=sender_clerk,
                )
                services.recognise_document(document.pk)
            else:
                document = services.receive_scan(
                    agency=agency,
                    actor=clerk,
                    metadata=meta,
                    recognise_now=True,
                    files=[
                        (
                            "scan.pdf",
                            text_pdf([meta.issuing_agency_name, meta.subject]),
                            "application/pdf",
                        )
                    ],
                )
            clock.advance(timedelta(hours=rng.randint(0, 6)))
            age = (now - clock()).total_seconds() / 86400
            if age < 1.5 and rng.random() < 0.6:
                made += 1
                continue  # left in the queue to register
            _handle(
                document,
                clock,
                rng,
                clerk=clerk,
                leader=leader,
                units=units,
                specialist=specialist,
                age_days=age,
            )
            made += 1
            # The next document arrives after this one, not after its handling.
            clock.moment = arrival
    # One scan waiting in the office's queue: its text is read by OCR when possible.
    clerk = people["office"][0]
    waiting = services.receive_scan(
        agency=office,
        actor=clerk,
        recognise_now=ocr.tesseract_path() is not None,
        files=[("cong-van-125.png", scan_png(), "image/png")],
    )
    handed = Assignment.objects.filter(document__recipient_agency__in=[office, justice]).count()
    return f"{made + 1} incoming documents ({handed} assignments); waiting scan {waiting.uuid}"
