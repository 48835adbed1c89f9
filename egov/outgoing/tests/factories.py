"""Drafts walked to any state through the services."""

from __future__ import annotations

from typing import Any

from egov.documents.tests.factories import Org, Staff
from egov.outgoing import services
from egov.outgoing.models import OutgoingDocument
from egov.outgoing.services import DraftIn, RecipientIn


def draft_in(**overrides: Any) -> DraftIn:
    values: dict[str, Any] = {
        "type_code": "quyet-dinh",
        "subject": "Về việc ban hành Quy chế quản lý văn bản điện tử",
        "body": "Căn cứ Nghị định số 30/2020/NĐ-CP;\nĐiều 1. Ban hành kèm theo Quyết định này.",
        "place": "Kiên Giang",
        "authority": "KT.",
        "authority_of": "Giám đốc",
        "signer_position": "Phó Giám đốc",
        "signer_name": "Võ Văn Em",
        "copies_to": "Lưu: VT, XDKT",
    }
    values.update(overrides)
    return DraftIn(**values)


def make_draft(
    org: Org, staff: Staff, *, recipients: list[RecipientIn] | None = None, **overrides: Any
) -> OutgoingDocument:
    return services.create_draft(
        staff.specialist,
        drafting_unit=org.dept_legal,
        data=draft_in(**overrides),
        recipients=[RecipientIn(agency=org.other)] if recipients is None else recipients,
    )


def approved(org: Org, staff: Staff, **overrides: Any) -> OutgoingDocument:
    """Drafted by the specialist, approved by the head, approved for signing by the
    director (the default chain)."""
    document = make_draft(org, staff, **overrides)
    document = services.submit(staff.specialist, document, expected_version=document.lock_version)
    document = services.approve(staff.head, document, expected_version=document.lock_version)
    return services.approve(staff.leader, document, expected_version=document.lock_version)


def issued(org: Org, staff: Staff, **overrides: Any) -> OutgoingDocument:
    document = approved(org, staff, **overrides)
    document = services.issue_document(
        staff.clerk, document, expected_version=document.lock_version
    )
    services.dispatch_document(staff.clerk, document)
    document.refresh_from_db()
    return document
