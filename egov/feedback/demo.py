"""Demo ratings and questions, made through :mod:`egov.feedback.services`.

* Ratings on demo dossiers whose result was returned (status 10), recorded as
  given at the desk (most demo dossiers have no applicant account), dated shortly
  after the return, with a realistic spread of levels and answers.
* A dozen real-sounding questions about demo procedures, routed to the agencies
  that carry them out: most answered and published, a few waiting for an answer,
  one of them overdue.

Idempotent: a dossier already rated is skipped, and a question is recognised by
its subject. Needs ``load_demo_units``, ``load_demo_procedures``,
``load_demo_accounts`` (and, for ratings, ``load_demo_dossiers``). NEVER load this
on a production database.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from egov.accounts.demo import DemoUnitMissing, rach_gia, rach_gia_commune
from egov.accounts.models import User
from egov.core.models import Unit
from egov.dossiers.demo import _operator, demo_dossiers
from egov.dossiers.models import Channel, Status
from egov.feedback import services
from egov.feedback.indicators import asked_indicators
from egov.feedback.models import Question, Rating, RatingSource
from egov.procedures.models import Procedure

MAX_RATINGS = 60

_COMMENTS = (
    "Cán bộ hướng dẫn tận tình, thủ tục nhanh gọn.",
    "Phải bổ sung giấy tờ hai lần vì hướng dẫn ban đầu chưa đầy đủ.",
    "Trả kết quả đúng hẹn, rất hài lòng.",
    "Chờ lâu ở quầy tiếp nhận, đề nghị bố trí thêm cán bộ giờ cao điểm.",
    "",
    "",
    "",
)

#: (procedure code, subject, question, answer or "" for unanswered, days ago asked)
_QUESTIONS: tuple[tuple[str, str, str, str, int], ...] = (
    (
        "1.001193",
        "Đăng ký khai sinh cho con khi cha mẹ chưa đăng ký kết hôn",
        "Vợ chồng tôi chưa đăng ký kết hôn, nay muốn đăng ký khai sinh cho con thì cần "
        "những giấy tờ gì và có ghi tên cha trong giấy khai sinh được không?",
        "Trường hợp cha mẹ chưa đăng ký kết hôn, khi đăng ký khai sinh mà có người nhận "
        "con thì UBND cấp xã kết hợp giải quyết việc khai sinh và nhận cha, mẹ, con. Hồ sơ "
        "gồm: Tờ khai đăng ký khai sinh, Giấy chứng sinh, Tờ khai nhận cha, mẹ, con và "
        "chứng cứ chứng minh quan hệ cha con (văn bản của cơ quan y tế, giám định hoặc "
        "văn bản cam đoan có hai người làm chứng).",
        40,
    ),
    (
        "1.001193",
        "Thời hạn đăng ký khai sinh cho trẻ",
        "Con tôi sinh được 70 ngày, bây giờ đi đăng ký khai sinh có bị phạt không?",
        "Cha, mẹ có trách nhiệm đăng ký khai sinh cho con trong thời hạn 60 ngày kể từ "
        "ngày sinh. Quá hạn vẫn được đăng ký khai sinh bình thường; việc xử phạt vi phạm "
        "hành chính (nếu có) được áp dụng theo quy định, cán bộ tư pháp – hộ tịch sẽ hướng "
        "dẫn cụ thể khi anh/chị đến nộp hồ sơ.",
        35,
    ),
    (
        "1.000894",
        "Đăng ký kết hôn ở xã nào?",
        "Tôi thường trú ở Rạch Giá, vợ sắp cưới thường trú ở Châu Thành. Chúng tôi đăng ký "
        "kết hôn ở đâu?",
        "Hai bạn có thể đăng ký kết hôn tại UBND cấp xã nơi cư trú của một trong hai bên. "
        "Khi đi, cả hai cùng có mặt, mang theo giấy tờ tùy thân và Tờ khai đăng ký kết hôn.",
        30,
    ),
    (
        "2.000815",
        "Chứng thực bản sao có cần mang bản chính không?",
        "Tôi cần chứng thực bản sao sổ hộ khẩu cũ và bằng tốt nghiệp. Có bắt buộc mang bản "
        "chính không và lệ phí bao nhiêu?",
        "Có. Người yêu cầu chứng thực xuất trình bản chính và bản sao cần chứng thực. Lệ "
        "phí chứng thực bản sao từ bản chính là 2.000 đồng/trang; từ trang thứ ba trở đi "
        "1.000 đồng/trang, tối đa 200.000 đồng/bản.",
        28,
    ),
    (
        "2.002516",
        "Xin văn bản xác nhận thông tin hộ tịch ở đâu?",
        "Tôi cần văn bản xác nhận việc đã đăng ký kết hôn năm 2010 để làm hồ sơ ở nước ngoài. "
        "Tôi nộp ở đâu và mất bao nhiêu tiền?",
        "Ông/bà nộp tờ khai đề nghị xác nhận thông tin hộ tịch tại Trung tâm Phục vụ hành "
        "chính công hoặc trực tuyến trên Cổng dịch vụ công; Sở Tư pháp hoặc UBND cấp xã tra "
        "cứu Cơ sở dữ liệu hộ tịch điện tử và cấp văn bản. Lệ phí 8.000 đồng/văn bản.",
        25,
    ),
    (
        "1.001612",
        "Hộ kinh doanh có cần vốn tối thiểu?",
        "Tôi muốn mở quán cà phê nhỏ, đăng ký hộ kinh doanh có yêu cầu vốn tối thiểu không?",
        "Pháp luật không quy định vốn tối thiểu đối với hộ kinh doanh, trừ ngành nghề kinh "
        "doanh có điều kiện về vốn. Từ ngày 01/7/2025, hồ sơ nộp tại UBND cấp xã, gồm Giấy "
        "đề nghị đăng ký hộ kinh doanh; thời hạn giải quyết 3 ngày làm việc.",
        20,
    ),
    (
        "2.001019",
        "Chứng thực di chúc tại UBND phường",
        "Bố tôi muốn lập di chúc để lại căn nhà. Chứng thực di chúc ở phường cần mang gì?",
        "Người lập di chúc mang dự thảo di chúc, giấy tờ tùy thân và giấy chứng nhận quyền "
        "sở hữu, quyền sử dụng tài sản; người lập di chúc phải ký trước mặt người thực hiện "
        "chứng thực. Phí chứng thực 50.000 đồng/di chúc.",
        15,
    ),
    (
        "1.013831",
        "Sang tên quyền sử dụng đất mất bao lâu?",
        "Tôi nhận chuyển nhượng một thửa đất ở phường Vĩnh Thanh Vân. Đăng ký biến động mất "
        "bao nhiêu ngày và nộp ở đâu?",
        "Hồ sơ nộp tại Trung tâm Phục vụ hành chính công hoặc Văn phòng đăng ký đất đai (chi "
        "nhánh), gồm đơn đăng ký biến động, hợp đồng chuyển nhượng đã công chứng hoặc chứng "
        "thực và bản gốc Giấy chứng nhận. Thời hạn 18 ngày làm việc, không kể thời gian thực "
        "hiện nghĩa vụ tài chính.",
        12,
    ),
    (
        "2.001583",
        "Thành lập công ty TNHH một thành viên cần bao nhiêu ngày?",
        "Nộp hồ sơ qua mạng thì bao lâu có Giấy chứng nhận đăng ký doanh nghiệp?",
        "Trong 3 ngày làm việc kể từ ngày nhận hồ sơ hợp lệ, cơ quan đăng ký kinh doanh "
        "thuộc Sở Tài chính cấp Giấy chứng nhận đăng ký doanh nghiệp.",
        8,
    ),
    (
        "1.004837",
        "Đăng ký giám hộ cho cháu mồ côi",
        "Bố mẹ cháu tôi đều mất, tôi là bác ruột. Tôi làm thủ tục giám hộ cho cháu ở đâu?",
        "",
        20,
    ),
    (
        "2.000806",
        "Kết hôn với người nước ngoài làm ở đâu?",
        "Tôi sắp kết hôn với người Hàn Quốc. Từ năm 2025 tôi nộp hồ sơ ở phường hay ở đâu?",
        "",
        2,
    ),
    (
        "1.004873",
        "Giấy xác nhận tình trạng hôn nhân để vay ngân hàng",
        "Ngân hàng yêu cầu giấy xác nhận độc thân. Tôi xin ở đâu và mất mấy ngày?",
        "",
        0,
    ),
)


@dataclass
class DemoFeedbackReport:
    ratings_created: int = 0
    questions_created: int = 0
    skipped: list[str] = field(default_factory=list)


@contextmanager
def _clock_at(moment: datetime) -> Iterator[None]:
    original = services._now
    services._now = lambda: moment
    try:
        yield
    finally:
        services._now = original


def _answers(rng: random.Random, level: int, channel: int) -> dict[str, str]:
    answers: dict[str, str] = {}
    for item in asked_indicators():
        values = [a.value for a in item.answers]
        if item.code == "online" and channel != Channel.ONLINE:
            answers[item.code] = "unused"
        elif item.code == "feedback":
            answers[item.code] = "none" if rng.random() < 0.8 else rng.choice(values[:3])
        elif level == 3:
            answers[item.code] = values[0]
        elif level == 1:
            answers[item.code] = rng.choice(values[1:3] if len(values) > 2 else values)
        else:
            answers[item.code] = rng.choice(values[:2])
    return answers


def _load_ratings(actor: User, report: DemoFeedbackReport) -> None:
    now = timezone.now()
    returned = (
        demo_dossiers()
        .filter(status=Status.RETURNED, rating__isnull=True)
        .select_related("procedure_version", "receiving_agency", "receiving_unit")
        .order_by("pk")[:MAX_RATINGS]
    )
    for dossier in returned:
        rng = random.Random(dossier.pk)  # noqa: S311 (demo data)
        level = rng.choices((1, 2, 3), (1, 5, 4))[0]
        moment = min(now, (dossier.returned_at or now) + timedelta(minutes=rng.randint(5, 90)))
        data = services.RatingIn(
            level=level,
            answers=_answers(rng, level, dossier.channel),
            comment=rng.choice(_COMMENTS),
        )
        with _clock_at(moment):
            services.rate_dossier(actor, dossier, data, source=RatingSource.DESK)
        report.ratings_created += 1


def _agency_for(procedure: Procedure) -> Unit | None:
    agencies = services.procedure_agencies(procedure)
    if not agencies:
        return None
    preferred = {rach_gia().pk, rach_gia_commune().pk}
    return next((a for a in agencies if a.pk in preferred), agencies[0])


def _load_questions(actor: User, report: DemoFeedbackReport) -> None:
    now = timezone.now()
    existing = set(Question.objects.values_list("title", flat=True))
    for number, (code, title, body, answer, days_ago) in enumerate(_QUESTIONS):
        if title in existing:
            continue
        procedure = Procedure.objects.filter(national_code=code).first()
        agency = _agency_for(procedure) if procedure else None
        if procedure is None or agency is None:
            report.skipped.append(f"{code}: procedure or agency missing")
            continue
        asked = now - timedelta(days=days_ago, hours=number)
        data = services.QuestionIn(
            title=title,
            body=body,
            name=("Nguyễn Văn Hùng", "Trần Thị Lan", "Lê Minh Tâm", "Phạm Ngọc Hà")[number % 4],
            email=f"hoi-dap-{number + 1:02d}@hoso-mau.example.com",
            procedure=procedure,
            agency=agency,
        )
        with _clock_at(asked):
            question = services.ask_question(None, data)
        if answer:
            with _clock_at(min(now, asked + timedelta(days=2, hours=3))):
                services.answer_question(actor, question, answer=answer, publish=True)
        report.questions_created += 1


def load_demo_feedback() -> DemoFeedbackReport:
    """Load the demo ratings and questions (idempotent)."""
    report = DemoFeedbackReport()
    try:
        actor = _operator()
    except DemoUnitMissing as exc:
        report.skipped.append(str(exc))
        return report
    with transaction.atomic():
        _load_ratings(actor, report)
        _load_questions(actor, report)
    return report


def delete_demo_feedback() -> None:
    """Remove the demo questions and the ratings of demo dossiers."""
    Rating.objects.filter(dossier__in=demo_dossiers()).delete()
    Question.objects.filter(asker_email__endswith="@hoso-mau.example.com").delete()
