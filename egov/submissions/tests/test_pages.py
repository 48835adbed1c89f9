from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from egov.accounts import services as accounts
from egov.accounts.models import AccountKind, User
from egov.accounts.permissions import RoleCode
from egov.accounts.tests.helpers import sign_in_verified
from egov.dossiers.models import Channel, Dossier, Status
from egov.dossiers.tests.factories import World
from egov.submissions import services
from egov.submissions.models import Draft, DraftStatus, FormSchema, WalletDocument

from .conftest import APPLICANT, BIRTH_ANSWERS, fake_pdf, pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def citizen_client(world: World) -> Client:
    client = Client()
    client.force_login(world.staff.citizen)
    return client


def _version(client: Client, url: str) -> int:
    page = client.get(url).content.decode()
    match = re.search(r'name="draft_version" value="(\d+)"', page)
    assert match, page[:2000]
    return int(match.group(1))


def test_staff_refused_with_a_clear_message(world: World) -> None:
    client = Client()
    sign_in_verified(client, world.staff.clerk)
    response = client.get(reverse("submissions:start", args=["1.001193"]))
    assert response.status_code == 403
    assert re.search("công dân|citizens", response.content.decode())


def test_anonymous_is_sent_to_sign_in(world: World) -> None:
    response = Client().get(reverse("submissions:start", args=["1.001193"]))
    assert response.status_code == 302 and "next=" in response["Location"]


def test_journey_through_the_pages(world: World, citizen_client: Client) -> None:
    client = citizen_client
    start = reverse("submissions:start", args=["1.001193"])
    page = client.get(start)
    assert page.status_code == 200
    assert re.search(r"<option[^>]*selected", page.content.decode())  # the only agency
    response = client.post(start, {"agency": world.org.district.pk, "draft_version": 1})
    assert response.status_code == 302
    draft = Draft.objects.get(user=world.staff.citizen)
    applicant_url = response["Location"]
    text = client.get(applicant_url).content.decode()
    assert 'value="Nguyễn Văn An"' in text and 'value="091090001234"' in text

    version = _version(client, applicant_url)
    bad = client.post(applicant_url, {**APPLICANT, "id_number": "12", "draft_version": version})
    assert bad.status_code == 200
    assert 'value="12 Trần Phú, Phường Vĩnh Thanh Vân, Rạch Giá"' in bad.content.decode()
    assert "errorlist" in bad.content.decode()
    response = client.post(applicant_url, {**APPLICANT, "draft_version": version})
    assert response.status_code == 302
    declaration_url = response["Location"]
    assert declaration_url.endswith("/to-khai/")

    version = _version(client, declaration_url)
    data = {**BIRTH_ANSWERS, "cam_doan": "on", "draft_version": version}
    bad = client.post(declaration_url, {**data, "ho_ten_tre": ""})
    text = bad.content.decode()
    assert 'value="Bệnh viện Đa khoa tỉnh Kiên Giang"' in text
    assert re.search(r'id="id_ho_ten_tre_error"|errorlist', text)
    response = client.post(declaration_url, data)
    assert response.status_code == 302
    papers_url = response["Location"]

    version = _version(client, papers_url)
    first, second, third = world.papers[:3]
    response = client.post(
        papers_url,
        {
            "draft_version": version,
            f"paper_{first.pk}": pdf_upload("to-khai.pdf"),
            f"paper_{second.pk}": pdf_upload("giay-chung-sinh.pdf"),
            f"paper_{third.pk}": fake_pdf(),
        },
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert re.search("Windows|chương trình", text)
    assert "to-khai.pdf" in text  # the good files were kept
    version = _version(client, papers_url)
    response = client.post(
        papers_url, {"draft_version": version, f"paper_{third.pk}": pdf_upload("cccd.pdf")}
    )
    assert response.status_code == 302
    review_url = response["Location"]
    review = client.get(review_url).content.decode()
    assert "Nguyễn Thị Mai" in review and "giay-chung-sinh.pdf" in review
    assert "50.000 đ" in review
    version = _version(client, review_url)
    response = client.post(review_url, {"draft_version": version})
    assert response.status_code == 302
    again = client.post(review_url, {"draft_version": version})  # double click
    assert again.status_code == 302
    assert Dossier.objects.count() == 1
    dossier = Dossier.objects.get()
    assert dossier.status == Status.SUBMITTED and dossier.channel == Channel.ONLINE
    done = client.get(response["Location"]).content.decode()
    assert dossier.code in done
    draft.refresh_from_db()
    assert draft.status == DraftStatus.SUBMITTED


def test_two_tabs_later_save_of_older_version_refused(world: World, citizen_client: Client) -> None:
    draft = services.start_draft(world.staff.citizen, world.version, agency=world.org.district)
    url = reverse("submissions:step", args=[draft.pk, "nguoi-nop"])
    seen = _version(citizen_client, url)
    first = citizen_client.post(url, {**APPLICANT, "draft_version": seen})
    assert first.status_code == 302
    second = citizen_client.post(
        url, {**APPLICANT, "address": "99 Nguyễn Trung Trực", "draft_version": seen}
    )
    assert second.status_code == 200
    text = second.content.decode()
    assert re.search("tab|thẻ", text)
    assert 'value="99 Nguyễn Trung Trực"' in text  # what was typed is shown again
    draft.refresh_from_db()
    assert draft.applicant["address"] == APPLICANT["address"]
    assert f'name="draft_version" value="{draft.version}"' in text


def test_drafts_list_and_delete(world: World, citizen_client: Client) -> None:
    draft = services.start_draft(world.staff.citizen, world.version, agency=world.org.district)
    page = citizen_client.get(reverse("submissions:drafts")).content.decode()
    assert world.version.name in page
    response = citizen_client.post(reverse("submissions:draft-delete", args=[draft.pk]))
    assert response.status_code == 302
    assert not Draft.objects.filter(pk=draft.pk).exists()


def test_wallet_download_only_for_the_owner(world: World, citizen_client: Client) -> None:
    response = citizen_client.post(reverse("submissions:wallet"), {"file": pdf_upload("cccd.pdf")})
    assert response.status_code == 302
    document = WalletDocument.objects.get()
    url = reverse("submissions:wallet-download", args=[document.pk])
    response = citizen_client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")  # type: ignore[attr-defined]
    other = User.objects.create_user("079090001111", None, full_name="B", kind=AccountKind.CITIZEN)
    client = Client()
    client.force_login(other)
    assert client.get(url).status_code == 404
    assert client.post(reverse("submissions:wallet-delete", args=[document.pk])).status_code == 404
    bad = citizen_client.post(reverse("submissions:wallet"), {"file": fake_pdf()})
    assert bad.status_code == 422


def test_schema_editor(world: World) -> None:
    operator = accounts.create_staff_account(
        None,
        username="vanhanh",
        full_name="Vận Hành",
        unit=world.org.province,
        role_codes=[RoleCode.PLATFORM_OPERATOR],
    )
    client = Client()
    sign_in_verified(client, world.staff.clerk)
    assert client.get(reverse("submissions:schema-list")).status_code == 403
    sign_in_verified(client, operator)
    listing = client.get(reverse("submissions:schema-list"))
    assert listing.status_code == 200 and "1.001193" in listing.content.decode()
    url = reverse("submissions:schema-edit", args=["1.001193"])
    page = client.get(url).content.decode()
    assert "Họ, chữ đệm, tên của trẻ" in page
    bad = client.post(
        url,
        {
            "schema": '{"type": "object", "properties": {"a": {"type": 1}}}',
            "layout": "{}",
            "save": "1",
        },
    )
    assert bad.status_code == 422
    assert "JSON Schema" in bad.content.decode()
    broken = client.post(url, {"schema": "{oops", "layout": "", "save": "1"})
    assert broken.status_code == 422 and "JSON" in broken.content.decode()
    schema = {"type": "object", "properties": {"ghi_chu": {"type": "string"}}}
    layout: dict[str, Any] = {
        "sections": [],
        "fields": {"ghi_chu": {"label": {"vi": "Ghi chú", "en": "Note"}, "widget": "textarea"}},
    }
    preview = client.post(
        url, {"schema": json.dumps(schema), "layout": json.dumps(layout), "preview": "1"}
    )
    assert preview.status_code == 200 and "<textarea" in preview.content.decode()
    assert FormSchema.objects.filter(procedure=world.version.procedure).count() == 1
    saved = client.post(
        url, {"schema": json.dumps(schema), "layout": json.dumps(layout), "save": "1"}
    )
    assert saved.status_code == 302
    assert FormSchema.objects.get(procedure=world.version.procedure, is_current=True).number == 2
