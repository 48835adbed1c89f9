"""Once-only flags set by the dossier write paths, and the sync to the national portal."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import override_settings
from django.utils import timezone

from egov.dossiers import services
from egov.dossiers.models import Channel, Dossier, PaperOrigin, Status
from egov.dossiers.services import PaperIn
from egov.dossiers.tests.factories import (
    World,
    applicant,
    build_world,
    complete_papers,
    dossier_in_status,
    receive,
)
from egov.quality import dvcqg, sync
from egov.quality.models import DossierSync, SyncMessage, SyncState

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return build_world()


def test_papers_record_their_origin(world: World, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    first, second, *rest = complete_papers(world)
    papers = [
        PaperIn(
            required_paper=first.required_paper,
            copies=first.copies,
            form=first.form,
            file=ContentFile(b"%PDF-1.4 scan", name="scan.pdf"),
        ),
        PaperIn(
            required_paper=second.required_paper,
            copies=second.copies,
            form=second.form,
            origin=PaperOrigin.LOOKUP,
        ),
        *rest,
    ]
    dossier = receive(world, papers=papers)
    origins = {p.required_paper_id: p.origin for p in dossier.papers.all()}
    assert origins[first.required_paper] == PaperOrigin.DESK_SCAN  # a file at the desk
    assert origins[second.required_paper] == PaperOrigin.LOOKUP  # as stated
    assert {origins[p.required_paper] for p in rest} == {PaperOrigin.NONE}  # paper only


def test_an_unknown_origin_is_not_recorded(world: World) -> None:
    first, *rest = complete_papers(world)
    odd = PaperIn(
        required_paper=first.required_paper, copies=first.copies, form=first.form, origin="x"
    )
    dossier = receive(world, papers=[odd, *rest])
    assert set(dossier.papers.values_list("origin", flat=True)) == {""}


def test_vneid_flag_needs_an_account(world: World) -> None:
    signed_in = receive(world, applicant=applicant(user=world.staff.citizen, vneid=True))
    anonymous = receive(world, applicant=applicant(vneid=True))
    assert signed_in.applicant_vneid is True
    assert anonymous.applicant_vneid is False


def test_identity_selector_reads_the_sign_in_device(world: World) -> None:
    from egov.identity import selectors as identity_selectors
    from egov.identity.services import provider_device

    user = world.staff.citizen
    assert identity_selectors.signed_in_with_identity_provider(user) is False
    user.otp_device = provider_device(user, "vneid")  # type: ignore[attr-defined]
    assert identity_selectors.signed_in_with_identity_provider(user) is True


def test_supplement_requests_are_counted_after_receipt(world: World) -> None:
    dossier = dossier_in_status(world, Status.PROCESSING)
    services.request_supplement(
        world.staff.specialist,
        dossier,
        expected_version=dossier.version,
        missing_papers=["Giấy xác nhận cư trú"],
    )
    dossier.refresh_from_db()
    assert dossier.supplement_requests == 1
    assert dossier.status == Status.SUPPLEMENT_REQUESTED


# --- sync ----------------------------------------------------------------------------------


def test_every_state_change_marks_the_dossier_for_sync(world: World) -> None:
    dossier = receive(world)
    row = DossierSync.objects.get(dossier=dossier)
    assert row.state == SyncState.PENDING and row.wanted_version == dossier.version


@override_settings(EGOV_DVCQG_TRANSPORT="inprocess", EGOV_SIMULATORS=True)
def test_push_until_acknowledged_and_record_what_was_sent(world: World) -> None:
    dossier = receive(world, channel=Channel.DESK)
    outcome = sync.push_pending()
    assert outcome == {"sent": 1, "acknowledged": 1}
    row = DossierSync.objects.get(dossier=dossier)
    assert row.state == SyncState.ACKNOWLEDGED and row.ever_acknowledged
    message = SyncMessage.objects.get(sync=row)
    sent = message.payload
    assert sent["MaHoSo"] == dossier.code
    assert sent["MaTTHC"] == "1.001193"
    assert sent["TrangThaiHoSo"] == Status.RECEIVED
    assert sent["KenhThucHien"] == 1
    assert len(sent["NgayTiepNhan"]) == 14 and sent["NgayTiepNhan"].isdigit()
    assert dvcqg.RECEIVED[dossier.code]["PhienBan"] == dossier.version
    # Nothing more to send until the dossier changes again.
    assert sync.push_pending() == {"sent": 0, "acknowledged": 0}


def test_a_failure_is_retried_later_and_shown(world: World, settings: Any) -> None:
    from egov.accounts.tests.helpers import english_client, sign_in_verified

    dossier = receive(world)

    def refuse(payload: dict[str, Any]) -> tuple[bool, str]:
        return False, "HTTP 503"

    assert sync.push_pending(send=refuse) == {"sent": 1, "acknowledged": 0}
    row = DossierSync.objects.get(dossier=dossier)
    assert row.state == SyncState.FAILED and row.attempts == 1
    assert row.next_attempt_at is not None
    assert row.next_attempt_at > timezone.now() + timedelta(seconds=30)
    # Not due yet: nothing is sent.
    assert sync.push_pending(send=refuse)["sent"] == 0
    # The operator sees it.
    operator = world.staff.leader
    operator.is_superuser = True
    operator.save()
    client = english_client()
    sign_in_verified(client, operator)
    page = client.get("/can-bo/chi-so-766/dong-bo-loi/")
    assert page.status_code == 200 and dossier.code in page.content.decode()
    # Later it goes through.
    DossierSync.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    assert sync.push_pending(send=lambda payload: (True, "ok"))["acknowledged"] == 1
    assert SyncMessage.objects.filter(sync=row).count() == 2


def test_interoperating_and_posting_states(world: World) -> None:
    consulted = dossier_in_status(world, Status.PROCESSING, consult_origin_unit=world.org.desk)
    ready = dossier_in_status(world, Status.RESULT_READY)
    assert dvcqg.text_state(consulted) == dvcqg.INTEROPERATING
    assert dvcqg.text_state(ready, posting=True) == dvcqg.POSTING
    assert dvcqg.text_state(ready) == "DA_XU_LY_XONG"


@override_settings(EGOV_SIMULATORS=True, EGOV_DVCQG_SECRET="s3cret")
def test_simulator_refuses_a_bad_signature_or_missing_fields(client: Any) -> None:
    from egov.core.integrations import HmacSha256Signer

    body = b'{"MaHoSo": "X"}'
    bad = client.post(
        dvcqg.SIMULATOR_PATH, body, content_type="application/json", HTTP_X_DVCQG_SIGNATURE="no"
    )
    assert bad.status_code == 401
    signature = HmacSha256Signer("s3cret").sign(body)
    missing = client.post(
        dvcqg.SIMULATOR_PATH,
        body,
        content_type="application/json",
        HTTP_X_DVCQG_SIGNATURE=signature,
    )
    assert missing.status_code == 422 and "MaTTHC" in missing.json()["error"]


def test_a_result_in_the_post_is_sent_as_posting(world: World) -> None:
    from egov.applicants.models import Parcel, ParcelState

    ready = dossier_in_status(world, Status.RESULT_READY)
    Parcel.objects.create(dossier=ready, reference="P-1", state=ParcelState.IN_TRANSIT)
    body = dvcqg.payload(dvcqg.dossier_for_sync(ready.pk))
    assert body["TrangThaiVanBan"] == dvcqg.POSTING and body["TrangThaiHoSo"] == 9


def test_demo_loader_acknowledges_and_leaves_a_few_failing(world: World) -> None:
    from egov.quality.demo import FAILING, load_demo_quality

    for _ in range(FAILING + 2):
        receive(world)
    message = load_demo_quality()
    assert message.startswith("2 dossier states acknowledged")
    states = list(DossierSync.objects.values_list("state", flat=True))
    assert states.count(SyncState.FAILED) == FAILING
    assert states.count(SyncState.ACKNOWLEDGED) == 2
    again = load_demo_quality()  # idempotent: the failed ones wait for their retry
    assert DossierSync.objects.filter(state=SyncState.ACKNOWLEDGED).count() == 2
    assert again


def test_the_api_takes_the_origin_of_a_paper(world: World) -> None:
    from egov.dossiers.tests.test_api import client_for as api_client
    from egov.dossiers.tests.test_api import create, create_body

    papers = create_body(world)["papers"]
    papers[0]["origin"] = "lookup"
    response = create(api_client(world.staff.clerk), world, papers=papers)
    assert response.status_code == 201, response.content
    dossier = Dossier.objects.get(code=response.json()["code"])
    assert dossier.papers.get(required_paper_id=papers[0]["required_paper"]).origin == "lookup"
    papers[0]["origin"] = "guessed"
    refused = create(api_client(world.staff.clerk), world, key="key-2", papers=papers)
    assert refused.status_code == 422


def test_dossiers_made_before_the_app_are_queued_once(world: World) -> None:
    from django.core.management import call_command

    old = dossier_in_status(world, Status.PROCESSING)  # written directly: no signal
    assert not DossierSync.objects.filter(dossier=old).exists()
    call_command("dvcqg_enqueue", stdout=io.StringIO())
    row = DossierSync.objects.get(dossier=old)
    assert row.state == SyncState.PENDING and row.wanted_version == old.version
    assert sync.enqueue_missing() == 0
