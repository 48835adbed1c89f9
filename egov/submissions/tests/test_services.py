from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from egov.accounts.models import AccountKind, User
from egov.core.models import AuditEntry
from egov.dossiers import services as dossier_services
from egov.dossiers.errors import IdempotencyKeyReused
from egov.dossiers.models import Channel, Dossier, Status
from egov.dossiers.tests.factories import World, at
from egov.submissions import selectors, services
from egov.submissions.errors import DraftClosed, StaleDraft
from egov.submissions.models import Draft, DraftStatus, Submission, WalletDocument, WalletSource

from .conftest import APPLICANT, BIRTH_ANSWERS, fake_pdf, pdf_bytes, pdf_upload, png_bytes

pytestmark = pytest.mark.django_db


def ready_draft(world: World, user: User | None = None) -> Draft:
    user = user or world.staff.citizen
    draft = services.start_draft(user, world.version, agency=world.org.district)
    services.save_draft(
        user, draft, expected_version=draft.version, applicant=APPLICANT, answers=BIRTH_ANSWERS
    )
    required = [p for p in world.papers if not p.is_optional]
    services.save_papers(
        user,
        draft,
        expected_version=draft.version,
        uploads={p.pk: pdf_upload(f"paper-{p.position}.pdf", p.name) for p in required},
    )
    return draft


def test_prefill_from_profile_and_last_dossier(world: World) -> None:
    citizen = world.staff.citizen
    values = selectors.prefill_applicant(citizen)
    assert values["name"] == "Nguyễn Văn An"
    assert values["id_number"] == "091090001234"
    assert values["phone"] == "0912345678"
    assert values["address"] == ""
    dossier_services.submit_online(
        citizen,
        version=world.version,
        agency=world.org.district,
        papers=[
            dossier_services.PaperIn(required_paper=p.pk, copies=p.copies, form=p.form)
            for p in world.papers
            if not p.is_optional
        ],
        applicant=dossier_services.ApplicantIn(
            name="Nguyễn Văn An", id_number="091090001234", address="45 Lê Lợi, Rạch Giá"
        ),
    )
    draft = services.start_draft(citizen, world.version)
    assert draft.applicant["address"] == "45 Lê Lợi, Rạch Giá"


def test_staff_cannot_start_a_draft(world: World) -> None:
    with translation.override("en"), pytest.raises(PermissionDenied, match="citizens and"):
        services.start_draft(world.staff.clerk, world.version)


def test_agency_must_carry_out_the_procedure(world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        services.start_draft(world.staff.citizen, world.version, agency=world.org.other_district)
    assert "agency" in caught.value.message_dict


def test_stale_save_from_another_tab_is_refused_and_changes_nothing(world: World) -> None:
    citizen = world.staff.citizen
    draft = services.start_draft(citizen, world.version, agency=world.org.district)
    seen = draft.version
    services.save_draft(citizen, draft.pk, expected_version=seen, applicant=APPLICANT)
    with pytest.raises(StaleDraft) as caught:
        services.save_draft(citizen, draft.pk, expected_version=seen, answers=BIRTH_ANSWERS)
    assert caught.value.current == seen + 1
    fresh = Draft.objects.get(pk=draft.pk)
    assert fresh.answers == {}
    assert fresh.applicant["address"] == APPLICANT["address"]
    assert fresh.version == seen + 1


def test_someone_elses_draft_is_refused(world: World) -> None:
    draft = services.start_draft(world.staff.citizen, world.version)
    other = User.objects.create_user("079090001111", None, full_name="B", kind=AccountKind.CITIZEN)
    with pytest.raises(PermissionDenied):
        services.save_draft(other, draft.pk, expected_version=draft.version, answers={})
    with pytest.raises(Draft.DoesNotExist):
        selectors.draft_for(other, draft.pk)


def test_uploads_are_checked_by_content(world: World) -> None:
    citizen = world.staff.citizen
    draft = services.start_draft(citizen, world.version, agency=world.org.district)
    first, second, third = world.papers[:3]
    empty = SimpleUploadedFile("empty.pdf", b"", content_type="application/pdf")
    with translation.override("en"):
        saved, errors = services.save_papers(
            citizen,
            draft,
            expected_version=draft.version,
            uploads={first.pk: pdf_upload(), second.pk: fake_pdf(), third.pk: empty},
        )
    assert set(errors) == {second.pk, third.pk}
    assert "Windows program" in errors[second.pk]
    assert "empty" in errors[third.pk]
    assert set(selectors.files_by_paper(saved)) == {first.pk}
    assert selectors.files_by_paper(saved)[first.pk].content_type == "application/pdf"


def test_oversized_upload_is_refused(world: World, settings: Any) -> None:
    settings.EGOV_MAX_UPLOAD_BYTES = 1000
    citizen = world.staff.citizen
    draft = services.start_draft(citizen, world.version, agency=world.org.district)
    big = SimpleUploadedFile("big.pdf", pdf_bytes(pages=30), content_type="application/pdf")
    assert (big.size or 0) > 1000
    with translation.override("en"):
        _saved, errors = services.save_papers(
            citizen, draft, expected_version=draft.version, uploads={world.papers[0].pk: big}
        )
    assert "the limit is" in errors[world.papers[0].pk]


def test_submit_creates_an_online_dossier_with_answers_and_fills_the_wallet(world: World) -> None:
    citizen = world.staff.citizen
    draft = ready_draft(world)
    dossier, created = services.submit_draft(citizen, draft.pk)
    assert created
    assert dossier.status == Status.SUBMITTED
    assert dossier.channel == Channel.ONLINE
    assert dossier.code and not dossier.code.startswith("~")
    assert dossier.applicant == citizen
    assert dossier.papers.exclude(file="").count() == 3
    submission = Submission.objects.get(dossier=dossier)
    assert submission.answers["ho_ten_tre"] == "Nguyễn Thị Mai"
    assert submission.schema_number == 1
    assert Draft.objects.get(pk=draft.pk).status == DraftStatus.SUBMITTED
    wallet = WalletDocument.objects.filter(owner=citizen)
    assert wallet.count() == 3
    assert set(wallet.values_list("source", flat=True)) == {WalletSource.DOSSIER_PAPER}
    paper = dossier.papers.exclude(file="").first()
    assert paper is not None
    with paper.file.open("rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() in set(
            wallet.values_list("sha256", flat=True)
        )
    assert AuditEntry.objects.filter(action="submissions.submit").count() == 1
    with pytest.raises(DraftClosed):
        services.save_draft(citizen, draft.pk, expected_version=99, answers={})


def test_double_submit_makes_one_dossier(world: World) -> None:
    citizen = world.staff.citizen
    draft = ready_draft(world)
    seen = Draft.objects.get(pk=draft.pk).version
    first, created_first = services.submit_draft(citizen, draft.pk, expected_version=seen)
    again, created_again = services.submit_draft(citizen, draft.pk, expected_version=seen)
    assert created_first and not created_again
    assert again.pk == first.pk
    assert Dossier.objects.count() == 1


def test_idempotency_key_gives_the_same_dossier_and_refuses_another_request(world: World) -> None:
    citizen = world.staff.citizen
    draft = ready_draft(world)
    fp = services.submit_fingerprint(draft.pk)
    first, _c = services.submit_draft(citizen, draft.pk, idempotency_key="k-1", fingerprint=fp)
    again, created = services.submit_draft(citizen, draft.pk, idempotency_key="k-1", fingerprint=fp)
    assert again.pk == first.pk and not created
    with pytest.raises(IdempotencyKeyReused):
        services.submit_draft(citizen, draft.pk, idempotency_key="k-1", fingerprint="other")


def test_incomplete_draft_is_refused_and_nothing_recorded(world: World) -> None:
    citizen = world.staff.citizen
    draft = services.start_draft(citizen, world.version, agency=world.org.district)
    services.save_draft(citizen, draft, expected_version=draft.version, applicant=APPLICANT)
    with pytest.raises(ValidationError) as caught:
        services.submit_draft(citizen, draft.pk)
    assert "declaration" in caught.value.message_dict
    assert Dossier.objects.count() == 0


def test_wallet_document_is_copied_into_a_new_submission(world: World) -> None:
    citizen = world.staff.citizen
    document, created = services.upload_to_wallet(
        citizen, SimpleUploadedFile("cccd.png", png_bytes(), content_type="image/png")
    )
    assert created and document.content_type == "image/png"
    again, created_again = services.upload_to_wallet(
        citizen, SimpleUploadedFile("cccd-2.png", png_bytes(), content_type="image/png")
    )
    assert again.pk == document.pk and not created_again
    draft = ready_draft(world)
    optional = next(p for p in world.papers if p.is_optional)
    saved, errors = services.save_papers(
        citizen,
        draft.pk,
        expected_version=Draft.objects.get(pk=draft.pk).version,
        wallet_picks={optional.pk: document.pk},
    )
    assert not errors
    row = selectors.files_by_paper(saved)[optional.pk]
    assert row.file.name != document.file.name
    dossier, _created = services.submit_draft(citizen, draft.pk)
    paper = dossier.papers.get(required_paper=optional)
    assert paper.file.name != document.file.name
    with paper.file.open("rb") as handle:
        assert handle.read() == png_bytes()
    services.delete_wallet_document(citizen, document)
    with paper.file.open("rb") as handle:
        assert handle.read() == png_bytes()


def test_wallet_belongs_to_its_owner(world: World) -> None:
    citizen = world.staff.citizen
    document, _created = services.upload_to_wallet(citizen, pdf_upload())
    other = User.objects.create_user("079090001111", None, full_name="B", kind=AccountKind.CITIZEN)
    with pytest.raises(PermissionDenied):
        services.delete_wallet_document(other, document)
    draft = services.start_draft(other, world.version, agency=world.org.district)
    _saved, errors = services.save_papers(
        other, draft, expected_version=draft.version, wallet_picks={world.papers[0].pk: document.pk}
    )
    assert world.papers[0].pk in errors


def test_result_paper_lands_in_the_applicants_wallet(world: World, monkeypatch: Any) -> None:
    from egov.dossiers.tests.factories import FrozenClock

    clock = FrozenClock(at("2026-03-02", "08:00"))
    monkeypatch.setattr(dossier_services.inputs, "now", clock)
    citizen = world.staff.citizen
    dossier, _created = services.submit_draft(citizen, ready_draft(world).pk)
    staff = world.staff
    dossier_services.accept_online(staff.clerk, dossier, expected_version=dossier.version)
    dossier_services.forward(
        staff.clerk, dossier, expected_version=dossier.version, to_user=staff.specialist
    )
    dossier_services.forward(staff.specialist, dossier, expected_version=dossier.version)
    dossier_services.forward(staff.head, dossier, expected_version=dossier.version)
    result = SimpleUploadedFile(
        "giay-khai-sinh.pdf", pdf_bytes("KET QUA"), content_type="application/pdf"
    )
    before = WalletDocument.objects.filter(owner=citizen).count()
    dossier_services.mark_result_ready(
        staff.leader,
        dossier,
        expected_version=dossier.version,
        result_papers=[dossier_services.PaperIn(name="Giấy khai sinh (bản chính)", file=result)],
    )
    results = WalletDocument.objects.filter(owner=citizen, source=WalletSource.RESULT)
    assert results.count() == 1
    assert results.get().source_dossier == dossier
    assert results.get().name.endswith(".pdf")
    assert WalletDocument.objects.filter(owner=citizen).count() == before + 1
    dossier_services.return_result(staff.clerk, dossier, expected_version=dossier.version)
    assert results.count() == 1  # deduplicated by content


def test_delete_draft(world: World) -> None:
    citizen = world.staff.citizen
    draft = ready_draft(world)
    services.delete_draft(citizen, draft.pk)
    assert not Draft.objects.filter(pk=draft.pk).exists()


def test_schema_editing_requires_the_catalogue_permission(world: World) -> None:
    from egov.submissions.demo import birth_registration

    schema, layout = birth_registration()
    with pytest.raises(PermissionDenied):
        services.save_form_schema(world.staff.clerk, world.version.procedure, schema=schema)
    row, created = services.save_form_schema(
        None, world.version.procedure, schema=schema, layout=layout
    )
    assert not created and row.number == 1
    schema["properties"]["ghi_chu"] = {"type": "string"}
    row2, created2 = services.save_form_schema(
        None, world.version.procedure, schema=schema, layout=layout
    )
    assert created2 and row2.number == 2
    draft_before = ready_draft(world)
    assert draft_before.form_schema is not None and draft_before.form_schema.number == 2


def test_procedure_without_a_form_gets_the_generic_declaration(world: World) -> None:
    from egov.dossiers.tests.factories import make_version

    version = make_version(national_code="2.000635", name="Cấp bản sao trích lục hộ tịch")
    version.agencies.set([world.org.district])
    citizen = world.staff.citizen
    draft = services.start_draft(citizen, version, agency=world.org.district)
    assert draft.form_schema is None
    assert "declaration" not in selectors.steps_of(draft)
    services.save_draft(citizen, draft, expected_version=draft.version, applicant=APPLICANT)
    services.save_papers(
        citizen,
        draft,
        expected_version=draft.version,
        uploads={p.pk: pdf_upload() for p in version.papers.filter(is_optional=False)},
    )
    dossier, created = services.submit_draft(citizen, draft.pk)
    assert created and dossier.submission.answers == {}


def test_submission_records_vneid_and_where_each_paper_came_from(world: World) -> None:
    """Once-only flags (index 766): a paper picked from the wallet is marked so, an
    uploaded one as uploaded, and a citizen signed in through VNeID is flagged."""
    from egov.dossiers.models import PaperOrigin
    from egov.identity.services import provider_device

    citizen = world.staff.citizen
    document, _created = services.upload_to_wallet(citizen, pdf_upload("cccd.pdf", "CCCD"))
    draft = ready_draft(world)
    picked = next(p for p in world.papers if not p.is_optional)
    services.save_papers(
        citizen,
        draft,
        expected_version=Draft.objects.get(pk=draft.pk).version,
        wallet_picks={picked.pk: document.pk},
    )
    citizen.otp_device = provider_device(citizen, "vneid")  # type: ignore[attr-defined]
    dossier, _created = services.submit_draft(citizen, draft.pk)
    origins = dict(dossier.papers.values_list("required_paper_id", "origin"))
    assert origins.pop(picked.pk) == PaperOrigin.WALLET
    assert set(origins.values()) == {PaperOrigin.UPLOAD}
    assert dossier.applicant_vneid is True
    other = ready_draft(world)
    del citizen.otp_device  # type: ignore[attr-defined]
    plain, _created = services.submit_draft(citizen, other.pk)
    assert plain.applicant_vneid is False
