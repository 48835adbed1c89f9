"""Reports end to end through the services: automatic figures against an
independent SQL count, bad input, lateness, second submission, corrections,
completeness, sending to the simulator, exports."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from openpyxl import load_workbook

from egov.core.periods import period_bounds
from egov.dossiers.models import Channel
from egov.dossiers.models import Status as DossierStatus
from egov.dossiers.tests.test_statistics import at, make_dossier
from egov.reporting import selectors, services, simulator
from egov.reporting.errors import AlreadyFiled, InvalidFigures, NotAllowedNow
from egov.reporting.exports import report_pdf, report_workbook
from egov.reporting.models import GovernmentReceipt, Report, ReportEvent, Status

# Quarter 1 of 2020 under Nghị định 09: 15/12/2019 to 14/03/2020.
Q1 = "2020-Q1"


@pytest.fixture
def dossiers(org, cat):
    made = []
    for agency, desk in ((org.commune, org.commune_desk), (org.district, org.district_desk)):
        made += [
            make_dossier(
                agency,
                desk,
                cat.birth_v2,
                status=DossierStatus.RETURNED,
                channel=Channel.ONLINE,
                received_at=at("2020-01-06"),
                due_at=at("2020-01-10"),
                resolved_at=at("2020-01-08"),
            ),
            make_dossier(
                agency,
                desk,
                cat.marriage,
                status=DossierStatus.RETURNED,
                received_at=at("2020-02-03"),
                due_at=at("2020-02-05"),
                resolved_at=at("2020-02-20"),
            ),
            make_dossier(
                agency,
                desk,
                cat.land_use,
                status=DossierStatus.PROCESSING
                if hasattr(DossierStatus, "PROCESSING")
                else DossierStatus.RECEIVED,
                channel=Channel.ONLINE,
                received_at=at("2020-03-02"),
                due_at=at("2020-04-30"),
            ),
            # Outside the period: received after the cut-off (14 March).
            make_dossier(
                agency,
                desk,
                cat.birth_v2,
                status=DossierStatus.RECEIVED,
                received_at=at("2020-03-16"),
                due_at=at("2020-03-20"),
            ),
        ]
    # Another province: never counted.
    make_dossier(
        org.other_province,
        org.other_province,
        cat.birth_v2,
        status=DossierStatus.RECEIVED,
        received_at=at("2020-01-06"),
    )
    return made


def _sql_counts(unit_ids: list[int]) -> dict[str, int]:
    """An independent count with plain SQL over the same rows."""
    from datetime import date

    start, stop = period_bounds(date(2019, 12, 15), date(2020, 3, 14))
    marks = ",".join(["%s"] * len(unit_ids))
    table = "dossiers_dossier"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*), SUM(CASE WHEN channel = %s THEN 1 ELSE 0 END) FROM {table} "
            f"WHERE receiving_agency_id IN ({marks}) AND received_at >= %s AND received_at < %s",
            [int(Channel.ONLINE), *unit_ids, start, stop],
        )
        new, online = cursor.fetchone()
        cursor.execute(
            f"SELECT COUNT(*), SUM(CASE WHEN resolved_at <= due_at THEN 1 ELSE 0 END) "
            f"FROM {table} WHERE receiving_agency_id IN ({marks}) "
            f"AND resolved_at >= %s AND resolved_at < %s",
            [*unit_ids, start, stop],
        )
        resolved, in_time = cursor.fetchone()
    return {"new": new, "online": online or 0, "resolved": resolved, "in_time": in_time or 0}


def _value(report: Report, code: str) -> str:
    return report.values[code]["value"]


def test_automatic_figures_match_an_independent_sql_count(org, people, quarterly, dossiers):
    report = services.create_report(people.district_clerk, quarterly, org.district, Q1)
    ids = list(
        type(org.district)
        .objects.filter(path__startswith=org.district.path)
        .values_list("pk", flat=True)
    )
    expected = _sql_counts(ids)
    assert expected["new"] == 6  # the test data is what it says
    assert int(_value(report, "hs_moi")) == expected["new"]
    assert int(_value(report, "hs_truc_tuyen")) == expected["online"]
    assert int(_value(report, "hs_da_giai_quyet")) == expected["resolved"]
    assert int(_value(report, "hs_dung_han")) == expected["in_time"]
    assert _value(report, "ty_le_truc_tuyen") == "66.67"
    assert report.period_start.isoformat() == "2019-12-15"
    assert report.period_end.isoformat() == "2020-03-14"
    # The commune's report counts only the commune's own dossiers.
    commune = services.create_report(people.commune_clerk, quarterly, org.commune, Q1)
    assert (
        int(_value(commune, "hs_moi"))
        == _sql_counts([org.commune.pk, org.commune_desk.pk])["new"]
        == 3
    )
    assert [row["name"] for row in report.tables["by_unit"]]


def test_bad_figures_are_refused_with_clear_messages_and_nothing_saved(org, people, quarterly):
    report = services.create_report(people.commune_clerk, quarterly, org.commune, Q1)
    with pytest.raises(InvalidFigures) as caught:
        services.save_figures(
            people.commune_clerk, report, values={"pakn_tiep_nhan": "-4", "pakn_da_xu_ly": "abc"}
        )
    assert caught.value.errors["pakn_tiep_nhan"] == (
        "“Số phản ánh, kiến nghị về quy định hành chính tiếp nhận” phải lớn hơn hoặc bằng 0 "
        "(đã nhập -4)."
    )
    assert "pakn_da_xu_ly" in caught.value.errors
    report.refresh_from_db()
    assert report.values.get("pakn_tiep_nhan", {}).get("value", "") == ""
    with pytest.raises(InvalidFigures):
        services.save_figures(people.commune_clerk, report, values={"tthc_ra_soat": "2,5"})
    saved = services.save_figures(
        people.commune_clerk,
        report,
        values={"pakn_tiep_nhan": "1.200"},
        notes={"pakn_tiep_nhan": "gồm cả qua tổng đài"},
    )
    assert saved.values["pakn_tiep_nhan"] == {
        "value": "1200",
        "note": "gồm cả qua tổng đài",
        "auto": False,
    }
    # Automatic figures cannot be overwritten through the form.
    services.save_figures(people.commune_clerk, saved, values={"hs_moi": "999"})
    saved.refresh_from_db()
    assert saved.values["hs_moi"]["value"] != "999"
    # Required figures and sections are asked for at submission.
    with pytest.raises(InvalidFigures) as caught:
        services.submit(people.commune_clerk, saved, late_reason="x")
    assert "pakn_da_xu_ly" in caught.value.errors
    assert Report.objects.get(pk=report.pk).status == Status.DRAFT


def _filled(people, org, quarterly, unit=None, clerk=None):
    unit = unit or org.commune
    clerk = clerk or people.commune_clerk
    report = services.create_report(clerk, quarterly, unit, Q1)
    return services.save_figures(
        clerk,
        report,
        values={"pakn_tiep_nhan": "5", "pakn_da_xu_ly": "4"},
        texts={"danh_gia": "Hoàn thành kế hoạch."},
    )


def test_second_report_late_submission_and_edit_after_approval(org, people, quarterly):
    report = _filled(people, org, quarterly)
    with pytest.raises(AlreadyFiled):
        services.create_report(people.commune_clerk, quarterly, org.commune, Q1)
    # 2020-Q1's deadline passed long ago: a reason is required, then it is late.
    with pytest.raises(ValidationError) as caught:
        services.submit(people.commune_clerk, report)
    assert "late_reason" in caught.value.message_dict
    submitted = services.submit(people.commune_clerk, report, late_reason="Chờ số liệu của xã.")
    assert submitted.is_late and submitted.status == Status.SUBMITTED
    with pytest.raises(NotAllowedNow):
        services.submit(people.commune_clerk, submitted, late_reason="again")
    # The clerk cannot approve; the leader can (no signing key: unsigned).
    with pytest.raises(PermissionDenied):
        services.approve(people.commune_clerk, submitted)
    approved = services.approve(people.commune_leader, submitted)
    assert approved.status == Status.APPROVED and not approved.is_signed
    with pytest.raises(NotAllowedNow):
        services.save_figures(people.commune_clerk, approved, values={"pakn_tiep_nhan": "6"})
    with pytest.raises(ValidationError):
        services.open_correction(people.commune_clerk, approved, reason=" ")
    fresh = services.open_correction(people.commune_clerk, approved, reason="Sai số phản ánh.")
    assert fresh.version == 2 and fresh.is_current and fresh.status == Status.DRAFT
    old = Report.objects.get(pk=approved.pk)
    assert not old.is_current and old.status == Status.APPROVED
    assert old.values["pakn_tiep_nhan"]["value"] == "5"
    services.save_figures(people.commune_clerk, fresh, values={"pakn_tiep_nhan": "6"})
    assert [r.version for r in selectors.history(fresh)] == [2, 1]
    kinds = list(ReportEvent.objects.filter(report=old).values_list("kind", flat=True))
    assert kinds == ["created", "saved", "submitted", "approved", "corrected"]


def test_completeness_aggregation_and_dashboard_selectors(org, people, quarterly):
    commune = _filled(people, org, quarterly)
    commune = services.submit(people.commune_clerk, commune, late_reason="Trễ.")
    services.approve(people.commune_leader, commune)
    period = selectors.period_of(quarterly, Q1)
    assert period is not None
    result = selectors.completeness(quarterly, period, org.district)
    states = {row.unit.pk: row.state for row in result.rows}
    assert states == {org.district.pk: "missing", org.commune.pk: "late"}
    assert (result.expected, result.reported, result.late, result.on_time) == (2, 1, 1, 0)
    # The district's report starts with the commune's entered figures summed.
    district = services.create_report(people.district_clerk, quarterly, org.district, Q1)
    assert district.values["pakn_tiep_nhan"]["value"] == "5"
    province = selectors.completeness(quarterly, period, org.province)
    assert province.expected == 4 and province.reported == 1  # province, Sở, district, commune
    from egov.core.periods import calendar_quarter

    # The district: its quarterly report, and three monthly ones (cut-offs 14/01, 14/02, 14/03).
    assert (
        selectors.missing_reports([org.commune.pk, org.district.pk], calendar_quarter(2020, 1)) == 4
    )
    due = selectors.reports_due_for(people.district_leader)
    assert all(item.action in ("file", "approve") for item in due)

    # The staff dashboard shows both through the rows reporting registered.
    from egov.core import staff_dashboard

    rows = {row.name: row for row in staff_dashboard.waiting_for(people.district_leader)}
    assert rows["reporting.due"].count == len(due) > 0
    figures = {
        row.name: row
        for row in staff_dashboard.figure_rows(org.district, calendar_quarter(2020, 1))
    }
    assert figures["reporting.missing"].value == 4  # the commune's is late, not missing


def test_sending_goes_through_the_job_with_retries_and_is_acknowledged(
    org, people, quarterly, settings
):
    settings.EGOV_SIMULATORS = True
    settings.EGOV_GOVREPORT_TRANSPORT = "inprocess"
    settings.EGOV_GOVREPORT_SECRET = "test-secret"
    settings.EGOV_GOVREPORT_URL = "http://testserver/bao-cao/mo-phong/chinh-phu"
    settings.EGOV_INTEGRATIONS_BACKOFF_MS = 0
    report = _filled(people, org, quarterly, unit=org.district, clerk=people.district_clerk)
    report = services.submit(people.district_clerk, report, late_reason="Trễ.")
    with pytest.raises(NotAllowedNow):
        services.send(people.district_leader, report)  # not approved yet
    report = services.approve(people.district_leader, report)
    queued = services.send(people.district_leader, report)
    # Nothing goes out in the request: the report waits for the job.
    assert queued.status == Status.APPROVED and queued.next_send_at is not None
    assert not GovernmentReceipt.objects.exists()
    assert services.send(people.district_leader, queued).next_send_at == queued.next_send_at
    simulator.set_faults(fail_next=1)  # the first call meets an outage: retried at once
    assert services.send_queued().startswith("1 sent, 0 failed")
    sent = Report.objects.get(pk=report.pk)
    assert sent.status == Status.ACKNOWLEDGED and sent.remote_id.startswith("BCCP-")
    assert sent.next_send_at is None and sent.send_attempts == 1
    kinds = list(ReportEvent.objects.filter(report=sent).values_list("kind", flat=True))
    assert kinds[-3:] == ["send_queued", "sent", "acknowledged"]
    received = GovernmentReceipt.objects.get()
    assert received.payload["values"]["pakn_tiep_nhan"] == "5"
    assert received.payload["unit_code"] == org.district.code
    assert services.send_queued() == ""  # nothing left to do

    # The other side refuses (no shared secret): the job retries later, then gives up.
    settings.EGOV_GOVREPORT_SECRET = ""
    again = services.open_correction(people.district_clerk, sent, reason="Bổ sung.")
    again = services.submit(people.district_clerk, again, late_reason="Trễ.")
    again = services.approve(people.district_leader, again)
    services.send(people.district_leader, again)
    assert services.send_queued() == "0 sent, 1 failed, 0 acknowledged"
    failed = Report.objects.get(pk=again.pk)
    assert failed.status == Status.APPROVED and failed.send_attempts == 1
    assert failed.send_error and failed.next_send_at is not None
    assert failed.next_send_at > services.now()
    assert services.send_queued() == ""  # not yet time for the next attempt
    # One of the period's reported reports (the current version) is not sent yet.
    assert selectors.reports_sent_online(date(2020, 3, 1), date(2020, 3, 31)) == (0, 1)
    Report.objects.filter(pk=again.pk).update(
        send_attempts=services.MAX_SEND_ATTEMPTS - 1, next_send_at=services.now()
    )
    services.send_queued()
    given_up = Report.objects.get(pk=again.pk)
    assert given_up.next_send_at is None and given_up.status == Status.APPROVED
    # The leader queues it again once the connection is repaired.
    settings.EGOV_GOVREPORT_SECRET = "test-secret"
    services.send(people.district_leader, given_up)
    assert services.send_queued().startswith("1 sent")
    assert selectors.reports_sent_online(date(2020, 3, 1), date(2020, 3, 31)) == (1, 1)


def test_exports(org, people, quarterly):
    report = _filled(people, org, quarterly)
    pdf = report_pdf(report)
    assert pdf.startswith(b"%PDF")
    book = load_workbook(io.BytesIO(report_workbook(report)))
    sheet = book["Bao cao"]
    labels = [row[3] for row in sheet.iter_rows(min_row=6, values_only=True)]
    assert "Số hồ sơ mới tiếp nhận trong kỳ" in labels
