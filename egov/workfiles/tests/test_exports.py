"""The file as PDF (text read back with pypdf) and XML (parsed back), documents in
date order with the table of contents; confidential documents withheld."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from datetime import date

import pytest
from pypdf import PdfReader

from egov.documents.models import IncomingDocument
from egov.documents.tests.factories import Org, Staff
from egov.outgoing.models import OutgoingDocument
from egov.workfiles import exports, selectors, services
from egov.workfiles.models import WorkFile
from egov.workfiles.tests.factories import incoming_doc, open_file, outgoing_doc

pytestmark = pytest.mark.django_db


def _filled(
    org: Org, staff: Staff
) -> tuple[WorkFile, IncomingDocument, IncomingDocument, OutgoingDocument]:
    work_file = open_file(org, staff, years=None)
    later = incoming_doc(
        org,
        staff,
        code_number="45",
        subject="Công văn đề nghị góp ý dự thảo",
        issued_date=date(2026, 10, 2),
    )
    earlier = incoming_doc(
        org,
        staff,
        code_number="12",
        subject="Kế hoạch kiểm tra văn bản",
        issued_date=date(2026, 3, 9),
    )
    decision = outgoing_doc(org, staff, subject="Về việc ban hành Quy chế quản lý văn bản điện tử")
    for kind, doc in (("incoming", later), ("outgoing", decision), ("incoming", earlier)):
        services.add_document(staff.specialist, work_file, kind, doc.pk)
    return work_file, earlier, later, decision


def test_pdf_lists_the_documents_in_date_order(org: Org, staff: Staff) -> None:
    work_file, _earlier, _later, _decision = _filled(org, staff)
    items = selectors.documents_of(staff.specialist, work_file)
    data = exports.file_pdf(work_file, items)
    reader = PdfReader(io.BytesIO(data))
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    assert "HỒ SƠ" in text and "MỤC LỤC VĂN BẢN" in text
    assert "Vĩnh viễn" in text
    assert work_file.title in text
    first = text.index("12/KH-UBND")
    second = text.index("45/KH-UBND")
    third = text.index("Về việc ban hành Quy chế")
    assert first < second < third


def test_xml_parses_back_in_the_documented_layout(org: Org, staff: Staff) -> None:
    work_file, earlier, later, decision = _filled(org, staff)
    items = selectors.documents_of(staff.specialist, work_file)
    data = exports.file_xml(work_file, items)
    assert data.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    root = ET.fromstring(data)  # noqa: S314 - our own export
    assert root.tag == "WorkFile" and root.get("version") == "1"
    assert root.findtext("FileCode") == f"{org.dept.code}.2026.01.XDKT"
    assert root.findtext("Title") == work_file.title
    assert root.find("Maintenance").get("years") is None  # type: ignore[union-attr]
    assert root.findtext("Maintenance") == "Vĩnh viễn"
    assert root.findtext("DocTotal") == "3" and root.findtext("Withheld") == "0"
    assert root.findtext("PageTotal") == "6"  # the two letters have 3 pages each
    docs = root.findall("Documents/Document")
    assert [(d.get("kind"), int(d.get("id") or 0)) for d in docs] == [
        ("incoming", earlier.pk),
        ("incoming", later.pk),
        ("outgoing", decision.pk),
    ]
    assert [d.get("order") for d in docs] == ["1", "2", "3"]
    assert docs[0].findtext("Date") == "2026-03-09"
    assert docs[0].findtext("NumberSymbol") == "12/KH-UBND"
    assert docs[1].findtext("Subject") == "Công văn đề nghị góp ý dự thảo"
    assert docs[2].findtext("Issuer") == org.dept.name


def test_exports_withhold_what_the_reader_may_not_see(org: Org, staff: Staff) -> None:
    work_file = open_file(org, staff)
    secret = outgoing_doc(
        org, staff, draft=True, subject="Báo cáo mật về thanh tra", confidentiality="secret"
    )
    plain = outgoing_doc(org, staff, subject="Thông báo công khai")
    services.add_document(staff.specialist, work_file, "outgoing", secret.pk)
    services.add_document(staff.specialist, work_file, "outgoing", plain.pk)
    # The unit head has not acted on the secret draft yet: it is withheld from them.
    items = selectors.documents_of(staff.head, work_file)
    assert [i.hidden for i in items] == [False, True]  # hidden ones last
    root = ET.fromstring(exports.file_xml(work_file, items))  # noqa: S314 - our own export
    assert root.findtext("Withheld") == "1" and root.findtext("Rights") == "restricted"
    assert "mật về thanh tra" not in exports.file_xml(work_file, items).decode()
    text = " ".join(
        (p.extract_text() or "")
        for p in PdfReader(io.BytesIO(exports.file_pdf(work_file, items))).pages
    )
    assert "thanh tra" not in text and "Thông báo công khai" in " ".join(text.split())
    # The specialist wrote it: they see both.
    assert [i.hidden for i in selectors.documents_of(staff.specialist, work_file)] == [False, False]
