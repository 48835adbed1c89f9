"""Demo tasks of the provincial People's Committee's office, made through the services.

The office's leader assigns tasks to Sở Tư pháp and to Rạch Giá: from incoming
documents, from a meeting conclusion and entered by the office. The department
reports progress on one, asks for an extension on another (waiting for the
office), reports one completed (waiting for confirmation) and has one confirmed;
two are moved into the past so the lists show an overdue task and a late one.
"""

from __future__ import annotations

from datetime import timedelta

from egov.accounts import demo as accounts_demo
from egov.accounts.models import User
from egov.tasks import services, sources
from egov.tasks.models import Priority, Source, Task, TaskEvent


def _user(username: str) -> User:
    return User.objects.get(username=username)


def load_demo_tasks() -> str:
    """Idempotent: does nothing once the office has tasks."""
    office = accounts_demo.provincial_office()
    if Task.objects.filter(office=office).exists():
        return "already loaded"
    leader = _user("lanhdao.vpubnd")
    justice = accounts_demo.department("Tư pháp")
    rach_gia = accounts_demo.rach_gia()
    stp_leader = _user("lanhdao.stp")
    documents = sources.recent(leader, Source.INCOMING, 6)

    def assign(text: str, lead: object, days: int, **extra: object) -> Task:
        return services.assign(
            leader,
            services.TaskIn(
                text=text,
                office=office,
                lead_unit=lead,  # type: ignore[arg-type]
                assigned_by=leader,
                working_days=days,
                **extra,  # type: ignore[arg-type]
            ),
        )

    from_doc = {"source": Source.INCOMING, "document_id": documents[0].id} if documents else {}
    first = assign(
        "Tham mưu UBND tỉnh trả lời nội dung văn bản, báo cáo kết quả trước thời hạn.",
        justice,
        10,
        **from_doc,
    )
    services.report_progress(
        stp_leader, first.pk, progress=40, note="Đã dự thảo văn bản trả lời, đang lấy ý kiến."
    )
    second = assign(
        "Rà soát, đề xuất bãi bỏ thủ tục hành chính không còn phù hợp trong lĩnh vực tư pháp.",
        justice,
        5,
        source=Source.MEETING,
        meeting="Phiên họp thường kỳ UBND tỉnh tháng này",
        cooperating_units=[rach_gia],
        priority=Priority.URGENT,
    )
    services.request_extension(
        stp_leader,
        second.pk,
        new_due_date=second.due_date + timedelta(days=14),
        reason="Cần thêm thời gian lấy ý kiến các huyện, thành phố.",
    )
    third = assign(
        "Báo cáo tình hình triển khai dịch vụ công trực tuyến mức độ 4 tại thành phố.",
        rach_gia,
        3,
    )
    fourth = assign("Tổng hợp kết quả phổ biến, giáo dục pháp luật quý này.", justice, 2)
    services.report_completion(stp_leader, fourth.pk, note="Đã gửi báo cáo tổng hợp.")
    fifth = assign("Kiểm tra văn bản quy phạm pháp luật do cấp huyện ban hành.", justice, 4)
    services.report_completion(stp_leader, fifth.pk, note="Đã hoàn thành kiểm tra.")
    services.confirm_completion(leader, fifth.pk, accept=True)
    # The past, for the lists and figures: one overdue, one finished late.
    today = services.today()
    Task.objects.filter(pk=third.pk).update(
        assigned_on=today - timedelta(days=20),
        due_date=today - timedelta(days=3),
        original_due_date=today - timedelta(days=3),
    )
    Task.objects.filter(pk=fifth.pk).update(
        assigned_on=today - timedelta(days=30),
        due_date=today - timedelta(days=8),
        original_due_date=today - timedelta(days=8),
    )
    TaskEvent.objects.filter(task_id__in=[third.pk, fifth.pk], action="assigned").update(
        note="(demo: giao từ trước)"
    )
    # Sở TTTT leads the plan's projects: its staff find a task on their dashboard.
    assign(
        "Triển khai nền tảng tích hợp, chia sẻ dữ liệu (LGSP) theo Phụ lục II của "
        "Kế hoạch 176/KH-UBND; báo cáo tiến độ hằng tháng.",
        accounts_demo.department("Thông tin và Truyền thông"),
        15,
    )
    warned = services.warn_deadlines()
    return f"6 tasks of {office.name}, {warned} deadline notices"
