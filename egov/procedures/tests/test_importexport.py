"""JSON and CSV import/export: round trips, new versions, errors naming row and field."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from egov.procedures.importexport import (
    CSV_COLUMNS,
    ProcedureImportError,
    csv_rows,
    export_json,
    import_entries,
    read_csv,
    read_json,
)
from egov.procedures.models import Procedure, ProcedureField, ProcedureVersion, VersionStatus
from egov.procedures.selectors import fee_for, published_version
from egov.procedures.tests.factories import Org, birth_content, record_content

pytestmark = pytest.mark.django_db


def as_file(org: Org, *procedures: dict[str, Any]) -> dict[str, Any]:
    return {
        "format": "egov.procedures",
        "format_version": 1,
        "fields": [{"code": "ho-tich", "name": "Hộ tịch"}],
        "procedures": list(procedures),
    }


def jsonable(content: dict[str, Any]) -> dict[str, Any]:
    result = dict(content)
    result["agencies"] = [unit.code for unit in content["agencies"]]
    return result


def run_json(document: Any, **options: Any) -> Any:
    fields, entries = read_json(json.loads(json.dumps(document)))
    return import_entries(None, entries, fields=fields, **options)


def test_json_import_creates_and_publishes_then_is_idempotent(org: Org) -> None:
    document = as_file(
        org,
        {"national_code": "1.001193", **jsonable(birth_content(org))},
    )
    report = run_json(document, publish=True)
    assert [(c.action, c.national_code, c.published) for c in report.changes] == [
        ("field_create", "ho-tich", False),
        ("create", "1.001193", True),
    ]
    version = published_version("1.001193")
    assert version is not None
    assert version.papers.count() == 2
    assert version.agencies.count() == 3
    again = run_json(document, publish=True)
    assert [c.action for c in again.changes] == ["unchanged"]
    assert ProcedureVersion.objects.count() == 1


def test_changed_content_makes_a_new_version_and_history_is_kept(
    org: Org, birth: ProcedureVersion
) -> None:
    changed = jsonable(birth_content(org, time_limit="2"))
    report = run_json(as_file(org, {"national_code": "1.001193", **changed}), publish=True)
    assert [(c.action, c.number) for c in report.changes] == [("new_version", 2)]
    birth.refresh_from_db()
    assert birth.status == VersionStatus.REPLACED
    assert published_version("1.001193").time_limit == 2  # type: ignore[union-attr]
    # without --publish a later change lands in a draft, and a draft is updated in place
    run_json(as_file(org, {"national_code": "1.001193", **jsonable(birth_content(org))}))
    run_json(as_file(org, {"national_code": "1.001193", **jsonable(birth_content(org, name="X"))}))
    draft = ProcedureVersion.objects.get(status=VersionStatus.DRAFT)
    assert (draft.number, draft.name) == (3, "X")


def test_export_then_import_round_trips(
    org: Org, birth: ProcedureVersion, criminal_record: ProcedureVersion
) -> None:
    document = export_json()
    assert document["format"] == "egov.procedures"
    codes = [item["national_code"] for item in document["procedures"]]
    assert codes == ["1.001193", "2.000488"]
    version = document["procedures"][1]["versions"][0]
    assert version["status"] == "published"
    assert version["agencies"] == [org.justice.code]
    assert version["fees"][0]["rule"]["table"]["thong_thuong"] == 200000
    assert {f["code"] for f in document["fields"]} >= {"ho-tich", "ly-lich-tu-phap"}
    report = run_json(document)
    assert {c.action for c in report.changes if c.national_code in codes} == {"unchanged"}


def test_json_errors_name_the_path_and_nothing_is_written(org: Org) -> None:
    good = {"national_code": "1.001193", **jsonable(birth_content(org))}
    bad_fee = jsonable(
        birth_content(
            org,
            fees=[{"name": "Lệ phí", "amount": "5000"}],
            papers=[{"name": "Tờ khai", "form": "scan"}],
        )
    )
    bad = {"national_code": "1.000894", "versions": [{"number": 1, **bad_fee}]}
    unknown_agency = {
        "national_code": "1.000656",
        **jsonable(birth_content(org)),
        "agencies": ["001.00.99.H33"],
        "colour": "red",
    }
    with translation.override("en"), pytest.raises(ProcedureImportError) as caught:
        run_json(as_file(org, good, bad, unknown_agency, good), publish=True)
    lines = [str(problem) for problem in caught.value.problems]
    assert "procedures[3].national_code: 1.001193 appears twice (also at procedures[0])." in lines
    assert not Procedure.objects.exists()
    assert not ProcedureField.objects.exists()

    with translation.override("en"), pytest.raises(ProcedureImportError) as caught:
        run_json(as_file(org, good, bad, unknown_agency), publish=True)
    lines = [str(problem) for problem in caught.value.problems]
    assert (
        "procedures[1].versions[0].fees[0].amount: Must be a whole number of đồng, 0 or more."
        in lines
    )
    assert any(line.startswith("procedures[1].versions[0].papers[0].form:") for line in lines)
    assert "procedures[2].colour: Unknown key." in lines
    assert "procedures[2].agencies[0]: No unit with the identifier code 001.00.99.H33." in lines
    assert not Procedure.objects.exists()  # the good one was rolled back too
    assert not ProcedureField.objects.exists()


def test_publication_problems_are_reported_at_the_entry(org: Org) -> None:
    no_agency = {"national_code": "1.001193", **jsonable(birth_content(org)), "agencies": []}
    with translation.override("en"), pytest.raises(ProcedureImportError) as caught:
        run_json(as_file(org, no_agency), publish=True)
    assert [str(p) for p in caught.value.problems] == [
        "procedures[0].agencies: Name at least one agency that carries the procedure out."
    ]
    assert not Procedure.objects.exists()
    # without publishing the draft is fine
    run_json(as_file(org, no_agency))
    assert ProcedureVersion.objects.get().status == VersionStatus.DRAFT


def test_dry_run_reports_and_writes_nothing(org: Org) -> None:
    report = run_json(
        as_file(org, {"national_code": "1.001193", **jsonable(birth_content(org))}),
        publish=True,
        dry_run=True,
    )
    assert report.dry_run
    assert report.count("create") == 1
    assert not Procedure.objects.exists()


def test_csv_export_has_one_row_per_procedure(
    org: Org, birth: ProcedureVersion, criminal_record: ProcedureVersion
) -> None:
    rows = csv_rows()
    assert [row["national_code"] for row in rows] == ["1.001193", "2.000488"]
    record = rows[1]
    assert set(record) == set(CSV_COLUMNS)
    assert record["levels"] == "provincial_agency"
    assert record["fee_total"] == 200000
    assert record["time_limit"] == "10"
    assert record["agencies"] == org.justice.code
    assert rows[0]["agencies"].split(";") == [
        org.vinh_thanh.code,
        org.vinh_quang.code,
        org.minh_luong.code,
    ]


def write_csv_text(rows: list[dict[str, Any]]) -> str:
    buffer = StringIO()
    from egov.procedures.importexport import write_csv

    write_csv(buffer, rows)
    return buffer.getvalue()


def test_csv_import_updates_list_fields_and_keeps_rule_fees(
    org: Org, criminal_record: ProcedureVersion
) -> None:
    rows = csv_rows()
    unchanged = import_entries(None, read_csv(write_csv_text(rows)))
    assert [c.action for c in unchanged.changes] == ["unchanged"]
    rows[0]["time_limit"] = "7"
    report = import_entries(None, read_csv(write_csv_text(rows)), publish=True)
    assert [(c.action, c.number, c.published) for c in report.changes] == [("new_version", 2, True)]
    new = published_version("2.000488")
    assert new is not None
    assert new.time_limit == 7
    assert new.fees == criminal_record.fees  # same total: the rules are kept
    assert new.papers.count() == 1  # papers carried over
    rows[0]["fee_total"] = "150.000"
    import_entries(None, read_csv(write_csv_text(rows)), publish=True)
    newest = published_version("2.000488")
    assert newest is not None
    assert newest.fees == [{"name": "Phí, lệ phí", "amount": 150000}]
    assert fee_for(newest) == 150000


def test_csv_creates_new_procedures(org: Org, fields: dict[str, ProcedureField]) -> None:
    text = (
        "national_code;name;field;levels;online_level;time_limit;time_limit_unit;fee_total;"
        "agencies\n"
        f"2.000815;Chứng thực bản sao;chung-thuc;district;3;1;working_days;2000;"
        f"{org.rach_gia.code}\n"
    )
    report = import_entries(None, read_csv(text), publish=True)
    assert [c.action for c in report.changes] == ["create"]
    version = published_version("2.000815")
    assert version is not None
    assert version.fees == [{"name": "Phí, lệ phí", "amount": 2000}]
    assert list(version.agencies.all()) == [org.rach_gia]


def test_csv_errors_name_row_and_column(org: Org, birth: ProcedureVersion) -> None:
    rows = csv_rows()
    rows[0]["online_level"] = "7"
    rows[0]["fee_total"] = "nhiều"
    rows.append({**rows[0], "national_code": "9.999999", "field": "khong-co", "levels": "xa"})
    with translation.override("en"), pytest.raises(ProcedureImportError) as caught:
        import_entries(None, read_csv(write_csv_text(rows)))
    with translation.override("en"):
        lines = [str(p) for p in caught.value.problems]
    assert "row 2, column fee_total: Must be a whole number of đồng, 0 or more." in lines
    assert "row 2, column online_level: Must be a whole number from 1 to 4." in lines
    assert "row 3, column field: No field with the code khong-co." in lines
    assert any(line.startswith("row 3, column levels: levels[0]:") for line in lines)
    assert not Procedure.objects.filter(national_code="9.999999").exists()
    with translation.override("en"), pytest.raises(ProcedureImportError) as caught:
        read_csv("national_code,title\n1.001193,x\n")
    with translation.override("en"):
        problems = [str(p) for p in caught.value.problems]
    assert problems == [
        "row 1, column title: Unknown column.",
        "row 1, column name: This column is missing.",
    ]


def test_commands_import_with_dry_run_and_publish_then_export(
    org: Org, tmp_path: Path, fields: dict[str, ProcedureField]
) -> None:
    path = tmp_path / "catalogue.json"
    path.write_text(
        json.dumps(as_file(org, {"national_code": "1.001193", **jsonable(birth_content(org))})),
        encoding="utf-8",
    )
    out = StringIO()
    with translation.override("en"):
        call_command("import_procedures", str(path), "--dry-run", "--publish", stdout=out)
    assert "procedures[0]: 1.001193 created (v1) – published" in out.getvalue()
    assert not Procedure.objects.exists()
    with translation.override("en"):
        call_command("import_procedures", str(path), "--publish", stdout=StringIO())
    assert published_version("1.001193") is not None

    exported = tmp_path / "out.csv"
    with translation.override("en"):
        call_command("export_procedures", str(exported), stdout=(out := StringIO()))
    assert "1 procedures written" in out.getvalue()
    assert exported.read_text(encoding="utf-8").startswith(",".join(CSV_COLUMNS))
    full = tmp_path / "out.json"
    call_command("export_procedures", str(full), stdout=StringIO())
    assert json.loads(full.read_text(encoding="utf-8"))["procedures"][0]["national_code"] == (
        "1.001193"
    )


def test_command_reports_every_problem(org: Org, tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"procedures": [{"name": "Thiếu mã"}]}), encoding="utf-8")
    with translation.override("en"), pytest.raises(CommandError) as caught:
        call_command("import_procedures", str(path), stdout=StringIO())
    message = str(caught.value)
    assert "procedures[0].national_code: This key is required." in message
    assert message.endswith("Nothing was imported.")
    other = tmp_path / "list.txt"
    other.write_text("x", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_procedures", str(other), stdout=StringIO())
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_procedures", str(broken), stdout=StringIO())


def test_record_content_imports(org: Org, fields: dict[str, ProcedureField]) -> None:
    content = jsonable(record_content(org))
    report = run_json(as_file(org, {"national_code": "2.000488", **content}), publish=True)
    assert report.count("create") == 1


def test_source_is_imported_exported_and_a_changed_source_is_a_new_version(org: Org) -> None:
    source = {
        "url": "https://dichvucong.gov.vn/thu-tuc-hanh-chinh/019d2bfd-3fe0-70ac-b9d6-5e9e20d6eef7",
        "decision": "163/QĐ-BTP",
        "checked_on": "2026-12-07",
    }
    content = {"national_code": "1.001193", **jsonable(birth_content(org)), "source": source}
    run_json(as_file(org, content), publish=True)
    version = published_version("1.001193")
    assert version is not None and version.source == source
    exported = export_json()["procedures"][0]["versions"][0]
    assert exported["source"] == source
    assert [c.action for c in run_json(as_file(org, content), publish=True).changes] == [
        "unchanged"
    ]
    moved = {**content, "source": {**source, "checked_on": "2027-01-05"}}
    report = run_json(as_file(org, moved), publish=True)
    assert [c.action for c in report.changes] == ["new_version"]
    newest = published_version("1.001193")
    assert newest is not None and newest.source["checked_on"] == "2027-01-05"


@pytest.mark.parametrize(
    ("source", "where"),
    [
        ("https://dichvucong.gov.vn/", "source"),
        ({"url": "http://dichvucong.gov.vn/x"}, "source.url"),
        ({"url": "javascript:alert(1)"}, "source.url"),
        ({"note": "x" * 2001}, "source.note"),
    ],
)
def test_a_bad_source_is_refused_and_nothing_written(org: Org, source: Any, where: str) -> None:
    content = {"national_code": "1.001193", **jsonable(birth_content(org)), "source": source}
    with pytest.raises(ProcedureImportError) as caught:
        run_json(as_file(org, content), publish=True)
    assert [p.field for p in caught.value.problems] == [where]
    assert not Procedure.objects.filter(national_code="1.001193").exists()


def test_publication_is_imported_and_exported(org: Org) -> None:
    publication = {
        "decision": "163/QĐ-BTP",
        "decided_on": "2026-01-20",
        "effective_on": "2026-02-01",
        "posted_on": "2026-01-23",
        "demo": True,
        "note": "Ngày minh hoạ (demo)",
    }
    content = {
        "national_code": "1.001193",
        **jsonable(birth_content(org)),
        "publication": publication,
    }
    run_json(as_file(org, content), publish=True)
    version = published_version("1.001193")
    assert version is not None and version.publication == publication
    assert export_json()["procedures"][0]["versions"][0]["publication"] == publication
    assert [c.action for c in run_json(as_file(org, content), publish=True).changes] == [
        "unchanged"
    ]
    later = {**content, "publication": {**publication, "posted_on": "2026-01-26"}}
    assert [c.action for c in run_json(as_file(org, later), publish=True).changes] == [
        "new_version"
    ]
    newest = published_version("1.001193")
    assert newest is not None and newest.publication["posted_on"] == "2026-01-26"
