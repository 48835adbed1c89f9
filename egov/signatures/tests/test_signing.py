"""Signing with each kind of key: poppler's pdfsig (independent) and pyHanko's
validator agree that every signature is valid and its certificate trusted."""

from __future__ import annotations

import re
from pathlib import Path

from egov.core.models import AuditEntry
from egov.signatures import services, simulator
from egov.signatures.models import KeyKind, SimulatedRemoteRequest
from egov.signatures.tests.conftest import USER_PIN, World, one_page_pdf
from egov.signatures.tests.pdfsig import assert_independently_valid
from egov.signatures.verification import verify_pdf


def assert_pdfsig_all_valid(signed: bytes, folder: Path, count: int) -> None:
    assert_independently_valid(signed, folder, count)


def test_token_signature_is_valid_for_pdfsig_and_pyhanko(world: World, tmp_path: Path) -> None:
    holder = services.holder_for_person(world.leader, pin=USER_PIN)
    signed = services.sign_pdf(one_page_pdf(), holder=holder, actor=world.leader)
    assert_pdfsig_all_valid(signed, tmp_path, 1)
    report = verify_pdf(signed)
    assert report.ok, report.as_dict()
    (sig,) = report.signatures
    assert sig.signer == "Nguyễn Văn Bình"
    assert sig.organisation == "Sở Thông tin và Truyền thông"
    assert sig.trusted and sig.intact and sig.revocation == "good"
    assert sig.timestamp_ok and re.fullmatch(
        r"\d\d:\d\d:\d\d \d\d/\d\d/\d{4} \+07:00", sig.timestamp
    )
    assert len(sig.chain) == 3
    entry = AuditEntry.objects.filter(action="signatures.signed").get()
    assert entry.changes["key"] == KeyKind.TOKEN and entry.changes["level"] == "B-T"


def test_agency_key_b_lt_embeds_revocation_data(world: World, tmp_path: Path) -> None:
    holder = services.holder_for_agency(world.agency)
    signed = services.sign_pdf(one_page_pdf(), holder=holder, actor=None, level="B-LT")
    assert b"/DSS" in signed
    assert_pdfsig_all_valid(signed, tmp_path, 1)
    report = verify_pdf(signed)
    assert report.ok, report.as_dict()
    assert report.signatures[0].organisation == "Sở Thông tin và Truyền thông"


def test_remote_signing_waits_for_the_phone(world: World, tmp_path: Path) -> None:
    polls: list[float] = []

    def user_confirms_while_we_wait(seconds: float) -> None:
        polls.append(seconds)
        pending = SimulatedRemoteRequest.objects.get(account=world.leader.username)
        simulator.confirm(pending, accept=True)

    holder = services.holder_for_person(
        world.leader,
        kind=KeyKind.REMOTE,
        description="Quyết định 12/QĐ-STTTT",
        sleep=user_confirms_while_we_wait,
    )
    signed = services.sign_pdf(one_page_pdf(), holder=holder, actor=world.leader)
    assert len(polls) == 1
    assert_pdfsig_all_valid(signed, tmp_path, 1)
    assert verify_pdf(signed).ok


def test_two_signatures_as_incremental_updates(world: World, tmp_path: Path) -> None:
    leader = services.holder_for_person(world.leader, pin=USER_PIN)
    once = services.sign_pdf(one_page_pdf(), holder=leader, actor=world.leader)
    twice = services.sign_pdf(
        once, holder=services.holder_for_agency(world.agency), actor=None, level="B-LT"
    )
    assert twice.startswith(once)  # the first revision is kept byte for byte
    assert_pdfsig_all_valid(twice, tmp_path, 2)
    report = verify_pdf(twice)
    assert report.ok, report.as_dict()
    first, second = report.signatures
    assert first.modification == "form_filling" and not first.covers_whole_file
    # B-LT: the revocation data is added after the signature, in a later revision.
    assert second.modification == "lta_updates"


def test_b_lt_verifies_from_its_own_revocation_data_when_sources_are_down(world: World) -> None:
    from egov.signatures.models import RevocationSource

    holder = services.holder_for_agency(world.agency)
    long_term = services.sign_pdf(one_page_pdf(), holder=holder, actor=None, level="B-LT")
    plain = services.sign_pdf(one_page_pdf(), holder=holder, actor=None)
    RevocationSource.objects.update(enabled=False)  # the CA's CRL and OCSP are unreachable
    report = verify_pdf(long_term)
    assert report.ok, report.as_dict()
    assert report.signatures[0].revocation == "good"
    # A B-T signature carries no revocation data: its status cannot be known now.
    (sig,) = verify_pdf(plain).signatures
    assert not sig.ok and sig.revocation == "unknown"
    assert sig.problems, sig
