"""The one-stop breakdown by level and field of a report (the Government Office's
periodic form): computed with the report, matching a plain SQL count, shown on the
report's page and in its Excel file."""

from __future__ import annotations

import io

from django.urls import reverse
from openpyxl import load_workbook

from egov.reporting import services
from egov.reporting.exports import report_workbook
from egov.reporting.tests.test_pages import client_for
from egov.reporting.tests.test_workflow import Q1, _sql_counts, dossiers  # noqa: F401


def test_a_district_report_has_its_levels_and_fields(org, people, quarterly, dossiers):  # noqa: F811
    report = services.create_report(people.district_clerk, quarterly, org.district, Q1)
    levels = {row["level"]: row for row in report.tables["by_level"]}
    assert list(levels) == ["district", "commune"]
    for code, agency in (("district", org.district), ("commune", org.commune)):
        expected = _sql_counts([agency.pk])
        assert expected["new"] == 3
        row = levels[code]
        assert (row["received"], row["new_online"], row["resolved"]) == (
            expected["new"],
            expected["online"],
            expected["resolved"],
        )
        assert row["resolved_in_time"] == expected["in_time"]
        fields = {line["code"]: line for line in row["fields"]}
        assert list(fields) == ["dat-dai", "ho-tich"]  # "Đất đai" sorts before "Hộ tịch"
        assert (fields["ho-tich"]["received"], fields["dat-dai"]["received"]) == (2, 1)
    # The fields over both levels are the breakdown by field.
    by_field = {line["code"]: line["received"] for line in report.tables["by_field"]}
    assert by_field == {"dat-dai": 2, "ho-tich": 4}
    assert levels["district"]["name"] == "Cấp huyện"

    page = client_for(people.district_clerk).get(reverse("reporting:report", args=[report.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    section = html.split('id="by-level"')[1].split("</section>")[0]
    assert "Kết quả giải quyết TTHC theo cấp và lĩnh vực" in section
    assert "Cấp huyện" in section and "Cấp xã" in section and "Đất đai" in section

    book = load_workbook(io.BytesIO(report_workbook(report)))
    sheet = book["Theo cap va linh vuc"]
    first = [cell.value for cell in sheet[2]]
    assert first[:4] == ["Cấp huyện", 3, levels["district"]["new_online"], 2]
    assert sheet.max_row == 1 + 2 * 3  # heading, then each level and its two fields
