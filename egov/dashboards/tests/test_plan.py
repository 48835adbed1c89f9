"""The plan as data: read from Kế hoạch 176's text, loaded idempotently, targets
evaluated live (checked against plain SQL counts) or reported, projects updated."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from egov.accounts.permissions import RoleCode
from egov.core.models import AuditEntry
from egov.core.periods import calendar_year
from egov.dashboards import measures, seed_plan, selectors, services
from egov.dashboards.models import Project, ProjectUpdate, Target, TargetReport
from egov.documents import services as incoming
from egov.documents.doctypes import ensure_document_types
from egov.documents.tests.factories import build_org as build_documents_org
from egov.documents.tests.factories import build_staff, metadata, person, text_pdf
from egov.procedures.tests.factories import birth_content, ensure_fields, publish, record_content
from egov.procedures.tests.factories import build_org as build_procedures_org

pytestmark = pytest.mark.django_db


def test_the_seed_plan_reads_every_project_and_checks_the_totals() -> None:
    text = seed_plan.read_text()
    rows, totals = seed_plan.projects(text)
    assert len(rows) == 31
    assert totals == {"recurrent": 16_000_000_000}
    assert sum(r.budget for r in rows) == 58_000_000_000  # the plan's section VI
    lgsp = next(r for r in rows if "LGSP" in r.name)
    assert (lgsp.code, lgsp.budget, lgsp.funding) == ("ĐT.2", 7_000_000_000, "investment")
    # The row broken by a page break is joined back.
    education = next(r for r in rows if r.code == "I.8")
    assert "ngành Giáo dục và Đào tạo" in education.name
    assert education.owner == "Sở Giáo dục và Đào tạo"
    assert len(seed_plan.targets(text)) == len(seed_plan.TARGETS)


def test_a_target_the_plan_does_not_state_is_refused() -> None:
    with pytest.raises(seed_plan.SeedError):
        seed_plan.targets("Một văn bản khác")
    broken = seed_plan.read_text().replace("16.000.000.000", "17.000.000.000")
    with pytest.raises(seed_plan.SeedError):
        seed_plan.projects(broken)


def test_loading_is_idempotent_and_keeps_what_was_reported(db: None) -> None:
    loaded = services.load_plan()
    assert (loaded.targets, loaded.projects) == (17, 31)
    assert loaded.plan.total_budget == 58_000_000_000
    Target.objects.filter(code="MT06").update(reported_value=Decimal(80))
    again = services.load_plan()
    assert Target.objects.count() == 17 and Project.objects.count() == 31
    assert Target.objects.get(code="MT06").reported_value == Decimal(80)
    assert again.plan.pk == loaded.plan.pk
    measured = set(Target.objects.exclude(measure="").values_list("measure", flat=True))
    assert measured == set(measures.MEASURES)


def _operator() -> object:
    build_documents_org()
    from egov.core.models import Unit

    return person("vanhanh", RoleCode.PLATFORM_OPERATOR, Unit.objects.get(depth=1), "Bùi Hải")


def test_reporting_a_value_keeps_history_and_audit() -> None:
    ensure_document_types()
    operator = _operator()
    services.load_plan()
    target = Target.objects.get(code="MT11")
    with pytest.raises(services.PlanError):
        services.report_target(operator, target.pk, value="abc", evidence="x")
    with pytest.raises(services.PlanError):
        services.report_target(operator, target.pk, value="101000", evidence="x")
    with pytest.raises(services.PlanError):
        services.report_target(operator, target.pk, value="70", evidence="  ")
    services.report_target(operator, target.pk, value="70,5", evidence="Báo cáo 1")
    services.report_target(operator, target.pk, value="85", evidence="Báo cáo 2")
    assert TargetReport.objects.filter(target=target).count() == 2
    evaluated = selectors.evaluate(Target.objects.get(pk=target.pk), calendar_year(2026))
    assert evaluated.value == 85.0 and evaluated.reached is True and not evaluated.live
    assert AuditEntry.objects.filter(action="dashboards.target_reported").count() == 2
    measured = Target.objects.get(code="MT01")
    with pytest.raises(services.PlanError):
        services.report_target(operator, measured.pk, value="50", evidence="x")


def test_only_operators_report() -> None:
    org = build_documents_org()
    staff = build_staff(org)
    services.load_plan()
    target = Target.objects.get(code="MT11")
    with pytest.raises(PermissionDenied):
        services.report_target(staff.leader, target.pk, value="50", evidence="x")


def test_project_update_checks_the_budget_and_the_version() -> None:
    operator = _operator()
    services.load_plan()
    project = Project.objects.get(code="ĐT.2")
    with pytest.raises(services.PlanError):
        services.update_project(
            operator,
            project.pk,
            disbursed=8_000_000_000,
            progress=10,
            note="",
            expected_version=project.version,
        )
    services.update_project(
        operator,
        project.pk,
        disbursed=3_500_000_000,
        progress=50,
        note="Quý III",
        expected_version=project.version,
    )
    with pytest.raises(services.StaleProject):  # a second clerk with the old form
        services.update_project(
            operator,
            project.pk,
            disbursed=1,
            progress=1,
            note="",
            expected_version=project.version,
        )
    project.refresh_from_db()
    assert (project.disbursed, project.progress, project.disbursed_share) == (
        3_500_000_000,
        50,
        50.0,
    )
    assert ProjectUpdate.objects.filter(project=project).count() == 1


def test_level4_share_matches_plain_sql() -> None:
    org = build_procedures_org()
    ensure_fields()
    publish("1.001193", birth_content(org))  # level 4
    publish("2.000488", record_content(org, online_level=3))
    publish("2.000489", record_content(org, online_level=2, name="Thủ tục khác"))
    measurement = measures.level4_share(calendar_year(2026))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT SUM(CASE WHEN online_level = 4 THEN 1 ELSE 0 END), COUNT(*) "
            "FROM procedures_procedureversion WHERE status = 'published'"
        )
        level4, total = cursor.fetchone()
    assert (measurement.numerator, measurement.denominator) == (level4, total) == (1, 3)
    assert measurement.value == round(100 * 1 / 3, 1)
    services.load_plan()
    evaluated = selectors.evaluate(Target.objects.get(code="MT01"), calendar_year(2026))
    assert evaluated.live and evaluated.reached is True  # 33.3 % ≥ 30 %


def test_electronic_share_matches_plain_sql() -> None:
    ensure_document_types()
    org = build_documents_org()
    staff = build_staff(org)
    for i in range(3):
        incoming.deliver_from_platform(
            sender_agency=org.other,
            recipient_agency=org.dept,
            metadata=metadata(issuing_agency_name="Sở Tài chính", code_number=str(10 + i)),
            files=[("a.pdf", text_pdf(), "application/pdf")],
            source_ref=f"dash-{i}",
            actor=staff.other_clerk,
        )
    incoming.receive_scan(
        agency=org.dept,
        files=[("a.pdf", text_pdf("Trang một"), "application/pdf")],
        actor=staff.clerk,
        metadata=metadata(),
        recognise_now=False,
    )
    from django.utils import timezone

    period = calendar_year(timezone.localdate().year)
    measurement = measures.electronic_share(period)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT SUM(CASE WHEN source <> 'paper' THEN 1 ELSE 0 END), COUNT(*) "
            "FROM documents_incomingdocument WHERE confidentiality = 'normal' "
            "AND status <> 'withdrawn'"
        )
        electronic, total = cursor.fetchone()
    assert (measurement.numerator, measurement.denominator) == (electronic, total) == (3, 4)
    assert measurement.value == 75.0
    services.load_plan()
    evaluated = selectors.evaluate(Target.objects.get(code="MT04"), period)
    assert evaluated.reached is False  # 75 % < 95 %: Chưa đạt
