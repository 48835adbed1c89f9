"""Editing form templates (service and operator pages), who may print a dossier's
forms, and the staff download pages (PDF forms, register as PDF and Excel)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import include, path
from django.utils import translation
from openpyxl import load_workbook

from egov import urls as project_urls
from egov.accounts.tests.helpers import english_client, sign_in_verified
from egov.core.models import AuditEntry
from egov.dossiers import form_views
from egov.dossiers.form_defaults import default_form
from egov.dossiers.form_services import may_view_dossier_forms, update_form_template
from egov.dossiers.models import FormTemplate
from egov.dossiers.tests.test_forms_pdf import (
    CODE,
    World,
    build_world,
    normalised,
    pdf_text,
)

# Until the project mounts the forms pages, mount them here at their agreed place.
_MOUNTED = any(
    getattr(pattern, "namespace", None) == "dossiers_forms" for pattern in project_urls.urlpatterns
)
urlpatterns = list(project_urls.urlpatterns)
if not _MOUNTED:
    urlpatterns.insert(0, path("can-bo/mau-phieu/", include("egov.dossiers.urls_forms")))

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

FORMS = "/can-bo/mau-phieu/"


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def signed_in(world_user: object) -> Client:
    client = english_client()
    sign_in_verified(client, world_user)  # type: ignore[arg-type]
    return client


# --- service --------------------------------------------------------------------------


def test_operator_updates_a_template_and_it_is_audited(world: World) -> None:
    template = update_form_template(
        world.operator, "03", "Phiếu từ chối", "<p>Lý do: {{ reason }}</p>\r\n"
    )
    assert template.title == "Phiếu từ chối"
    assert template.body == "<p>Lý do: {{ reason }}</p>\n"
    assert template.updated_by == world.operator
    entry = AuditEntry.objects.filter(action="dossiers.form_template_updated").get()
    assert entry.actor == world.operator
    assert entry.object_id == str(template.pk)
    assert entry.changes["title"] == [default_form("03").title, "Phiếu từ chối"]


def test_only_operators_may_edit_templates(world: World) -> None:
    with pytest.raises(PermissionDenied):
        update_form_template(world.clerk, "01", "X", "<p>x</p>")
    with pytest.raises(PermissionDenied):
        update_form_template(None, "01", "X", "<p>x</p>")
    assert FormTemplate.objects.get(code="01").title == default_form("01").title


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("<p>{% if %}</p>", "syntax error"),
        ("<p>{% for row in %}</p>", "syntax error"),
        ("<p>{{ dossier.nonexistent }}</p>", "unknown variable: dossier.nonexistent"),
        ("<table><tr><td><b>x</b> y</td></tr></table>", "cannot be laid out"),
        ('<p><img src="http://169.254.169.254/latest"></p>', "Images are not allowed"),
        ('{% include "base.html" %}', "cannot be filled in"),
        ("   ", "Enter the text"),
    ],
)
def test_a_broken_template_is_refused_with_a_clear_message(
    world: World, body: str, fragment: str
) -> None:
    before = FormTemplate.objects.get(code="01")
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        update_form_template(world.operator, "01", "Giấy hẹn", body)
    assert fragment in " ".join(caught.value.message_dict["body"])
    after = FormTemplate.objects.get(code="01")
    assert (after.title, after.body, after.updated_by) == (before.title, before.body, None)
    assert not AuditEntry.objects.filter(action="dossiers.form_template_updated").exists()


def test_title_and_form_number_are_checked(world: World) -> None:
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        update_form_template(world.operator, "09", "", "<p>x</p>")
    assert set(caught.value.message_dict) == {"code", "title"}


def test_the_register_template_is_validated_on_the_sample_register(world: World) -> None:
    update_form_template(
        world.operator,
        "07",
        "Sổ theo dõi hồ sơ",
        "<p>{{ unit.name }}: {{ rows|length }} hồ sơ</p>",
    )
    with translation.override("en"), pytest.raises(ValidationError):
        update_form_template(world.operator, "07", "Sổ", "<p>{{ dossier.code }}</p>")


# --- who may print a dossier's forms --------------------------------------------------


def test_staff_of_the_receiving_desk_or_handling_unit_may_view_the_forms(world: World) -> None:
    assert may_view_dossier_forms(world.clerk, world.dossier)  # one-stop desk
    assert may_view_dossier_forms(world.specialist, world.dossier)  # current unit
    assert may_view_dossier_forms(world.operator, world.dossier)  # province-wide role
    assert not may_view_dossier_forms(world.outsider, world.dossier)  # another district


# --- pages ----------------------------------------------------------------------------


def test_operator_sees_the_list_and_edits_a_template(world: World) -> None:
    client = signed_in(world.operator)
    page = client.get(FORMS)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Giấy tiếp nhận hồ sơ và hẹn trả kết quả" in html
    assert f"{FORMS}01/sua/" in html

    edit = client.get(f"{FORMS}01/sua/")
    assert edit.status_code == 200
    assert "received_papers" in edit.content.decode()

    saved = client.post(
        f"{FORMS}01/sua/",
        {"title": "Giấy hẹn trả kết quả", "body": "<p>Mã {{ dossier.code }}</p>"},
    )
    assert saved.status_code == 302
    assert FormTemplate.objects.get(code="01").title == "Giấy hẹn trả kết quả"


def test_a_broken_edit_shows_the_error_next_to_the_field_and_keeps_the_text(
    world: World,
) -> None:
    client = signed_in(world.operator)
    response = client.post(f"{FORMS}01/sua/", {"title": "Giấy hẹn", "body": "<p>{% if %}</p>"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "syntax error" in html
    assert 'aria-invalid="true"' in html
    assert "{% if %}" in html  # what the operator typed is still there to correct
    assert FormTemplate.objects.get(code="01").body == default_form("01").body


def test_the_preview_renders_the_saved_template_on_the_sample(world: World) -> None:
    client = signed_in(world.operator)
    response = client.get(f"{FORMS}02/xem-thu.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "PHIẾU YÊU CẦU BỔ SUNG" in normalised(pdf_text(response.content))


def test_clerks_may_not_edit_templates(world: World) -> None:
    client = signed_in(world.clerk)
    assert client.get(FORMS).status_code == 403
    assert client.get(f"{FORMS}01/sua/").status_code == 403
    assert client.post(f"{FORMS}01/sua/", {"title": "X", "body": "<p>x</p>"}).status_code == 403


def test_pages_need_a_signed_in_staff_member() -> None:
    response = Client().get(f"{FORMS}01/sua/")
    assert response.status_code == 302
    assert "/tai-khoan/" in response["Location"]


def test_staff_download_a_dossiers_form(world: World) -> None:
    client = signed_in(world.specialist)
    response = client.get(f"{FORMS}{CODE}/01.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    text = normalised(pdf_text(response.content))
    assert CODE in text and "Hồ Văn Đức" in text


def test_staff_of_another_district_may_not_download_the_forms(world: World) -> None:
    client = signed_in(world.outsider)
    # 404 as for a code that does not exist: its existence is not told outside the scope.
    assert client.get(f"{FORMS}{CODE}/01.pdf").status_code == 404
    assert client.get(f"{FORMS}000.00.31.H33-260115-9999/01.pdf").status_code == 404


def test_unknown_dossier_or_form_is_not_found(world: World) -> None:
    client = signed_in(world.clerk)
    assert client.get(f"{FORMS}000.00.31.H33-260115-9999/01.pdf").status_code == 404
    assert client.get(f"{FORMS}{CODE}/07.pdf").status_code == 404
    assert client.get(f"{FORMS}{CODE}/08.pdf").status_code == 404


def test_register_page_and_downloads(world: World) -> None:
    client = signed_in(world.clerk)
    page = client.get(f"{FORMS}so-theo-doi/")
    assert page.status_code == 200
    assert world.desk.name in page.content.decode()
    # The clerk's role is in the desk; the district itself is not offered.
    assert f'value="{world.district.pk}"' not in page.content.decode()

    query = {"unit": world.desk.pk, "start": "2026-01-01", "end": "2026-01-31"}
    pdf = client.get(f"{FORMS}so-theo-doi/", {**query, "format": "pdf"})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert "SỔ THEO DÕI HỒ SƠ" in normalised(pdf_text(pdf.content))

    xlsx = client.get(f"{FORMS}so-theo-doi/", {**query, "format": "xlsx"})
    assert xlsx.status_code == 200
    assert "attachment" in xlsx["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    assert sheet.cell(row=6, column=2).value == CODE


def test_register_refuses_a_reversed_period_and_another_units_register(world: World) -> None:
    client = signed_in(world.clerk)
    reversed_period = client.get(
        f"{FORMS}so-theo-doi/",
        {"unit": world.desk.pk, "start": "2026-02-01", "end": "2026-01-01", "format": "pdf"},
    )
    assert reversed_period.status_code == 200
    assert "must not be before" in reversed_period.content.decode()
    other = client.get(
        f"{FORMS}so-theo-doi/",
        {"unit": world.other_district.pk, "start": "2026-01-01", "end": "2026-01-31"},
    )
    assert other.status_code == 200  # not a choice: a field error, no file
    assert other["Content-Type"].startswith("text/html")


def test_a_register_too_long_for_a_pdf_asks_for_excel(world: World, monkeypatch: Any) -> None:
    monkeypatch.setattr(form_views, "MAX_REGISTER_PDF_ROWS", 0)
    client = signed_in(world.clerk)
    query = {"unit": world.desk.pk, "start": "2026-01-01", "end": "2026-01-31"}
    response = client.get(f"{FORMS}so-theo-doi/", {**query, "format": "pdf"})
    assert response["Content-Type"].startswith("text/html")
    assert "too many for a PDF" in response.content.decode()
    xlsx = client.get(f"{FORMS}so-theo-doi/", {**query, "format": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
