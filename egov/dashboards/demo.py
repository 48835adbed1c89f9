"""The demo plan: Kế hoạch 176/KH-UBND loaded from its text, with a few reported
values and project updates by the platform operator so the page shows both kinds."""

from __future__ import annotations

from egov.accounts.models import User
from egov.dashboards import services
from egov.dashboards.models import Project, Target


def load_demo_plan() -> str:
    loaded = services.load_plan()
    operator = User.objects.filter(username="vanhanh.stttt").first()
    if operator is None or Target.objects.filter(reported_value__isnull=False).exists():
        return f"{loaded.targets} targets, {loaded.projects} projects"
    reports = {
        "MT06": ("100", "Báo cáo số 12/BC-STTTT: mọi hồ sơ TTHC tiếp nhận trên hệ thống MCĐT."),
        "MT11": (
            "72.5",
            "Báo cáo tình hình xử lý hồ sơ công việc quý III của Văn phòng UBND tỉnh.",
        ),
        "MT17": ("100", "Danh sách hộp thư công vụ @kiengiang.gov.vn đã cấp."),
    }
    for code, (value, evidence) in reports.items():
        target = Target.objects.get(plan=loaded.plan, code=code)
        services.report_target(operator, target.pk, value=value, evidence=evidence)
    updates = {"ĐT.2": (3_500_000_000, 55), "III.1": (600_000_000, 70), "I.3": (600_000_000, 100)}
    for code, (disbursed, progress) in updates.items():
        project = Project.objects.get(plan=loaded.plan, code=code)
        services.update_project(
            operator,
            project.pk,
            disbursed=disbursed,
            progress=progress,
            note="Cập nhật theo báo cáo giải ngân quý.",
            expected_version=project.version,
        )
    return f"{loaded.targets} targets, {loaded.projects} projects, 3 reports, 3 updates"
