from __future__ import annotations

import pytest

from egov.outgoing.outside import document_for_exchange

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("reference", ["office:101", "101", "", "not-a-uuid"])
def test_a_reference_that_is_not_ours_names_no_document(reference: str) -> None:
    # Other apps' delivery references reach the exchange's status hook; on PostgreSQL
    # a non-UUID used to raise in the query instead of meaning "not an outgoing one".
    assert document_for_exchange(reference) is None


def test_an_unknown_uuid_names_no_document() -> None:
    assert document_for_exchange("6f1c1d57-9a3e-4a4b-8c39-3c0f7d2f3a11") is None
