"""Staff open a dossier's uploaded papers through a permission-checked view (the
files have no public URL); staff outside the dossier's scope get 404."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from egov.accounts.tests.helpers import sign_in_verified
from egov.dossiers.downloads import safe_filename
from egov.dossiers.models import Dossier
from egov.dossiers.services import PaperIn
from egov.dossiers.tests.factories import World, build_world, complete_papers, receive

pytestmark = pytest.mark.django_db

CONTENT = b"%PDF-1.4\n% a scanned paper\n"


@pytest.fixture(autouse=True)
def _files_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "files")},
        },
    }


@pytest.fixture
def world() -> World:
    return build_world()


@pytest.fixture
def dossier(world: World) -> Dossier:
    papers = complete_papers(world)
    first = papers[0]
    papers[0] = PaperIn(
        required_paper=first.required_paper,
        copies=first.copies,
        form=first.form,
        file=SimpleUploadedFile("to-khai.pdf", CONTENT, content_type="application/pdf"),
    )
    return receive(world, papers=papers)


def _client(user: Any) -> Client:
    client = Client()
    sign_in_verified(client, user)
    return client


def _paper_url(dossier: Dossier) -> str:
    paper = dossier.papers.exclude(file="").get()
    return reverse("dossiers_staff:paper", args=[dossier.code, paper.pk])


def test_a_clerk_opens_a_paper_from_the_dossier_page(world: World, dossier: Dossier) -> None:
    client = _client(world.staff.clerk)
    page = client.get(reverse("dossiers_staff:detail", args=[dossier.code])).content.decode()
    url = _paper_url(dossier)
    assert f'href="{url}"' in page
    assert 'href="/dossiers/' not in page  # no link to the unserved storage path

    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == CONTENT  # type: ignore[attr-defined]
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert ".pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


def test_staff_out_of_scope_get_404_like_for_an_unknown_paper(
    world: World, dossier: Dossier
) -> None:
    url = _paper_url(dossier)
    assert _client(world.staff.outsider).get(url).status_code == 404
    clerk = _client(world.staff.clerk)
    other_paper = dossier.papers.filter(file="").first()
    assert other_paper is not None  # a paper handed in on paper only: nothing to serve
    for paper_id in (other_paper.pk, 999999):
        url = reverse("dossiers_staff:paper", args=[dossier.code, paper_id])
        assert clerk.get(url).status_code == 404
    unknown = reverse("dossiers_staff:paper", args=["000.00.31.H33-260115-9999", 1])
    assert clerk.get(unknown).status_code == 404


def test_signed_out_people_are_sent_to_sign_in(dossier: Dossier) -> None:
    response = Client().get(_paper_url(dossier))
    assert response.status_code == 302


def test_the_citizens_download_answers_the_same_way(world: World, dossier: Dossier) -> None:
    dossier.applicant = world.staff.citizen
    dossier.save(update_fields=["applicant"])
    client = Client()
    client.force_login(world.staff.citizen)
    paper = dossier.papers.exclude(file="").get()
    response = client.get(reverse("applicants:paper", args=[dossier.code, paper.pk]))
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment; filename=")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("dossiers/2026/03/to-khai.pdf", "to-khai.pdf"),
        ('a"b;\r\nc.pdf', "abc.pdf"),
        ("..\\..\\Giấy khai sinh.pdf", "Giấy khai sinh.pdf"),
        ("\x00\x01", "giay-to"),
        ("...", "giay-to"),
    ],
)
def test_safe_filename(name: str, expected: str) -> None:
    assert safe_filename(name) == expected
