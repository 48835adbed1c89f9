"""The citizen's submission pages in English show the English names of the
procedure, its papers and the agencies, with the Vietnamese name as the fallback."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from egov.core.models import Unit
from egov.dossiers.tests.factories import World
from egov.procedures.models import ProcedureVersion, RequiredPaper
from egov.submissions import services

pytestmark = pytest.mark.django_db


def _client(world: World, language: str) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(world.staff.citizen)
    return client


@pytest.fixture
def named(world: World) -> World:
    ProcedureVersion.objects.filter(pk=world.version.pk).update(name_en="Birth registration")
    RequiredPaper.objects.filter(pk=world.papers[1].pk).update(name_en="Hospital birth certificate")
    Unit.objects.filter(pk=world.org.district.pk).update(name_en="Rạch Giá City People's Committee")
    world.version.refresh_from_db()
    return world


def test_start_and_papers_pages_in_english(named: World) -> None:
    client = _client(named, "en")
    start = client.get(reverse("submissions:start", args=["1.001193"])).content.decode()
    assert "Submit online: Birth registration" in start
    assert "Rạch Giá City People&#x27;s Committee" in start  # the agency picker
    draft = services.start_draft(named.staff.citizen, named.version, agency=named.org.district)
    papers = client.get(reverse("submissions:step", args=[draft.pk, "giay-to"])).content.decode()
    assert "Hospital birth certificate" in papers
    assert named.papers[2].name in papers  # no English name: the Vietnamese one
    drafts = client.get(reverse("submissions:drafts")).content.decode()
    assert "Birth registration" in drafts


def test_start_page_in_vietnamese_unchanged(named: World) -> None:
    start = _client(named, "vi").get(reverse("submissions:start", args=["1.001193"]))
    html = start.content.decode()
    assert named.version.name in html
    assert "Birth registration" not in html and "City People" not in html
