"""English names of the catalogue (issue 15 item 10): kept by the services, carried
by import and export, shown on English staff pages with the Vietnamese name as the
fallback; the demo data has them."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from egov.accounts.models import User
from egov.accounts.permissions import RoleCode
from egov.core.demo_units import demo_unit_records
from egov.procedures import services
from egov.procedures.demo import CATALOGUE_FILE
from egov.procedures.importexport import (
    ProcedureImportError,
    csv_rows,
    export_json,
    import_entries,
    read_csv,
    read_json,
)
from egov.procedures.models import ProcedureField, ProcedureVersion, VersionStatus
from egov.procedures.selectors import published_version
from egov.procedures.tests.factories import Org, birth_content
from egov.procedures.tests.test_process import record_steps
from egov.procedures.tests.test_views import client_for, main_text

pytestmark = pytest.mark.django_db

DETAIL = "/can-bo/thu-tuc/2.000488/"


def _document(org: Org, **extra: Any) -> dict[str, Any]:
    content = birth_content(org)
    content["agencies"] = [unit.code for unit in content["agencies"]]
    content["papers"][0]["name_en"] = "Birth registration declaration"
    return {
        "format": "egov.procedures",
        "format_version": 1,
        "fields": [{"code": "ho-tich", "name": "Hộ tịch", "name_en": "Civil status"}],
        "procedures": [{"national_code": "1.001193", **content, **extra}],
    }


def _run(document: dict[str, Any]) -> Any:
    fields, entries = read_json(json.loads(json.dumps(document)))
    return import_entries(None, entries, fields=fields, publish=True)


def test_json_import_and_export_carry_english_names(org: Org) -> None:
    _run(_document(org, name_en="Birth registration"))
    version = published_version("1.001193")
    assert version is not None
    assert version.name_en == "Birth registration"
    assert ProcedureField.objects.get(code="ho-tich").name_en == "Civil status"
    papers = list(version.papers.order_by("position"))
    assert papers[0].name_en == "Birth registration declaration"
    assert papers[1].name_en == ""  # none given: the Vietnamese name will be shown

    exported = export_json()
    assert {"code": "ho-tich", "name": "Hộ tịch", "name_en": "Civil status"} in exported["fields"]
    item = exported["procedures"][0]["versions"][0]
    assert item["name_en"] == "Birth registration"
    assert item["papers"][0]["name_en"] == "Birth registration declaration"
    again = _run(exported)
    assert [c.action for c in again.changes] == ["unchanged"]

    # a changed English name is a change of content: a new version, history kept
    report = _run(_document(org, name_en="Registration of a birth"))
    assert [c.action for c in report.changes] == ["new_version"]
    assert published_version("1.001193").name_en == "Registration of a birth"  # type: ignore[union-attr]
    assert ProcedureVersion.objects.get(number=1).name_en == "Birth registration"


def test_english_name_is_checked_like_other_text(org: Org) -> None:
    with pytest.raises(ProcedureImportError) as error:
        _run(_document(org, name_en="x" * 501))
    assert "name_en" in str(error.value)
    assert not ProcedureVersion.objects.exists()


def test_csv_carries_the_english_name_and_a_blank_one_keeps_it(
    org: Org, criminal_record: ProcedureVersion
) -> None:
    header = "national_code,name,name_en\n"
    row = "2.000488,Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam,{}\n"
    text = header + row.format("Criminal record certificate")
    import_entries(None, read_csv(text), publish=True)
    version = published_version("2.000488")
    assert version is not None and version.number == 2
    assert version.name_en == "Criminal record certificate"
    assert version.name == criminal_record.name
    report = import_entries(None, read_csv(header + row.format("")), publish=True)
    assert [c.action for c in report.changes] == ["unchanged"]
    version.refresh_from_db()
    assert version.name_en == "Criminal record certificate"
    assert csv_rows()[0]["name_en"] == "Criminal record certificate"
    assert not ProcedureVersion.objects.filter(status=VersionStatus.DRAFT).exists()


def test_field_english_name_through_the_service(org: Org) -> None:
    field = services.create_field(None, "dat-dai", "Đất đai", "Land")
    assert field.name_en == "Land"
    services.update_field(None, field, name="Đất đai")  # English name left as it is
    field.refresh_from_db()
    assert field.name_en == "Land"
    services.update_field(None, field, name="Đất đai", name_en="")
    field.refresh_from_db()
    assert field.name_en == ""


def test_staff_detail_shows_english_names_of_steps_and_units(
    org: Org, criminal_record: ProcedureVersion, justice_admin: User, staff: User
) -> None:
    steps = record_steps(org)
    steps[0] = dataclasses.replace(steps[0], name_en="Receive the dossier")
    steps[3] = dataclasses.replace(steps[3], action_name="Ký", action_name_en="Sign")
    services.define_process_template(justice_admin, criminal_record.procedure, org.justice, steps)
    org.justice.name_en = "Department of Justice"
    org.justice.save(update_fields=["name_en"])
    ProcedureVersion.objects.filter(pk=criminal_record.pk).update(
        name_en="Criminal record certificate"
    )

    english = main_text(client_for(staff).get(DETAIL))
    assert "<h1>Criminal record certificate</h1>" in english
    assert "<li>Receive the dossier – " in english
    assert "<h3>Department of Justice</h3>" in english
    assert "<li>Thẩm định – Department of Justice" in english  # no English step name

    vietnamese_client = client_for(staff)
    vietnamese_client.cookies["django_language"] = "vi"
    vietnamese = main_text(vietnamese_client.get(DETAIL))
    assert "<h1>Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam</h1>" in vietnamese
    assert "<li>Tiếp nhận hồ sơ – " in vietnamese and "Department of Justice" not in vietnamese


def test_saving_the_same_steps_with_another_english_name_makes_a_new_template(
    org: Org, criminal_record: ProcedureVersion, justice_admin: User
) -> None:
    steps = record_steps(org)
    first = services.define_process_template(
        justice_admin, criminal_record.procedure, org.justice, steps
    )
    steps[1] = dataclasses.replace(steps[1], name_en="Examination")
    second = services.define_process_template(
        justice_admin, criminal_record.procedure, org.justice, steps
    )
    assert second.pk != first.pk
    assert second.steps.get(position=2).name_en == "Examination"


def test_demo_data_has_english_names() -> None:
    data = json.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))
    assert all(field["name_en"] for field in data["fields"])
    for item in data["procedures"]:
        assert item["name_en"], item["national_code"]
        assert all(paper["name_en"] for paper in item["papers"]), item["national_code"]
    records = demo_unit_records()
    assert all(record["name_en"] for record in records)
    assert records[0]["name_en"] == "People's Committee of Kiên Giang Province"


@pytest.fixture
def staff(org: Org, make_staff: Any) -> User:
    return make_staff("motcua", RoleCode.ONE_STOP_CLERK, org.vinh_thanh)


def test_demo_units_load_with_english_names() -> None:
    from egov.accounts.default_roles import ensure_default_roles
    from egov.core.demo_units import load_demo_units
    from egov.core.models import Unit

    ensure_default_roles()
    load_demo_units()
    assert not Unit.objects.filter(name_en="").exists()
    justice = Unit.objects.get(name="Sở Tư pháp")
    assert justice.name_en == "Department of Justice"
    again = load_demo_units()
    assert again.changes == []  # re-running changes nothing
