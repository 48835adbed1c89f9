"""Issue 15 item 10: on English pages the portal shows the English names of
procedures, fields, papers and agencies, and the Vietnamese name where none was
given; Vietnamese pages and searching are unchanged."""

from __future__ import annotations

import pytest
from django.test import Client

from egov.accounts.tests.helpers import english_client
from egov.core.models import Unit
from egov.portal.tests.conftest import text
from egov.procedures.models import ProcedureField, ProcedureVersion, RequiredPaper
from egov.procedures.tests.factories import Org

pytestmark = pytest.mark.django_db

CATALOGUE = "/dich-vu-cong/thu-tuc/"
BIRTH = "/dich-vu-cong/thu-tuc/1.001193/"


@pytest.fixture
def named(org: Org, catalogue: dict[str, ProcedureVersion]) -> RequiredPaper:
    """English names for birth registration, its field, its first paper and one of
    its communes; marriage registration (same field) keeps no English name."""
    birth = catalogue["birth"]
    ProcedureVersion.objects.filter(pk=birth.pk).update(name_en="Birth registration")
    ProcedureField.objects.filter(code="ho-tich").update(name_en="Civil status")
    Unit.objects.filter(pk=org.vinh_thanh.pk).update(name_en="Vĩnh Thanh Ward People's Committee")
    paper = birth.papers.order_by("position").first()
    assert paper is not None
    RequiredPaper.objects.filter(pk=paper.pk).update(name_en="Birth registration declaration")
    paper.refresh_from_db()
    return paper


def test_catalogue_in_english_shows_english_names_with_fallback(named: RequiredPaper) -> None:
    body = text(english_client().get(CATALOGUE))
    assert ">Birth registration</a></h3>" in body
    assert "Civil status" in body
    assert ">Đăng ký khai sinh</a></h3>" not in body
    assert ">Đăng ký kết hôn</a></h3>" in body  # no English name: the Vietnamese one
    assert ">Vĩnh Thanh Ward People&#x27;s Committee</option>" in body  # the agency picker


def test_search_keeps_working_on_vietnamese_names(named: RequiredPaper) -> None:
    body = text(english_client().get(CATALOGUE, {"q": "dang ky khai sinh"}))
    assert ">Birth registration</a></h3>" in body


def test_procedure_page_in_english(named: RequiredPaper) -> None:
    body = text(english_client().get(BIRTH))
    assert "<h1>Birth registration</h1>" in body
    assert "Birth registration declaration" in body
    assert "Vĩnh Thanh Ward People&#x27;s Committee" in body
    assert "Civil status</a>" in body
    others = [p.name for p in named.version.papers.exclude(pk=named.pk)]
    assert others and all(name in body for name in others)  # no English name: Vietnamese


def test_vietnamese_pages_unchanged(client: Client, named: RequiredPaper) -> None:
    body = text(client.get(BIRTH))
    assert "<h1>Đăng ký khai sinh</h1>" in body
    assert named.name in body and "Birth registration" not in body
    assert "Civil status" not in body and "Ward People" not in body
    listing = text(client.get(CATALOGUE))
    assert ">Đăng ký khai sinh</a></h3>" in listing and "Civil status" not in listing


def test_fields_and_agencies_lists_in_english(named: RequiredPaper) -> None:
    client = english_client()
    assert ">Civil status</a>" in text(client.get("/dich-vu-cong/linh-vuc/"))
    assert "Vĩnh Thanh Ward People&#x27;s Committee</a>" in text(
        client.get("/dich-vu-cong/co-quan/")
    )
