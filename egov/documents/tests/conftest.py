"""Fixtures of the incoming-document tests."""

from __future__ import annotations

import pytest

from egov.documents.doctypes import ensure_document_types
from egov.documents.tests.factories import Org, Staff, build_org, build_staff


@pytest.fixture
def org(db: None) -> Org:
    ensure_document_types()  # present after migrate; flushed databases need them again
    return build_org()


@pytest.fixture
def staff(org: Org) -> Staff:
    return build_staff(org)
