"""Demo: the seed regimes and filed quarterly reports in the demo units — the
commune of Rạch Giá filed by its one-stop officer and approved, the city of Rạch
Giá's report waiting for its leader (``lanhdao.rachgia``) — so the reporting
pages, the completeness view and the leader's "reports due" show data."""

from __future__ import annotations

import contextlib
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from egov.accounts.permissions import active_assignments
from egov.core.models import Unit
from egov.reporting import selectors, services
from egov.reporting.errors import ReportingError
from egov.reporting.models import Regime, Report
from egov.reporting.periods import due_period
from egov.reporting.seed import seed_regimes
from egov.signatures.errors import SignatureError

FIGURES = {"pakn_tiep_nhan": "6", "pakn_da_xu_ly": "5", "tthc_ra_soat": "2"}
TEXTS = {
    "danh_gia": "Tiếp nhận và giải quyết hồ sơ cơ bản đúng hạn; tăng tỷ lệ nộp trực tuyến.",
    "kien_nghi": "Đề nghị nâng cấp đường truyền tại Bộ phận Một cửa.",
}


def _user(username: str) -> Any:
    return get_user_model().objects.filter(username=username, is_active=True).first()


def _file(regime: Regime, unit: Unit, key: str, clerk: Any, approver: Any = None) -> bool:
    if Report.objects.filter(regime=regime, unit=unit, period_key=key).exists():
        return False
    try:
        report = services.create_report(clerk, regime, unit, key)
        report = services.save_figures(clerk, report, values=FIGURES, texts=TEXTS)
        report = services.submit(clerk, report, late_reason="Số liệu mẫu của bản trình diễn.")
    except ReportingError:
        return False
    if approver is not None:
        # A demo key that needs a PIN: the report is left waiting for approval.
        with contextlib.suppress(SignatureError):
            services.approve(approver, report)
    return True


def load_demo_reports() -> str:
    seed_regimes()
    regime = Regime.objects.filter(code="tthc-quy").first()
    clerk, leader, operator = _user("motcua.xa"), _user("lanhdao.rachgia"), _user("vanhanh.stttt")
    if regime is None or clerk is None or leader is None:
        return "regimes only (demo accounts missing)"
    period = due_period(regime, timezone.localdate())
    if period is None:
        return "regimes only"
    made = 0
    first = active_assignments(clerk).first()
    commune = selectors.filing_unit(first.unit, regime) if first else None
    if commune is not None and _file(regime, commune, period.key, clerk, operator):
        made += 1
    seat = active_assignments(leader).first()
    district = selectors.filing_unit(seat.unit, regime) if seat else None
    if district is not None and _file(regime, district, period.key, leader):
        made += 1
    return f"{made} report(s) for {period.label}"
