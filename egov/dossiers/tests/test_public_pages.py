"""The public lookup page ``/tra-cuu/``: a GET form that works without JavaScript."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from egov.accounts.tests.helpers import english_client
from egov.dossiers.paperforms.context import public_lookup_url
from egov.dossiers.tests.test_forms_pdf import CODE, World
from egov.dossiers.tests.test_lookup import PRIVATE_CODE, build_lookup_world, forbidden

pytestmark = pytest.mark.django_db

PAGE = "/tra-cuu/"


@pytest.fixture(autouse=True)
def _fresh_counters() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(db: None) -> World:
    return build_lookup_world()


def test_the_empty_page_shows_a_labelled_get_form(db: None) -> None:
    response = english_client().get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert 'method="get"' in html
    assert 'name="ma"' in html
    assert '<label for="id_ma"' in html
    assert "aria-invalid" not in html


def test_the_page_is_vietnamese_by_default(db: None) -> None:
    html = Client().get(PAGE).content.decode()
    assert '<html lang="vi">' in html


def test_the_qr_code_url_opens_the_dossier(world: World) -> None:
    url = public_lookup_url(PRIVATE_CODE)
    path_and_query = url.split("://", 1)[1].split("/", 1)[1]
    response = english_client().get("/" + path_and_query)
    assert response.status_code == 200
    html = response.content.decode()
    assert PRIVATE_CODE in html
    assert "Đăng ký khai sinh" in html
    assert "UBND thành phố Rạch Giá" in html
    assert "01/03/2026" in html and "06/03/2026" in html
    assert world.office.name in html  # a step of the history
    assert "alert--ok" in html  # result-ready notice


def test_the_page_shows_no_personal_data(world: World) -> None:
    html = english_client().get(PAGE, {"ma": PRIVATE_CODE}).content.decode()
    assert PRIVATE_CODE in html
    for secret in forbidden(world):
        assert secret not in html


def test_an_unknown_code_gets_a_clear_message_next_to_the_field(world: World) -> None:
    response = english_client().get(PAGE, {"ma": "000.00.31.H33-260301-9999"})
    assert response.status_code == 404
    html = response.content.decode()
    assert "No dossier has the code 000.00.31.H33-260301-9999" in html
    assert 'aria-invalid="true"' in html
    assert 'value="000.00.31.H33-260301-9999"' in html  # kept to correct it


def test_an_empty_code_asks_for_one(db: None) -> None:
    response = english_client().get(PAGE, {"ma": ""})
    assert response.status_code == 200
    assert "Enter the dossier code." in response.content.decode()


def test_codes_typed_with_spaces_or_lower_case_are_found(world: World) -> None:
    response = english_client().get(PAGE, {"ma": " " + CODE.lower() + " "})
    assert response.status_code == 200
    assert CODE in response.content.decode()


def test_guessing_is_rate_limited_with_a_clear_page(world: World, settings: Any) -> None:
    settings.EGOV_LOOKUP_UNKNOWN_LIMIT = 2
    client = english_client()
    for number in range(2):
        assert client.get(PAGE, {"ma": f"000.00.31.H33-260301-{9990 + number}"}).status_code == 404
    response = client.get(PAGE, {"ma": PRIVATE_CODE})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    html = response.content.decode()
    assert "Too many lookups" in html
    assert "Đăng ký khai sinh" not in html


def test_api_and_page_share_the_counters(world: World, settings: Any) -> None:
    settings.EGOV_LOOKUP_UNKNOWN_LIMIT = 2
    client = english_client()
    client.get("/api/v1/public/dossiers/000.00.31.H33-260301-9990")
    client.get(PAGE, {"ma": "000.00.31.H33-260301-9991"})
    assert client.get(PAGE, {"ma": PRIVATE_CODE}).status_code == 429
