"""The page after submitting, and its PDF receipt (issue 15, item 7)."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from egov.accounts.models import AccountKind, User
from egov.dossiers.tests.factories import World
from egov.submissions import services
from egov.submissions.models import Draft

from .test_services import ready_draft

pytestmark = pytest.mark.django_db


def _submitted(world: World) -> tuple[Draft, str]:
    draft = ready_draft(world)
    dossier, _created = services.submit_draft(world.staff.citizen, draft.pk)
    draft.refresh_from_db()
    return draft, dossier.code


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_page_says_what_happens_next_and_links_the_dossier_and_receipt(world: World) -> None:
    draft, code = _submitted(world)
    html = _client(world.staff.citizen).get(reverse("submissions:done", args=[draft.pk]))
    text = html.content.decode()
    assert f'id="dossier-code">{code}<' in text
    assert "Các bước tiếp theo" in text
    assert "Khi hồ sơ được tiếp nhận, cơ quan có" in text  # the legal time limit
    assert "0912345678" in text  # where the text message goes
    assert reverse("applicants:dossier", kwargs={"code": code}) in text
    assert reverse("submissions:receipt", args=[draft.pk]) in text


def test_the_receipt_is_a_pdf_with_the_code_for_its_owner_only(world: World) -> None:
    draft, code = _submitted(world)
    url = reverse("submissions:receipt", args=[draft.pk])
    response = _client(world.staff.citizen).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    assert code in text
    assert "PHIẾU XÁC NHẬN NỘP HỒ SƠ TRỰC TUYẾN" in text
    assert "chưa phải giấy tiếp nhận" in text

    stranger = User.objects.create_user("079090001111", "KienGiang2020", kind=AccountKind.CITIZEN)
    assert _client(stranger).get(url).status_code == 404


def test_an_unsent_draft_has_no_receipt(world: World) -> None:
    draft = ready_draft(world)
    url = reverse("submissions:receipt", args=[draft.pk])
    assert _client(world.staff.citizen).get(url).status_code == 404
