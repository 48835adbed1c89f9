"""The one-stop bridge: a dossier step drafts its result decision as an outgoing
document; issuing it (signed) puts the number and the signed PDF on the dossier
and makes the result ready; a dossier not ready keeps the document issued and
says why on it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from egov.accounts.permissions import RoleCode
from egov.core.models import AuditEntry
from egov.documents.doctypes import ensure_document_types
from egov.dossiers import services as dossier_services
from egov.dossiers.models import Status as DossierStatus
from egov.dossiers.tests.factories import World, build_world, receive, staff_member
from egov.outgoing import services
from egov.outgoing.models import DossierPurpose, EventKind, OutgoingDocument, Status, StepScope
from egov.outgoing.services import StepIn, bridge, set_chain
from egov.signatures import simulator
from egov.signatures.models import SimulatedRemoteRequest
from egov.signatures.tests.conftest import pki_settings  # noqa: F401 - fixture
from egov.signatures.verification import verify_pdf

pytestmark = pytest.mark.django_db


@dataclass
class Desk:
    world: World
    specialist: Any  # the district's specialist, who handles step 2
    records_clerk: Any  # the district's văn thư, who issues


@pytest.fixture
def desk() -> Desk:
    return build_desk()


def build_desk() -> Desk:
    ensure_document_types()
    world = build_world(template=False)
    district = world.org.district
    district.short_name = "UBND"
    district.save(update_fields=["short_name"])
    set_chain(
        None,
        agency=district,
        type_code="",
        name="Chủ tịch duyệt ký",
        steps=[
            StepIn(
                name="Lãnh đạo duyệt ký",
                role_code=RoleCode.AGENCY_LEADER,
                scope=StepScope.AGENCY,
                signs=True,
            )
        ],
    )
    specialist = staff_member("cv.rachgia", RoleCode.SPECIALIST, district, "Đặng Văn Khoa")
    clerk = staff_member("vanthu.rachgia", RoleCode.RECORDS_CLERK, district, "Mai Thị Lan")
    return Desk(world=world, specialist=specialist, records_clerk=clerk)


def at_specialist(desk: Desk) -> Any:
    dossier = receive(desk.world)
    dossier_services.forward(desk.world.staff.clerk, dossier, expected_version=dossier.version)
    return dossier


def approve_result(desk: Desk, document: OutgoingDocument) -> OutgoingDocument:
    document = services.submit(desk.specialist, document, expected_version=document.lock_version)
    return services.approve(
        desk.world.staff.leader, document, expected_version=document.lock_version
    )


def confirm_on_phone(_seconds: float) -> None:
    pending = SimulatedRemoteRequest.objects.filter(status="pending").latest("created_at")
    simulator.confirm(pending, accept=True)


def test_issuing_the_result_decision_signed_makes_the_dossier_result_ready(
    desk: Desk,
    pki_settings: dict[str, Any],  # noqa: F811
) -> None:
    from egov.signatures import testpki

    dossier = at_specialist(desk)
    document = bridge.draft_for_dossier(desk.specialist, dossier.code, purpose="result")
    assert document.dossier_code == dossier.code
    assert document.drafting_unit == desk.world.org.district
    assert dossier.code in document.subject and document.signer_name == "Võ Văn Em"
    assert document.authority == "TM." and document.signer_position == "CHỦ TỊCH"
    # A double submit gives the same draft.
    again = bridge.draft_for_dossier(desk.specialist, dossier.code, purpose="result")
    assert again.pk == document.pk
    # The specialist passes the dossier to the chairman, who approves the decision.
    dossier_services.forward(desk.specialist, dossier, expected_version=dossier.version)
    document = approve_result(desk, document)
    testpki.make(user_pin="")
    issued = services.issue_document(
        desk.records_clerk,
        document,
        expected_version=document.lock_version,
        remote={"sleep": confirm_on_phone},
    )
    assert issued.digitally_signed and issued.number_and_symbol == "01/QĐ-UBND"
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.RESULT_READY
    [paper] = dossier.papers.filter(is_result=True)
    assert paper.name == "Quyết định số 01/QĐ-UBND"
    with paper.file.open("rb") as handle:
        on_dossier = handle.read()
    assert on_dossier == bytes(issued.issued_pdf or b"")
    assert verify_pdf(on_dossier).ok
    issued.refresh_from_db()
    assert "01/QĐ-UBND" in issued.dossier_outcome
    assert issued.events.filter(kind=EventKind.DOSSIER_UPDATED).count() == 1
    assert AuditEntry.objects.filter(action="outgoing.dossier_updated").count() == 1


def test_a_dossier_not_at_its_last_step_keeps_the_document_issued_and_says_why(
    desk: Desk,
) -> None:
    dossier = at_specialist(desk)
    document = bridge.draft_for_dossier(desk.specialist, dossier.code, purpose="result")
    document = approve_result(desk, document)  # the dossier is still at the specialist
    issued = services.issue_document(
        desk.records_clerk, document, expected_version=document.lock_version
    )
    assert issued.status == Status.ISSUED
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.PROCESSING
    assert not dossier.papers.filter(is_result=True).exists()
    issued.refresh_from_db()
    assert issued.dossier_outcome.startswith("Chưa đưa")
    assert AuditEntry.objects.filter(action="outgoing.dossier_update_failed").count() == 1


def test_only_the_unit_handling_the_dossier_drafts_for_it(desk: Desk) -> None:
    dossier = at_specialist(desk)
    with pytest.raises(PermissionDenied):
        bridge.draft_for_dossier(desk.world.staff.outsider, dossier.code, purpose="result")
    with pytest.raises(PermissionDenied):  # sees the dossier, but it is not at the desk now
        bridge.draft_for_dossier(desk.world.staff.clerk, dossier.code, purpose="result")
    assert not OutgoingDocument.objects.filter(dossier_purpose=DossierPurpose.RESULT).exists()


def test_the_dossier_page_offers_the_draft_and_links_it(desk: Desk) -> None:
    from django.test import Client
    from django.urls import reverse

    from egov.accounts.tests.helpers import sign_in_verified

    dossier = at_specialist(desk)
    client = Client()
    sign_in_verified(client, desk.specialist)
    page_url = reverse("dossiers_staff:detail", args=[dossier.code])
    page = client.get(page_url).content.decode()
    assert "Văn bản của hồ sơ" in page and "Soạn quyết định giải quyết" in page
    answer = client.post(
        reverse("outgoing:from_dossier", args=[dossier.code]), {"purpose": "result"}
    )
    document = OutgoingDocument.objects.get(dossier_code=dossier.code)
    assert answer.status_code == 302
    assert answer["Location"] == reverse("outgoing:detail", args=[document.reference])
    detail = client.get(answer["Location"]).content.decode()
    assert dossier.code in detail and "Hồ sơ một cửa" in detail
    page = client.get(page_url).content.decode()
    assert "(chưa phát hành)" in page
    # Someone who may not see the dossier is refused and nothing is made.
    outsider = Client()
    sign_in_verified(outsider, desk.world.staff.outsider)
    outsider.post(reverse("outgoing:from_dossier", args=[dossier.code]), {"purpose": "result"})
    assert OutgoingDocument.objects.filter(dossier_code=dossier.code).count() == 1


def test_the_api_drafts_for_a_dossier_once(desk: Desk) -> None:
    import json

    from django.test import Client

    from egov.accounts.tests.helpers import sign_in_verified

    dossier = at_specialist(desk)
    client = Client()
    sign_in_verified(client, desk.specialist)
    url = f"/api/v1/outgoing/dossiers/{dossier.code}/drafts"
    first = client.post(
        url, data=json.dumps({"purpose": "result"}), content_type="application/json"
    )
    assert first.status_code == 200, first.content
    body = first.json()
    assert body["dossier_code"] == dossier.code and body["dossier_purpose"] == "result"
    assert body["status"] == "drafting" and not body["number_reserved"]
    again = client.post(
        url, data=json.dumps({"purpose": "result"}), content_type="application/json"
    )
    assert again.json()["reference"] == body["reference"]
    refused = client.post(
        url, data=json.dumps({"purpose": "thank_you"}), content_type="application/json"
    )
    assert refused.status_code == 422
    outsider = Client()
    sign_in_verified(outsider, desk.world.staff.outsider)
    denied = outsider.post(
        url, data=json.dumps({"purpose": "result"}), content_type="application/json"
    )
    assert denied.status_code == 403 and denied.json()["code"]
