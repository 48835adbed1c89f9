"""The admin is read-mostly: draft edits, publishing and new drafts go through the
services (and leave audit entries); published versions cannot be edited."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from egov.accounts.models import User
from egov.accounts.tests.helpers import english_client, sign_in_verified
from egov.core.models import AuditEntry
from egov.procedures import services
from egov.procedures.models import ProcedureVersion, ProcessTemplate, VersionStatus
from egov.procedures.tests.factories import Org
from egov.procedures.tests.test_process import record_steps

pytestmark = pytest.mark.django_db

VERSIONS = "/admin/procedures/procedureversion/"


def admin_client(user: User) -> Client:
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client = english_client()
    sign_in_verified(client, user)
    return client


def draft_form(version: ProcedureVersion, **changes: Any) -> dict[str, Any]:
    import json

    data = {
        "name": version.name,
        "field": version.field_id,
        "levels": json.dumps(version.levels),
        "online_level": version.online_level,
        "time_limit": str(version.time_limit),
        "time_limit_unit": version.time_limit_unit,
        "fees": json.dumps(version.fees, ensure_ascii=False),
        "result_type": version.result_type,
        "legal_basis": version.legal_basis,
        "papers-TOTAL_FORMS": "0",
        "papers-INITIAL_FORMS": "0",
        "papers-MIN_NUM_FORMS": "0",
        "papers-MAX_NUM_FORMS": "0",
    }
    data.update(changes)
    return data


def test_operator_edits_a_draft_through_the_service(
    criminal_record: ProcedureVersion, operator: User
) -> None:
    client = admin_client(operator)
    draft = services.new_version_from(None, criminal_record)
    url = f"{VERSIONS}{draft.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="time_limit"' in page.content.decode()
    response = client.post(url, draft_form(draft, time_limit="8"))
    assert response.status_code == 302, response.content.decode()[:3000]
    draft.refresh_from_db()
    assert draft.time_limit == 8
    entry = AuditEntry.objects.filter(action="procedures.draft_update").get()
    assert entry.actor == operator
    assert entry.changes["time_limit"] == ["10.00", "8.00"]
    # service rules show next to the field
    response = client.post(url, draft_form(draft, fees='[{"name": "x", "amount": -1}]'))
    assert response.status_code == 200
    assert "fees[0].amount: Must be a whole number of đồng" in response.content.decode()
    # the publication record (index 766, 1.1 and 1.2) is checked by the service too
    response = client.post(url, draft_form(draft, publication='{"decided_on": "9/2/2026"}'))
    assert response.status_code == 200
    assert "publication.decided_on: Write the date as YYYY-MM-DD." in response.content.decode()
    published = '{"decision": "12/QĐ-UBND", "decided_on": "2026-02-09"}'
    response = client.post(url, draft_form(draft, time_limit="8", publication=published))
    assert response.status_code == 302, response.content.decode()[:3000]
    draft.refresh_from_db()
    assert draft.publication == {"decision": "12/QĐ-UBND", "decided_on": "2026-02-09"}


def test_published_versions_are_read_only(
    criminal_record: ProcedureVersion, operator: User
) -> None:
    client = admin_client(operator)
    page = client.get(f"{VERSIONS}{criminal_record.pk}/change/").content.decode()
    assert 'name="time_limit"' not in page
    assert "Sở Tư pháp (000.00.03.H33)" in page
    assert client.get(f"{VERSIONS}add/").status_code == 403


def test_actions_publish_and_start_new_drafts(
    criminal_record: ProcedureVersion, operator: User
) -> None:
    client = admin_client(operator)
    response = client.post(
        VERSIONS,
        {"action": "start_new_version", "_selected_action": [criminal_record.pk]},
        follow=True,
    )
    assert "1 drafts created." in response.content.decode()
    draft = ProcedureVersion.objects.get(status=VersionStatus.DRAFT)
    response = client.post(
        VERSIONS,
        {"action": "publish_drafts", "_selected_action": [draft.pk, criminal_record.pk]},
        follow=True,
    )
    text = response.content.decode()
    assert "1 versions published." in text
    assert "only a draft can be changed" in text  # the published one was refused, by name
    criminal_record.refresh_from_db()
    assert criminal_record.status == VersionStatus.REPLACED
    another = services.new_version_from(None, draft)
    client.post(VERSIONS, {"action": "discard_drafts", "_selected_action": [another.pk]})
    assert not ProcedureVersion.objects.filter(pk=another.pk).exists()


def test_catalogue_admin_is_for_operators(
    criminal_record: ProcedureVersion, justice_admin: User, org: Org
) -> None:
    client = admin_client(justice_admin)
    assert client.get(VERSIONS).status_code == 403
    services.define_process_template(
        None, criminal_record.procedure, org.justice, record_steps(org)
    )
    response = client.get("/admin/procedures/processtemplate/")
    assert response.status_code == 200
    assert "Sở Tư pháp" in response.content.decode()
    template = ProcessTemplate.objects.get()
    detail = client.get(f"/admin/procedures/processtemplate/{template.pk}/change/")
    assert detail.status_code == 200
    assert "Tiếp nhận hồ sơ" in detail.content.decode()


def test_fields_through_the_services(operator: User) -> None:
    client = admin_client(operator)
    response = client.post(
        "/admin/procedures/procedurefield/add/", {"code": "dat-dai", "name": "Đất đai"}
    )
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="procedures.field_create").count() == 1
