"""Approval with the leader's key: the report's PDF is signed (PAdES) with the test
PKI; a wrong PIN refuses the approval and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from egov.reporting import services
from egov.reporting.models import EventKind, Report, Status
from egov.signatures.errors import SignatureError
from egov.signatures.tests.conftest import USER_PIN, pki_settings  # noqa: F401 (fixture)

Q1 = "2020-Q1"


@pytest.fixture
def keys(org: Any, people: Any, pki_settings: dict[str, Any], settings: Any) -> None:  # noqa: F811
    from egov.signatures import testpki

    testpki.make(user_pin=USER_PIN)


def _submitted(people: Any, org: Any, quarterly: Any) -> Report:
    report = services.create_report(people.commune_clerk, quarterly, org.commune, Q1)
    report = services.save_figures(
        people.commune_clerk,
        report,
        values={"pakn_tiep_nhan": "2", "pakn_da_xu_ly": "2"},
        texts={"danh_gia": "Đạt."},
    )
    return services.submit(people.commune_clerk, report, late_reason="Trễ.")


def test_the_leader_with_a_key_signs_the_report_on_approval(
    org: Any, people: Any, quarterly: Any, keys: None
) -> None:
    report = _submitted(people, org, quarterly)
    with pytest.raises(SignatureError):
        services.approve(people.commune_leader, report, pin="000000")
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED and report.signed_pdf is None
    approved = services.approve(people.commune_leader, report, pin=USER_PIN)
    assert approved.status == Status.APPROVED and approved.is_signed
    assert approved.signed_pdf is not None
    signed = bytes(approved.signed_pdf)
    assert signed.startswith(b"%PDF") and b"/ByteRange" in signed
    kinds = list(approved.events.values_list("kind", flat=True))
    assert kinds[-2:] == [EventKind.APPROVED, EventKind.SIGNED]
