"""Staff pages and API: the template editor (operators), the log and
``GET /api/v1/notifications`` (staff of the dossier's units only), the simulator."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from egov.accounts.models import User
from egov.accounts.tests.helpers import sign_in_verified
from egov.dossiers.tests.factories import World, applicant, receive
from egov.notifications.models import NotificationTemplate, SimulatedSms, SimulatorFaults

pytestmark = pytest.mark.django_db

MOBILE = "0912 345 678"
EDIT = "/thong-bao/quan-tri/mau/receive/sms/vi/"


def signed_in(user: User) -> Client:
    client = Client()
    sign_in_verified(client, user)
    return client


def test_only_operators_open_the_template_editor(world: World, operator: User) -> None:
    assert signed_in(world.staff.clerk).get("/thong-bao/quan-tri/mau/").status_code == 403
    assert signed_in(world.staff.clerk).get(EDIT).status_code == 403
    page = signed_in(operator).get("/thong-bao/quan-tri/mau/")
    assert page.status_code == 200
    assert EDIT.encode() in page.content
    assert b"/thong-bao/quan-tri/mau/stop/email/vi/" in page.content


def test_edit_page_shows_the_preview_of_the_saved_template(operator: User) -> None:
    page = signed_in(operator).get(EDIT)
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="preview"' in text
    assert "Uy ban nhan dan Thanh pho Rach Gia da tiep nhan ho so so" in text
    assert re.search(r"GSM-7", text)


def test_preview_button_renders_without_saving(operator: User) -> None:
    client = signed_in(operator)
    before = NotificationTemplate.objects.get(event="receive", channel="sms").body
    answer = client.post(
        EDIT,
        {
            "body": "Hồ sơ {{ code }} hẹn ngày {{ appointment }}",
            "is_active": "on",
            "action": "preview",
        },
    )
    assert answer.status_code == 200
    text = answer.content.decode()
    assert "Hồ sơ 000.00.33.H33-260302-0001 hẹn ngày 09/03/2026" in text
    assert "UCS-2" in text
    assert NotificationTemplate.objects.get(event="receive", channel="sms").body == before


def test_an_error_is_shown_next_to_the_field_and_the_text_is_kept(operator: User) -> None:
    client = signed_in(operator)
    body = "Hồ sơ {{ ma_ho_so }}"
    answer = client.post(EDIT, {"body": body, "is_active": "on", "action": "save"})
    assert answer.status_code == 200
    text = answer.content.decode()
    assert 'aria-invalid="true"' in text
    assert "errorlist" in text
    assert "ma_ho_so" in text
    assert "Hồ sơ {{ ma_ho_so }}</textarea>" in text


def test_saving_stores_the_template(operator: User) -> None:
    client = signed_in(operator)
    body = "{{ agency }} da nhan ho so {{ code }}. Tra cuu: {{ lookup_url }}"
    answer = client.post(EDIT, {"body": body, "unaccented": "on", "action": "save"})
    assert answer.status_code == 302
    stored = NotificationTemplate.objects.get(event="receive", channel="sms", language="vi")
    assert stored.body == body
    assert stored.is_active is False  # the box was not ticked
    assert stored.updated_by == operator


def test_log_is_limited_to_staff_of_the_dossiers_units(world: World, operator: User) -> None:
    dossier = receive(world, applicant=applicant(phone=MOBILE))
    url = f"/thong-bao/nhat-ky/?dossier={dossier.code}"
    clerk_page = signed_in(world.staff.clerk).get(url)
    assert clerk_page.status_code == 200
    assert b"84912345678" in clerk_page.content
    assert signed_in(world.staff.specialist).get(url).content.count(b"84912345678") == 0
    outsider = signed_in(world.staff.outsider).get(url)
    assert outsider.status_code == 200
    assert b"84912345678" not in outsider.content
    assert b"84912345678" in signed_in(operator).get(url).content
    citizen = Client()
    citizen.force_login(world.staff.citizen)
    assert citizen.get(url).status_code == 403


def test_log_filters_by_channel_and_status(world: World) -> None:
    receive(world, applicant=applicant(phone=MOBILE))
    client = signed_in(world.staff.clerk)
    sms_only = client.get("/thong-bao/nhat-ky/?channel=sms").content.decode()
    assert "84912345678" in sms_only
    assert "hoa@example.vn" not in sms_only
    assert "84912345678" not in client.get("/thong-bao/nhat-ky/?status=sent").content.decode()


def test_api_lists_a_dossiers_notifications_for_its_staff(world: World) -> None:
    dossier = receive(world, applicant=applicant(phone=MOBILE))
    url = f"/api/v1/notifications?dossier={dossier.code}"
    answer = signed_in(world.staff.clerk).get(url)
    assert answer.status_code == 200
    rows = answer.json()
    assert {row["channel"] for row in rows} == {"email", "sms"}
    assert all(row["dossier"] == dossier.code and row["status"] == "queued" for row in rows)
    assert all(row["event"] == "receive" for row in rows)
    assert signed_in(world.staff.outsider).get(url).json() == []
    assert Client().get(url).status_code == 401
    assert signed_in(world.staff.clerk).get(url + "&channel=fax").status_code == 422


def test_simulator_pages_show_a_phone_inbox_and_set_faults(
    gateway: object, world: World, operator: User
) -> None:
    SimulatedSms.objects.create(
        message_id="m1",
        brandname="KIENGIANG",
        phone="84912345678",
        text="Ho so 000.00.33.H33-260302-0001 da co ket qua.",
        encoding="GSM-7",
        segments=1,
    )
    # Every number and its messages: not for anonymous visitors nor ordinary staff.
    anonymous = Client().get("/thong-bao/mo-phong/sms/0912345678/")
    assert anonymous.status_code == 302
    assert "/tai-khoan/dang-nhap/" in anonymous["Location"]
    assert Client().post("/thong-bao/mo-phong/sms/", {"fail_next": "2"}).status_code == 302
    clerk = signed_in(world.staff.clerk)
    assert clerk.get("/thong-bao/mo-phong/sms/").status_code == 403
    assert clerk.get("/thong-bao/mo-phong/sms/0912345678/").status_code == 403
    assert not SimulatorFaults.objects.filter(fail_next=2).exists()
    client = signed_in(operator)
    index = client.get("/thong-bao/mo-phong/sms/")
    assert index.status_code == 200
    assert b"/thong-bao/mo-phong/sms/0912345678/" in index.content
    inbox = client.get("/thong-bao/mo-phong/sms/0912345678/")
    assert b"Ho so 000.00.33.H33-260302-0001 da co ket qua." in inbox.content
    answer = client.post(
        "/thong-bao/mo-phong/sms/", {"fail_next": "2", "timeout_next": "1", "hang_seconds": "3"}
    )
    assert answer.status_code == 302
    faults = SimulatorFaults.objects.get(pk=1)
    assert (faults.fail_next, faults.timeout_next, faults.hang_seconds) == (2, 1, 3.0)


def test_simulator_pages_are_absent_when_simulators_are_off(settings: object, db: None) -> None:
    settings.EGOV_SIMULATORS = False  # type: ignore[attr-defined]
    assert Client().get("/thong-bao/mo-phong/sms/").status_code == 404
