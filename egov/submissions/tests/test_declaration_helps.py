"""What spares the citizen typing on the declaration (issue 15, item 9): defaults
written in the schema, a "use the applicant's details" button for the parents,
labels that say what the field asks, dates shown as dd/mm/yyyy."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from egov.dossiers.tests.factories import World
from egov.submissions import schema as fs
from egov.submissions import services
from egov.submissions.demo import birth_registration
from egov.submissions.models import Draft, Step

from .conftest import APPLICANT

pytestmark = pytest.mark.django_db


def test_defaults_and_labels_of_the_birth_declaration() -> None:
    schema, layout = birth_registration()
    form = fs.form_class(schema, layout)()
    assert form["dan_toc_tre"].value() == "Kinh"
    assert form["quoc_tich_tre"].value() == "Việt Nam"
    # A full date is asked, so the label says "ngày, tháng, năm", not "năm sinh".
    assert form["ngay_sinh_me"].label == "Ngày, tháng, năm sinh người mẹ"
    for name, prop in schema["properties"].items():
        label = layout["fields"][name]["label"]["vi"].lower()
        if prop.get("format") == "date":
            assert "ngày" in label, name
    mother = next(s for s, _f in form.sections() if s.key == "me")
    assert dict(mother.copy_from_applicant)["ho_ten_me"] == "name"


def test_a_bad_copy_map_is_refused_by_the_editor_check() -> None:
    schema, layout = birth_registration()
    layout["sections"][1]["copy_from_applicant"] = {"ho_ten_tre": "name"}  # not in the section
    with pytest.raises(ValidationError):
        fs.check(schema, layout)
    layout["sections"][1]["copy_from_applicant"] = {"ho_ten_me": "password"}
    with pytest.raises(ValidationError):
        fs.check(schema, layout)
    layout["sections"][1]["copy_from_applicant"] = {"ho_ten_me": "name"}
    fs.check(schema, layout)


def test_the_applicants_details_fill_the_mothers_section_without_saving(world: World) -> None:
    client = Client()
    client.force_login(world.staff.citizen)
    draft = services.start_draft(world.staff.citizen, world.version, agency=world.org.district)
    draft = services.save_draft(
        world.staff.citizen,
        draft,
        expected_version=draft.version,
        step=Step.DECLARATION,
        applicant={**APPLICANT, "date_of_birth": "1990-09-05"},
    )
    url = reverse("submissions:step", args=[draft.pk, "to-khai"])
    page = client.get(url).content.decode()
    assert page.count('name="copy_applicant"') == 2  # the mother and the father
    response = client.post(
        url,
        {
            "draft_version": draft.version,
            "ho_ten_tre": "Nguyễn Thị Mai",
            "ngay_sinh_tre_0": "20",
            "ngay_sinh_tre_1": "02",
            "ngay_sinh_tre_2": "2026",
            "ho_ten_me": "",
            "copy_applicant": "me",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="Nguyễn Văn An"' in html  # the applicant, now the mother
    assert 'value="091090001234"' in html
    assert 'value="05"' in html and 'value="09"' in html and 'value="1990"' in html
    assert 'value="Nguyễn Thị Mai"' in html and 'value="20"' in html  # typed, kept
    assert "errorlist" not in html  # nothing checked yet
    assert Draft.objects.get(pk=draft.pk).answers in ({}, None)  # nothing saved


def test_the_review_shows_the_date_of_birth_as_dd_mm_yyyy(world: World) -> None:
    client = Client()
    client.force_login(world.staff.citizen)
    draft = services.start_draft(world.staff.citizen, world.version, agency=world.org.district)
    services.save_draft(
        world.staff.citizen,
        draft,
        expected_version=draft.version,
        step=Step.REVIEW,
        applicant={**APPLICANT, "date_of_birth": "1990-09-05"},
    )
    page = client.get(reverse("submissions:step", args=[draft.pk, "kiem-tra"])).content.decode()
    assert "05/09/1990" in page and "1990-09-05" not in page
