"""The staff dossier pages in English show the English names of the procedure,
its papers, the step and the units, falling back to Vietnamese (issue 15 item 10)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from egov.accounts.tests.helpers import sign_in_verified
from egov.core.models import Unit
from egov.dossiers.tests.factories import World, build_world, receive
from egov.dossiers.tests.test_staff_pages import WORKLIST, client_for, detail_url
from egov.procedures.models import ProcedureVersion, ProcessStep, RequiredPaper

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    built = build_world()
    ProcedureVersion.objects.filter(pk=built.version.pk).update(name_en="Birth registration")
    RequiredPaper.objects.filter(pk=built.papers[0].pk).update(name_en="First paper in English")
    assert built.template is not None
    ProcessStep.objects.filter(template=built.template, position=1).update(
        name_en="Receive and pass on the dossier"
    )
    Unit.objects.filter(pk=built.org.district.pk).update(name_en="Rạch Giá City People's Committee")
    return built


def test_dossier_page_in_english(world: World) -> None:
    dossier = receive(world)
    html = client_for(world.staff.clerk).get(detail_url(dossier)).content.decode()
    assert "Birth registration (" in html
    assert "Rạch Giá City People&#x27;s Committee" in html
    assert "1. Receive and pass on the dossier" in html
    assert "First paper in English" in html
    assert world.papers[1].name in html  # no English name: the Vietnamese one
    worklist = client_for(world.staff.clerk).get(WORKLIST, {"tab": "process"}).content.decode()
    assert "Birth registration" in worklist


def test_dossier_page_in_vietnamese_unchanged(world: World) -> None:
    dossier = receive(world)
    client = Client()
    sign_in_verified(client, world.staff.clerk)
    html = client.get(detail_url(dossier)).content.decode()
    assert world.version.name in html
    assert "1. Tiếp nhận, chuyển hồ sơ" in html
    assert "Birth registration" not in html and "City People" not in html
    assert "First paper in English" not in html
    assert dossier.papers.filter(name=world.papers[0].name).exists()  # stored in Vietnamese


def test_citizens_dossier_pages_in_english(world: World) -> None:
    from egov.applicants.tests.helpers import own_dossier

    dossier = own_dossier(world)
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(world.staff.citizen)
    listing = client.get(reverse("applicants:dossiers")).content.decode()
    assert "Birth registration" in listing
    assert "Rạch Giá City People&#x27;s Committee" in listing
    page = client.get(reverse("applicants:dossier", kwargs={"code": dossier.code}))
    assert "Birth registration" in page.content.decode()
    client.cookies["django_language"] = "vi"
    vietnamese = client.get(reverse("applicants:dossiers")).content.decode()
    assert world.version.name in vietnamese and "Birth registration" not in vietnamese
