"""Signing with the agency's key held by the signatures app (SoftHSM2 token made by
the real ``make_test_pki`` code) and checking against its trust anchors."""

from __future__ import annotations

from typing import Any

import pytest
from lxml import etree

from egov.exchange import keys
from egov.exchange.edxml import build, dsig
from egov.exchange.services import common
from egov.exchange.tests.helpers import message
from egov.signatures.tests.conftest import World as SignatureWorld
from egov.signatures.tests.conftest import pki_settings, world  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def test_signed_with_the_agency_token_and_trusted(world: SignatureWorld, settings: Any) -> None:  # noqa: F811
    agency = world.agency
    data = common.sign_tree(
        build.message_tree(message("000.00.00.G22", sender=agency.code)), agency.code
    )
    build.validate(etree.fromstring(data))
    checked = dsig.verify(data)
    assert checked.valid, checked.reason
    assert checked.signer is not None and agency.name in checked.signer.subject.rfc4514_string()
    assert dsig.chains_to(checked.certificates, keys.anchors(), common.now()) == ""
    tampered = data.replace("Trần Văn Sơn".encode(), "Trần Văn Sáu".encode())
    assert not dsig.verify(tampered).valid


def test_an_agency_without_a_key_cannot_sign(world: SignatureWorld, settings: Any) -> None:  # noqa: F811
    from egov.signatures.errors import NoSigningKey

    settings.EGOV_DEMO = False  # the demo's file-key fallback is off outside the demo

    with pytest.raises(NoSigningKey):
        common.sign_tree(build.message_tree(message("000.00.00.G22")), world.province.code)
