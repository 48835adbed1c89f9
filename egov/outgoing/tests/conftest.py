"""Fixtures of the outgoing-document tests: the incoming side's organisation (two
agencies on the platform with their units and staff) plus a chain to walk."""

from __future__ import annotations

import pytest

from egov.documents.doctypes import ensure_document_types
from egov.documents.tests.factories import Org, Staff, build_org, build_staff
from egov.outgoing.chains import ensure_default_chain


@pytest.fixture
def org(db: None) -> Org:
    ensure_document_types()  # present after migrate; flushed databases need them again
    ensure_default_chain()
    return build_org()


@pytest.fixture
def staff(org: Org) -> Staff:
    return build_staff(org)
