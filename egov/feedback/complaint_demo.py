"""Demo complaints (phản ánh, kiến nghị) in every state, made through the services.

Sent to UBND Thành phố Rạch Giá about demo procedures and an official: new ones
(one overdue), one waiting for the sender, one refused, one answered and waiting
for publication, published ones with likes and dislikes, and a repeated one.
Idempotent: a complaint is recognised by its subject. NEVER load this on a
production database.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from egov.accounts.demo import DemoUnitMissing, rach_gia
from egov.dossiers.demo import _operator
from egov.feedback import complaints
from egov.feedback.complaint_models import Complaint, ComplaintAbout, ComplaintCategory
from egov.feedback.demo import _agency_for
from egov.procedures.models import Procedure

DEMO_DOMAIN = "@pakn-mau.example.com"

#: (subject, text, about, procedure code, days ago, steps, category)
#: steps: "" new, "more" asked for more, "refuse", "answer", "publish", "late" answered late
_DEMO: tuple[tuple[str, str, str, str, int, str, str], ...] = (
    (
        "Hướng dẫn hồ sơ khai sinh chưa rõ ràng",
        "Trên cổng dịch vụ công không ghi rõ có cần bản sao giấy đăng ký kết hôn hay không.",
        ComplaintAbout.PROCEDURE,
        "1.001193",
        1,
        "",
        "",
    ),
    (
        "Cán bộ một cửa hẹn trả kết quả nhiều lần",
        "Tôi đã đến nhận kết quả ba lần nhưng đều được hẹn lại mà không có phiếu xin lỗi.",
        ComplaintAbout.OFFICIAL,
        "",
        30,
        "",
        ComplaintCategory.BEHAVIOUR,
    ),
    (
        "Đề nghị cho nộp lệ phí chứng thực trực tuyến",
        "Đề nghị cho phép thanh toán lệ phí chứng thực bản sao qua ứng dụng ngân hàng.",
        ComplaintAbout.PROCEDURE,
        "2.000815",
        6,
        "more",
        ComplaintCategory.PROCEDURE,
    ),
    (
        "Quảng cáo dịch vụ",
        "Nội dung không liên quan đến thủ tục hành chính.",
        ComplaintAbout.OFFICIAL,
        "",
        4,
        "refuse",
        ComplaintCategory.OTHER,
    ),
    (
        "Thời hạn đăng ký kết hôn quá dài",
        "Đề nghị rút ngắn thời gian giải quyết đăng ký kết hôn xuống trong ngày.",
        ComplaintAbout.PROCEDURE,
        "1.000894",
        8,
        "answer",
        ComplaintCategory.RULES,
    ),
    (
        "Phòng chờ bộ phận một cửa thiếu ghế ngồi",
        "Buổi sáng thứ Hai rất đông, nhiều người phải đứng chờ lâu.",
        ComplaintAbout.OFFICIAL,
        "",
        20,
        "publish",
        ComplaintCategory.OTHER,
    ),
    (
        "Lệ phí chứng thực bản sao thu không đúng",
        "Tôi chứng thực 3 trang nhưng bị thu 10.000 đồng.",
        ComplaintAbout.PROCEDURE,
        "2.000815",
        40,
        "late",
        ComplaintCategory.PROCEDURE,
    ),
)

_ANSWERS = {
    "answer": "UBND thành phố ghi nhận kiến nghị và sẽ đề xuất cấp có thẩm quyền xem xét.",
    "publish": "Bộ phận Một cửa đã bổ sung 20 ghế chờ và bố trí thêm một quầy vào sáng thứ Hai.",
    "late": "Lệ phí chứng thực là 2.000 đồng/trang cho hai trang đầu và 1.000 đồng/trang từ "
    "trang thứ ba; số tiền thu thừa đã được hoàn lại cho ông.",
}


@contextmanager
def _clock_at(moment: datetime) -> Iterator[None]:
    original = complaints._now
    complaints._now = lambda: moment
    try:
        yield
    finally:
        complaints._now = original


def load_demo_complaints() -> str:
    """Load the demo complaints (idempotent); returns what was done."""
    try:
        actor = _operator()
        agency = rach_gia()
    except DemoUnitMissing as exc:
        return f"skipped: {exc}"
    now = timezone.now()
    existing = set(Complaint.objects.values_list("title", flat=True))
    created = 0
    with transaction.atomic():
        for number, (title, body, about, code, days, steps, category) in enumerate(_DEMO):
            if title in existing:
                continue
            procedure = Procedure.objects.filter(national_code=code).first() if code else None
            if procedure is None:
                about = ComplaintAbout.OFFICIAL
            # A procedure's feedback goes to an agency that carries it out.
            target = (_agency_for(procedure) if procedure else None) or agency
            sent_at = now - timedelta(days=days, hours=number)
            data = complaints.ComplaintIn(
                about=about,
                title=title,
                body=body,
                name=("Nguyễn Văn Hùng", "Trần Thị Lan", "Lê Minh Tâm")[number % 3],
                email=f"pakn-{number + 1:02d}{DEMO_DOMAIN}",
                procedure=procedure,
                agency=target,
            )
            with _clock_at(sent_at):
                complaint = complaints.send_complaint(None, data).complaint
            step_at = sent_at + timedelta(days=1)
            with _clock_at(min(now, step_at)):
                if category:
                    complaint = complaints.classify(actor, complaint, category)
                if steps == "more":
                    complaints.ask_more(actor, complaint, "Đề nghị cho biết ngân hàng ông/bà dùng.")
                elif steps == "refuse":
                    complaints.refuse(actor, complaint, "Nội dung không thuộc phạm vi phản ánh.")
                elif steps in ("answer", "publish"):
                    complaint = complaints.answer(actor, complaint, _ANSWERS[steps])
            if steps == "publish":
                with _clock_at(min(now, step_at + timedelta(days=1))):
                    complaint = complaints.publish(actor, complaint)
                for voter in range(5):
                    complaints.vote(complaint, f"demo:{voter}", 1 if voter < 4 else -1)
            if steps == "late":
                with _clock_at(min(now, sent_at + timedelta(days=25))):
                    complaint = complaints.answer(actor, complaint, _ANSWERS[steps])
                    complaint = complaints.publish(actor, complaint)
                for voter in range(3):
                    complaints.vote(complaint, f"demo:{voter}", -1)
            created += 1
    return f"{created} created"


def delete_demo_complaints() -> None:
    Complaint.objects.filter(sender_email__endswith=DEMO_DOMAIN).delete()
