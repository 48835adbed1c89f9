"""The admin shows chains and documents read-only (changes go through services)."""

from __future__ import annotations

import pytest
from django.test import Client

from egov.accounts.models import User
from egov.accounts.tests.helpers import sign_in_verified
from egov.documents.tests.factories import Org, Staff
from egov.outgoing.models import ApprovalChain
from egov.outgoing.tests.factories import issued

pytestmark = pytest.mark.django_db


def test_the_admin_shows_but_does_not_change(org: Org, staff: Staff) -> None:
    document = issued(org, staff)
    secret = issued(org, staff, confidentiality="secret", subject="Văn bản tối mật")
    root = User.objects.create_superuser(username="root", password="x-Long-Pass-9")
    client = Client()
    sign_in_verified(client, root)
    chain = ApprovalChain.objects.get()
    for url in (
        "/admin/outgoing/approvalchain/",
        f"/admin/outgoing/approvalchain/{chain.pk}/change/",
        f"/admin/outgoing/outgoingdocument/{document.pk}/change/",
    ):
        assert client.get(url).status_code == 200, url
    listing = client.get("/admin/outgoing/outgoingdocument/").content.decode()
    assert document.subject in listing and secret.subject not in listing
    assert client.get("/admin/outgoing/approvalchain/add/").status_code == 403
