"""The demo outgoing documents, against the real demo organisation tree."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from egov.accounts import demo as accounts_demo
from egov.accounts.models import User
from egov.documents.contract import ReceiptStatusCode
from egov.outgoing import selectors
from egov.outgoing.demo import load_demo_outgoing
from egov.outgoing.models import DeliveryStatus, OutgoingDocument, Status
from egov.signatures.tests.conftest import pki_settings  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def test_the_demo_loads_once_through_the_services() -> None:
    call_command("load_demo_units", stdout=io.StringIO())
    accounts_demo.load_demo_accounts()
    assert "documents of Sở Tư pháp" in load_demo_outgoing()
    assert load_demo_outgoing() == "already loaded"
    statuses = set(OutgoingDocument.objects.values_list("status", flat=True))
    assert statuses == {
        Status.DRAFTING,
        Status.IN_REVIEW,
        Status.APPROVED,
        Status.ISSUED,
        Status.RECALLED,
    }
    numbers = OutgoingDocument.objects.filter(confidentiality="normal", number__isnull=False)
    assert sorted(n or 0 for n in numbers.values_list("number", flat=True)) == [1, 2, 3]
    letter = OutgoingDocument.objects.get(number=1, confidentiality="normal")
    assert letter.number_and_symbol == "01/STP"
    [office] = selectors.recipient_rows(letter)
    assert office.status == ReceiptStatusCode.REGISTERED
    assert OutgoingDocument.objects.filter(
        recipients__delivery=DeliveryStatus.WAITING_EXCHANGE
    ).exists()
    assert selectors.to_issue(User.objects.get(username="vanthu.stp")).count() == 1
    assert len(selectors.waiting_for(User.objects.get(username="truongphong.stp"))) == 1


def test_the_demo_issues_its_documents_signed_with_the_test_pki(
    pki_settings: dict[str, object],  # noqa: F811
) -> None:
    from egov.signatures.apps import load_demo_pki
    from egov.signatures.verification import verify_pdf

    call_command("load_demo_units", stdout=io.StringIO())
    accounts_demo.load_demo_accounts()
    out = io.StringIO()
    load_demo_pki(out)
    assert "Test PKI:" in out.getvalue() and "skipped" not in out.getvalue()
    load_demo_outgoing()
    issued = OutgoingDocument.objects.filter(status__in=[Status.ISSUED, Status.RECALLED])
    assert issued.count() == 4
    assert all(document.digitally_signed for document in issued)
    report = verify_pdf(bytes(issued.filter(number=1).first().issued_pdf or b""))  # type: ignore[union-attr]
    assert report.ok and len(report.signatures) == 2, report.as_dict()


def test_the_demo_has_a_one_stop_result_issued_signed_through_the_bridge(
    pki_settings: dict[str, object],  # noqa: F811
) -> None:
    import time

    from egov.dossiers.models import Dossier
    from egov.dossiers.models import Status as DossierStatus
    from egov.outgoing.demo_one_stop import load_demo_signed_result
    from egov.signatures.apps import load_demo_pki
    from egov.signatures.verification import verify_pdf

    call_command("load_demo_units", stdout=io.StringIO())
    accounts_demo.load_demo_accounts()
    call_command("load_demo_procedures", verbosity=0)
    load_demo_pki(io.StringIO())
    started = time.perf_counter()
    made = load_demo_signed_result()
    print(f"load_demo_signed_result: {time.perf_counter() - started:.1f} s")
    assert "issued signed" in made, made
    assert load_demo_signed_result() == "already loaded"
    document = OutgoingDocument.objects.get(dossier_purpose="result")
    assert document.status == Status.ISSUED and document.digitally_signed
    dossier = Dossier.objects.get(code=document.dossier_code)
    assert dossier.status == DossierStatus.RESULT_READY
    [paper] = dossier.papers.filter(is_result=True)
    with paper.file.open("rb") as handle:
        pdf = handle.read()
    report = verify_pdf(pdf)
    assert report.ok and len(report.signatures) == 2, report.as_dict()
    assert document.number_and_symbol in paper.name
