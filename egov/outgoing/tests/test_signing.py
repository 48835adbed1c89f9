"""Signing is the issuance step: the signer's signature (remote on the phone, or the
token with its PIN) and the agency's seal on the numbered PDF; a failed signing
issues nothing and keeps the reserved number for the next attempt."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from egov.core.models import AuditEntry
from egov.documents.models import IncomingDocument
from egov.documents.tests.factories import Org, Staff
from egov.outgoing import services
from egov.outgoing.errors import NotAllowedNow
from egov.outgoing.models import EventKind, OutgoingDocument, Status
from egov.outgoing.services import signing
from egov.outgoing.tests.factories import approved
from egov.signatures import errors as signature_errors
from egov.signatures import simulator
from egov.signatures.models import SimulatedRemoteRequest
from egov.signatures.tests.conftest import USER_PIN, pki_settings  # noqa: F401 - fixture
from egov.signatures.tests.pdfsig import assert_independently_valid
from egov.signatures.verification import verify_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def pki(org: Org, staff: Staff, pki_settings: dict[str, Any]) -> None:  # noqa: F811
    from egov.signatures import testpki

    testpki.make(user_pin=USER_PIN)


def phone(answer: str | None, polls: list[float] | None = None) -> Any:
    """The signer on the phone while the service waits: confirms, refuses or ignores."""

    def sleep(seconds: float) -> None:
        if polls is not None:
            polls.append(seconds)
        if answer is None:
            return
        pending = SimulatedRemoteRequest.objects.filter(status="pending").latest("created_at")
        simulator.confirm(pending, accept=answer == "confirm")

    return sleep


def test_issuing_asks_the_leader_on_the_phone_then_seals(
    org: Org, staff: Staff, pki: None, tmp_path: Path
) -> None:
    document = approved(org, staff)
    polls: list[float] = []
    issued = services.issue_document(
        staff.clerk,
        document,
        expected_version=document.lock_version,
        remote={"sleep": phone("confirm", polls)},
    )
    assert issued.status == Status.ISSUED and issued.digitally_signed
    assert issued.number_and_symbol == "01/QĐ-STP"
    request = SimulatedRemoteRequest.objects.get()
    assert request.account == staff.leader.username
    assert "01/QĐ-STP" in request.description  # the phone says what is signed
    pdf = bytes(issued.issued_pdf or b"")
    assert_independently_valid(pdf, tmp_path, 2)
    report = verify_pdf(pdf)
    assert report.ok, report.as_dict()
    leader, agency = report.signatures
    assert leader.signer == staff.leader.get_full_name()
    assert agency.organisation == org.dept.name
    assert b"/DSS" in pdf  # B-LT: revocation data embedded
    signed = AuditEntry.objects.filter(action="signatures.signed").order_by("pk")
    assert [e.actor_id for e in signed] == [staff.leader.pk, staff.clerk.pk]
    entry = AuditEntry.objects.get(action="outgoing.issued")
    assert entry.changes["digitally_signed"] == [None, True]
    # The dispatched copy is the signed one.
    services.dispatch_document(staff.clerk, issued)
    arrived = IncomingDocument.objects.get(recipient_agency=org.other)
    assert arrived.description == ""  # not "Chưa ký số"


def test_the_leader_at_the_desk_signs_with_the_token(
    org: Org, staff: Staff, pki: None, tmp_path: Path
) -> None:
    document = approved(org, staff)
    issued = services.issue_document(
        staff.clerk, document, expected_version=document.lock_version, pin=USER_PIN
    )
    assert issued.digitally_signed
    assert not SimulatedRemoteRequest.objects.exists()
    assert verify_pdf(bytes(issued.issued_pdf or b"")).ok


@pytest.mark.parametrize(
    ("how", "error"),
    [
        ({"remote": {"sleep": phone("refuse")}}, signature_errors.RemoteRefused),
        ({"remote": {"sleep": phone(None), "wait": 0}}, signature_errors.RemoteTimedOut),
        ({"pin": "000000"}, signature_errors.WrongPin),
    ],
    ids=["refused", "never-confirmed", "wrong-pin"],
)
def test_a_failed_signing_issues_nothing_and_keeps_the_number(
    org: Org, staff: Staff, pki: None, how: dict[str, Any], error: type[Exception]
) -> None:
    document = approved(org, staff)
    with pytest.raises(error) as refused:
        services.issue_document(
            staff.clerk, document, expected_version=document.lock_version, **how
        )
    assert refused.value.message  # type: ignore[attr-defined]
    document.refresh_from_db()
    assert document.status == Status.APPROVED and not document.digitally_signed
    assert document.issued_pdf is None and document.issued_at is None
    assert document.number == 1 and document.signing_started_at is None
    kinds = list(document.events.values_list("kind", flat=True))
    assert kinds[-2:] == [EventKind.NUMBER_RESERVED, EventKind.SIGNING_FAILED]
    assert AuditEntry.objects.filter(action="outgoing.signing_failed").count() == 1
    assert not AuditEntry.objects.filter(action="outgoing.issued").exists()
    # The next attempt issues it under the same number; no number was consumed.
    again = services.issue_document(
        staff.clerk,
        document,
        expected_version=document.lock_version,
        remote={"sleep": phone("confirm")},
    )
    assert again.status == Status.ISSUED and again.number_and_symbol == "01/QĐ-STP"
    other = approved(org, staff, subject="Về việc khác")
    other = services.issue_document(
        staff.clerk,
        other,
        expected_version=other.lock_version,
        remote={"sleep": phone("confirm")},
    )
    assert other.number == 2


def test_a_second_issue_while_the_phone_is_asked_is_refused(
    org: Org, staff: Staff, pki: None
) -> None:
    document = approved(org, staff)
    seen: list[str] = []

    def meanwhile_another_clerk_clicks(seconds: float) -> None:
        fresh = OutgoingDocument.objects.get(pk=document.pk)
        with pytest.raises(NotAllowedNow) as refused:
            services.issue_document(staff.clerk, fresh, expected_version=fresh.lock_version)
        seen.append(str(refused.value))
        pending = SimulatedRemoteRequest.objects.get()
        simulator.confirm(pending, accept=True)

    issued = services.issue_document(
        staff.clerk,
        document,
        expected_version=document.lock_version,
        remote={"sleep": meanwhile_another_clerk_clicks},
    )
    assert issued.status == Status.ISSUED and len(seen) == 1
    assert SimulatedRemoteRequest.objects.count() == 1


def test_missing_seal_image_refuses_before_a_number_is_taken(
    org: Org, staff: Staff, pki: None
) -> None:
    from egov.signatures.models import SignatureImage

    SignatureImage.objects.filter(unit=org.dept, kind="seal").delete()
    document = approved(org, staff)
    with pytest.raises(signing.SigningNotReady):
        services.issue_document(staff.clerk, document, expected_version=document.lock_version)
    document.refresh_from_db()
    assert document.number is None and document.status == Status.APPROVED


def test_without_any_certificate_the_document_is_issued_marked_unsigned(
    org: Org, staff: Staff
) -> None:
    document = approved(org, staff)
    issued = services.issue_document(staff.clerk, document, expected_version=document.lock_version)
    assert issued.status == Status.ISSUED and not issued.digitally_signed


def test_the_page_says_in_vietnamese_that_nothing_was_issued(
    org: Org, staff: Staff, pki: None, settings: Any
) -> None:
    from django.test import Client
    from django.urls import reverse

    from egov.accounts.tests.helpers import sign_in_verified

    settings.EGOV_SIGNATURES_REMOTE_WAIT_SECONDS = 0  # the signer never confirms
    document = approved(org, staff)
    client = Client()
    sign_in_verified(client, staff.clerk)
    answer = client.post(
        reverse("outgoing:issue", args=[document.reference]),
        {"lock_version": document.lock_version, "pin": ""},
        follow=True,
    )
    page = answer.content.decode()
    assert "không xác nhận trên điện thoại" in page, page[-3000:]
    assert 'id="reserved-number">01/QĐ-STP<' in page
    document.refresh_from_db()
    assert document.status == Status.APPROVED and document.issued_pdf is None
    # With the token's PIN typed at the desk, the same number is issued.
    answer = client.post(
        reverse("outgoing:issue", args=[document.reference]),
        {"lock_version": document.lock_version, "pin": USER_PIN},
        follow=True,
    )
    assert 'id="signed-flag"' in answer.content.decode()
    document.refresh_from_db()
    assert document.digitally_signed and document.number_and_symbol == "01/QĐ-STP"
