"""Demo: the seed regimes and a few filed quarterly reports in the demo units (a
commune approved on time, a district waiting for approval), so the reporting pages
and the completeness view show data."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils import timezone

from egov.core.models import Unit, UnitLevel
from egov.reporting import services
from egov.reporting.errors import ReportingError
from egov.reporting.models import Regime, Report
from egov.reporting.periods import due_period
from egov.reporting.seed import seed_regimes


def load_demo_reports() -> str:
    seed_regimes()
    regime = Regime.objects.filter(code="tthc-quy").first()
    admin = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    if regime is None or admin is None:
        return "regimes only"
    period = due_period(regime, timezone.localdate())
    if period is None:
        return "regimes only"
    made = 0
    communes = list(
        Unit.objects.filter(level=UnitLevel.COMMUNE, dissolved_at__isnull=True).order_by("path")[:2]
    )
    district = (
        Unit.objects.filter(level=UnitLevel.DISTRICT, dissolved_at__isnull=True)
        .order_by("path")
        .first()
    )
    for index, unit in enumerate([*communes, *([district] if district else [])]):
        if Report.objects.filter(regime=regime, unit=unit, period_key=period.key).exists():
            continue
        try:
            report = services.create_report(admin, regime, unit, period.key)
            report = services.save_figures(
                admin,
                report,
                values={
                    "pakn_tiep_nhan": 3 + index,
                    "pakn_da_xu_ly": 2 + index,
                    "tthc_ra_soat": index,
                },
                texts={"danh_gia": "Các chỉ tiêu cơ bản đạt kế hoạch đề ra."},
            )
            report = services.submit(admin, report, late_reason="Số liệu mẫu của bản trình diễn.")
            if index == 0:
                services.approve(admin, report)
            made += 1
        except ReportingError:
            continue
    return f"{made} report(s) for {period.label}"
