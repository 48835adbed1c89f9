"""The online declaration on the staff side (issue 15, item 1): the paper that is the
declaration is handed in by the answers, staff see the answers section by section in
the form's labels and values in words, and print them as a PDF under the dossier
page's own access rule."""

from __future__ import annotations

import io
import unicodedata
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from egov.accounts.tests.helpers import sign_in_verified
from egov.core.models import AuditEntry
from egov.dossiers.models import Dossier
from egov.dossiers.tests.factories import World
from egov.procedures.models import RequiredPaper
from egov.submissions import selectors, services
from egov.submissions.declaration import answer_sections, human_value
from egov.submissions.demo import birth_registration
from egov.submissions.models import Draft, Step
from egov.submissions.views import step_url

from .conftest import APPLICANT, BIRTH_ANSWERS, pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def declared(world: World) -> World:
    """The first paper of the list ("Tờ khai đăng ký khai sinh") is the declaration."""
    RequiredPaper.objects.filter(pk=world.papers[0].pk).update(is_declaration=True)
    world.papers = list(world.version.papers.order_by("position"))
    return world


def draft_without_the_declaration_file(world: World) -> Draft:
    citizen = world.staff.citizen
    draft = services.start_draft(citizen, world.version, agency=world.org.district)
    services.save_draft(
        citizen, draft, expected_version=draft.version, applicant=APPLICANT, answers=BIRTH_ANSWERS
    )
    uploads = {
        p.pk: pdf_upload(f"paper-{p.position}.pdf", p.name)
        for p in world.papers
        if not p.is_optional and not p.is_declaration
    }
    services.save_papers(citizen, draft, expected_version=draft.version, uploads=uploads)
    return draft


def staff(user: Any) -> Client:
    client = Client()
    sign_in_verified(client, user)
    return client


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return unicodedata.normalize("NFC", "\n".join(page.extract_text() for page in reader.pages))


# --- values in words ------------------------------------------------------------------------


def test_answers_read_in_words_never_as_stored_values() -> None:
    schema, layout = birth_registration()
    props, specs = schema["properties"], layout["fields"]
    with translation.override("vi"):
        assert human_value(props["gioi_tinh_tre"], specs["gioi_tinh_tre"], "nu") == "Nữ"
        assert human_value(props["ngay_sinh_tre"], specs["ngay_sinh_tre"], "2026-02-20") == (
            "20/02/2026"
        )
        assert human_value(props["cam_doan"], specs["cam_doan"], True) == "Có"
        assert human_value({"type": "integer"}, {}, 75000) == "75.000"
        assert human_value({"type": "number"}, {}, 2.5) == "2,5"
        assert human_value(props["ho_ten_cha"], specs["ho_ten_cha"], None) == ""
    with translation.override("en"):
        assert human_value(props["gioi_tinh_tre"], specs["gioi_tinh_tre"], "nu") == "Female"


def test_sections_follow_the_layout_with_the_forms_own_labels() -> None:
    schema, layout = birth_registration()
    with translation.override("vi"):
        sections = answer_sections(schema, layout, BIRTH_ANSWERS)
    assert [s.title for s in sections] == [
        "Người được khai sinh",
        "Người mẹ",
        "Người cha",
        "Lời cam đoan",
    ]
    child = {row.label: row.value for row in sections[0].rows}
    assert child["Họ, chữ đệm, tên của trẻ"] == "Nguyễn Thị Mai"
    assert child["Giới tính"] == "Nữ"


# --- the paper that is the declaration ----------------------------------------------------


def test_the_declaration_paper_is_not_asked_for_when_filled_in_online(declared: World) -> None:
    draft = draft_without_the_declaration_file(declared)
    declaration = declared.papers[0]
    assert declaration not in selectors.papers_to_upload(draft)
    assert selectors.problems(draft) == []
    dossier, created = services.submit_draft(declared.staff.citizen, draft.pk)
    assert created
    row = dossier.papers.get(required_paper=declaration)
    assert not row.file and row.copies == declaration.copies


def test_without_a_declaration_form_the_paper_is_still_uploaded(declared: World) -> None:
    services.save_form_schema(
        None, declared.version.procedure, schema={"type": "object", "properties": {}}
    )
    draft = draft_without_the_declaration_file(declared)
    assert declared.papers[0] in selectors.papers_to_upload(draft)
    assert [p.step for p in selectors.problems(draft)] == ["papers"]


def test_the_papers_step_says_the_declaration_was_filled_in_online(declared: World) -> None:
    draft = draft_without_the_declaration_file(declared)
    client = Client()
    client.force_login(declared.staff.citizen)
    html = client.get(step_url(draft, Step.PAPERS)).content.decode()
    assert f'id="declared-{declared.papers[0].pk}"' in html
    assert f'name="paper_{declared.papers[0].pk}"' not in html


# --- the staff page and the PDF -------------------------------------------------------------


def submitted(world: World) -> Dossier:
    draft = draft_without_the_declaration_file(world)
    dossier, _created = services.submit_draft(world.staff.citizen, draft.pk)
    return dossier


def test_staff_see_the_declaration_section_by_section_beside_the_papers(declared: World) -> None:
    dossier = submitted(declared)
    url = reverse("dossiers_staff:detail", kwargs={"code": dossier.code})
    html = staff(declared.staff.clerk).get(url).content.decode()
    section = html.index('id="declaration"')
    assert section < html.index('id="h-papers"')
    for text in ("Người được khai sinh", "Người mẹ", "Họ, chữ đệm, tên của trẻ", "Nguyễn Thị Mai"):
        assert text in html
    assert "<dd>Nữ</dd>" in html and "<dd>20/02/2026</dd>" in html
    assert "<dd>nu</dd>" not in html
    assert "đã khai trực tuyến: xem tờ khai" in html
    pdf_url = reverse("submissions_staff:declaration-pdf", kwargs={"code": dossier.code})
    assert pdf_url in html


def test_a_desk_dossier_has_no_declaration_section(declared: World) -> None:
    from egov.dossiers.tests.factories import receive

    dossier = receive(declared)
    url = reverse("dossiers_staff:detail", kwargs={"code": dossier.code})
    assert 'id="declaration"' not in staff(declared.staff.clerk).get(url).content.decode()


def test_the_declaration_pdf_is_generated_and_its_printing_audited(declared: World) -> None:
    dossier = submitted(declared)
    url = reverse("submissions_staff:declaration-pdf", kwargs={"code": dossier.code})
    response = staff(declared.staff.clerk).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    text = pdf_text(response.content)
    squashed = "".join(text.split())
    assert "TỜKHAIĐĂNGKÝKHAISINH" in squashed
    assert dossier.code in squashed
    for value in ("NguyễnThịMai", "20/02/2026", "Nữ", "TrầnThịLan"):
        assert value in squashed
    entry = AuditEntry.objects.get(action="submissions.declaration_pdf")
    assert entry.actor == declared.staff.clerk
    assert entry.object_id == str(dossier.pk)


def test_the_pdf_follows_the_dossier_pages_access_rule(declared: World) -> None:
    dossier = submitted(declared)
    url = reverse("submissions_staff:declaration-pdf", kwargs={"code": dossier.code})
    assert staff(declared.staff.outsider).get(url).status_code == 404
    missing = reverse("submissions_staff:declaration-pdf", kwargs={"code": "000.00.33.H33-x"})
    assert staff(declared.staff.clerk).get(missing).status_code == 404
    assert Client().get(url).status_code == 302  # sign in first
    assert not AuditEntry.objects.filter(action="submissions.declaration_pdf").exists()
