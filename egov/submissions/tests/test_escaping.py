"""Names chosen by others (an uploaded file's name, a result's name, an operator's
help text) are shown as text on the submission pages, never run as markup."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from egov.dossiers.tests.factories import World
from egov.submissions import services
from egov.submissions.demo import birth_registration
from egov.submissions.models import WalletSource

from .conftest import APPLICANT, BIRTH_ANSWERS, pdf_bytes, pdf_upload

pytestmark = pytest.mark.django_db

MARKUP = "<img src=x onerror=alert(1)>"
ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"


@pytest.fixture
def citizen_client(world: World) -> Client:
    client = Client()
    client.force_login(world.staff.citizen)
    return client


def _papers_url(world: World) -> str:
    draft = services.start_draft(world.staff.citizen, world.version, agency=world.org.district)
    draft = services.save_draft(
        world.staff.citizen,
        draft,
        expected_version=draft.version,
        applicant=APPLICANT,
        answers=BIRTH_ANSWERS,
    )
    return reverse("submissions:step", args=[draft.pk, "giay-to"])


def _version(page: str) -> int:
    match = re.search(r'name="draft_version" value="(\d+)"', page)
    assert match, page[:2000]
    return int(match.group(1))


def test_an_uploaded_files_name_is_shown_escaped_on_the_papers_step(
    world: World, citizen_client: Client
) -> None:
    url = _papers_url(world)
    paper = world.papers[0]
    version = _version(citizen_client.get(url).content.decode())
    response = citizen_client.post(
        url,
        {"draft_version": version, f"paper_{paper.pk}": pdf_upload(f"{MARKUP}.pdf"), "later": "1"},
    )
    assert response.status_code == 302
    page = citizen_client.get(url).content.decode()
    assert ESCAPED in page
    assert MARKUP not in page


def test_a_results_name_from_the_wallet_is_shown_escaped(
    world: World, citizen_client: Client
) -> None:
    # A result paper lands in the wallet under the name staff gave it.
    document, _created = services.keep_in_wallet(
        world.staff.citizen,
        name=f"{MARKUP}.pdf",
        source_file=pdf_bytes("KET QUA"),
        content_type="application/pdf",
        size=1000,
        sha256="0" * 64,
        source=WalletSource.RESULT,
    )
    wallet = citizen_client.get(reverse("submissions:wallet")).content.decode()
    assert ESCAPED in wallet and MARKUP not in wallet

    url = _papers_url(world)
    paper = world.papers[0]
    page = citizen_client.get(url).content.decode()
    assert ESCAPED in page and MARKUP not in page  # the wallet's choices
    response = citizen_client.post(
        url, {"draft_version": _version(page), f"wallet_{paper.pk}": document.pk, "later": "1"}
    )
    assert response.status_code == 302
    page = citizen_client.get(url).content.decode()
    assert page.count(ESCAPED) >= 2  # attached, and among the wallet's choices
    assert MARKUP not in page


def test_an_operators_help_text_is_shown_escaped(world: World, citizen_client: Client) -> None:
    schema, layout = birth_registration()
    layout["fields"]["ho_ten_tre"]["help"] = {"vi": MARKUP, "en": MARKUP}
    services.save_form_schema(None, world.version.procedure, schema=schema, layout=layout)
    draft = services.start_draft(world.staff.citizen, world.version, agency=world.org.district)
    url = reverse("submissions:step", args=[draft.pk, "to-khai"])
    page = citizen_client.get(url).content.decode()
    assert ESCAPED in page
    assert MARKUP not in page
