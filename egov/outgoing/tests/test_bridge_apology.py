"""The one-stop bridge's apology letter (thư xin lỗi, form 04, Decision 468): offered
only for a dossier overdue or due within a working day; issuing it (signed) records
the letter's number and PDF on the dossier and moves its appointment."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from egov.accounts.tests.helpers import sign_in_verified
from egov.dossiers.models import ApologyLetter, Dossier
from egov.outgoing import services
from egov.outgoing.models import DossierPurpose, OutgoingDocument
from egov.outgoing.services import bridge
from egov.outgoing.tests.test_bridge import (
    Desk,
    approve_result,
    at_specialist,
    build_desk,
    confirm_on_phone,
)
from egov.signatures.tests.conftest import pki_settings  # noqa: F401 - fixture
from egov.signatures.verification import verify_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk() -> Desk:
    return build_desk()


def overdue(desk: Desk) -> Dossier:
    dossier = at_specialist(desk)
    # The appointment passed yesterday (the test moves the clock, not the services).
    Dossier.objects.filter(pk=dossier.pk).update(due_at=timezone.now() - dt.timedelta(days=1))
    dossier.refresh_from_db()
    return dossier


def test_the_apology_letter_is_refused_for_a_dossier_in_time(desk: Desk) -> None:
    dossier = at_specialist(desk)
    Dossier.objects.filter(pk=dossier.pk).update(due_at=timezone.now() + dt.timedelta(days=20))
    with pytest.raises(ValidationError) as refused:
        bridge.draft_for_dossier(
            desk.specialist,
            dossier.code,
            purpose="apology",
            reason="Chờ xác minh",
            new_due_at=timezone.now() + dt.timedelta(days=30),
        )
    assert "quá hạn" in str(refused.value)
    assert not OutgoingDocument.objects.filter(dossier_purpose=DossierPurpose.APOLOGY).exists()


def test_the_apology_letter_needs_a_reason_and_a_later_date(desk: Desk) -> None:
    dossier = overdue(desk)
    with pytest.raises(ValidationError) as refused:
        bridge.draft_for_dossier(
            desk.specialist,
            dossier.code,
            purpose="apology",
            reason=" ",
            new_due_at=timezone.now() - dt.timedelta(hours=1),
        )
    assert set(refused.value.message_dict) == {"reason", "new_due_at"}
    assert not OutgoingDocument.objects.filter(dossier_purpose=DossierPurpose.APOLOGY).exists()


def test_issuing_the_apology_letter_signed_moves_the_appointment(
    desk: Desk,
    pki_settings: dict[str, Any],  # noqa: F811
) -> None:
    from egov.signatures import testpki

    dossier = overdue(desk)
    previous = dossier.due_at
    new_due = (timezone.now() + dt.timedelta(days=5)).replace(microsecond=0)
    document = bridge.draft_for_dossier(
        desk.specialist,
        dossier.code,
        purpose="apology",
        reason="Cần xác minh thực địa",
        new_due_at=new_due,
    )
    assert document.type_code == "thu-cong" and document.dossier_new_due_at == new_due
    assert "Cần xác minh thực địa" in document.body and "xin lỗi" in document.body
    assert f"{timezone.localtime(new_due):%d/%m/%Y}" in document.body
    assert dossier.applicant_name in document.copies_to
    again = bridge.draft_for_dossier(
        desk.specialist, dossier.code, purpose="apology", reason="x", new_due_at=new_due
    )
    assert again.pk == document.pk  # a double submit gives the same draft
    document = approve_result(desk, document)
    testpki.make(user_pin="")
    issued = services.issue_document(
        desk.records_clerk,
        document,
        expected_version=document.lock_version,
        remote={"sleep": confirm_on_phone},
    )
    assert issued.digitally_signed
    dossier.refresh_from_db()
    assert dossier.due_at == new_due
    [letter] = ApologyLetter.objects.filter(dossier=dossier)
    assert letter.previous_due_at == previous and letter.new_due_at == new_due
    assert letter.number == issued.number_and_symbol and letter.reason == "Cần xác minh thực địa"
    with letter.file.open("rb") as handle:
        on_dossier = handle.read()
    assert on_dossier == bytes(issued.issued_pdf or b"")
    assert verify_pdf(on_dossier).ok
    issued.refresh_from_db()
    assert issued.number_and_symbol in issued.dossier_outcome
    # The staff page lists the letter with its number and a link to the PDF.
    client = Client()
    sign_in_verified(client, desk.specialist)
    page = client.get(reverse("dossiers_staff:detail", args=[dossier.code])).content.decode()
    link = reverse("dossiers_staff:apology_file", args=[dossier.code, letter.pk])
    assert issued.number_and_symbol in page and link in page
    download = client.get(link)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == on_dossier  # type: ignore[attr-defined]
    outsider = Client()
    sign_in_verified(outsider, desk.world.staff.outsider)
    assert outsider.get(link).status_code == 404


def test_the_dossier_page_offers_the_apology_only_when_late(desk: Desk) -> None:
    dossier = at_specialist(desk)
    Dossier.objects.filter(pk=dossier.pk).update(due_at=timezone.now() + dt.timedelta(days=20))
    client = Client()
    sign_in_verified(client, desk.specialist)
    page_url = reverse("dossiers_staff:detail", args=[dossier.code])
    assert 'id="apology-draft"' not in client.get(page_url).content.decode()
    Dossier.objects.filter(pk=dossier.pk).update(due_at=timezone.now() - dt.timedelta(hours=2))
    page = client.get(page_url).content.decode()
    assert 'id="apology-draft"' in page and "Soạn thư xin lỗi" in page
    draft_url = reverse("outgoing:from_dossier", args=[dossier.code])
    missing = client.post(draft_url, {"purpose": "apology", "reason": ""}, follow=True)
    assert "Nêu lý do chậm trễ." in missing.content.decode()
    assert not OutgoingDocument.objects.filter(dossier_code=dossier.code).exists()
    new_due = timezone.localtime(timezone.now() + dt.timedelta(days=3))
    answer = client.post(
        draft_url,
        {
            "purpose": "apology",
            "reason": "Chờ ý kiến liên ngành",
            "new_due_at": f"{new_due:%Y-%m-%dT%H:%M}",
        },
    )
    document = OutgoingDocument.objects.get(dossier_code=dossier.code)
    assert answer["Location"] == reverse("outgoing:detail", args=[document.reference])
    assert document.dossier_purpose == DossierPurpose.APOLOGY
    assert document.dossier_reason == "Chờ ý kiến liên ngành"


def test_the_api_drafts_an_apology_letter(desk: Desk) -> None:
    dossier = overdue(desk)
    client = Client()
    sign_in_verified(client, desk.specialist)
    url = f"/api/v1/outgoing/dossiers/{dossier.code}/drafts"
    missing = client.post(
        url, data=json.dumps({"purpose": "apology"}), content_type="application/json"
    )
    assert missing.status_code == 422 and missing.json()["field"] in ("reason", "new_due_at")
    new_due = (timezone.now() + dt.timedelta(days=4)).isoformat()
    made = client.post(
        url,
        data=json.dumps(
            {"purpose": "apology", "reason": "Thiếu hồ sơ địa chính", "new_due_at": new_due}
        ),
        content_type="application/json",
    )
    assert made.status_code == 200, made.content
    assert made.json()["dossier_purpose"] == "apology"
