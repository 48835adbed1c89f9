"""Full-text search over metadata and recognised text, diacritics ignored; the same
tests run on SQLite (FTS5) and PostgreSQL (tsvector + GIN)."""

from __future__ import annotations

import pytest

from egov.documents import ocr, selectors, services
from egov.documents.models import IncomingDocument
from egov.documents.tests.factories import Org, Staff, metadata, scan_png, text_pdf

pytestmark = pytest.mark.django_db


def _paper(org: Org, staff: Staff, **kw: object) -> IncomingDocument:
    return services.receive_scan(
        agency=org.dept,
        files=[("a.pdf", text_pdf("Trang một của tài liệu"), "application/pdf")],
        actor=staff.clerk,
        metadata=metadata(**kw),
    )


def test_cong_van_finds_cong_van(org: Org, staff: Staff) -> None:
    wanted = _paper(org, staff, subject="Công văn về việc đôn đốc nộp báo cáo")
    _paper(org, staff, code_number="2", subject="Kế hoạch tổ chức hội nghị")
    for query in ("cong van", "CÔNG VĂN", "Công văn", "don doc", "đôn đốc", "bao ca"):
        assert list(selectors.search(staff.clerk, query)) == [wanted], query


def test_number_symbol_and_agency_are_searchable(org: Org, staff: Staff) -> None:
    wanted = _paper(org, staff, code_number="176", code_notation="KH-UBND")
    assert list(selectors.search(staff.clerk, "176/KH-UBND")) == [wanted]
    assert list(selectors.search(staff.clerk, "kien giang 176")) == [wanted]
    assert list(selectors.search(staff.clerk, "177/KH-UBND")) == []
    assert list(selectors.search(staff.clerk, "   ")) == []
    # Characters FTS syntax would choke on are only separators.
    assert list(selectors.search(staff.clerk, 'kh"-(ubnd) OR *')) in ([], [wanted])


def test_search_respects_who_may_see(org: Org, staff: Staff) -> None:
    _paper(org, staff, subject="Công văn mật", confidentiality="confidential")
    _paper(org, staff, code_number="5", subject="Công văn thường")
    assert [d.subject for d in selectors.search(staff.clerk, "cong van")] == [
        "Công văn thường",
        "Công văn mật",
    ]
    assert list(selectors.search(staff.other_clerk, "cong van")) == []
    assert [d.subject for d in selectors.search(staff.leader, "cong van")] == ["Công văn thường"]


def test_edits_reach_the_index(org: Org, staff: Staff) -> None:
    document = _paper(org, staff, subject="Giấy mời họp")
    services.update_metadata(
        document,
        actor=staff.clerk,
        metadata=metadata(subject="Thông báo lịch trực Tết"),
        expected_version=document.version,
    )
    assert list(selectors.search(staff.clerk, "giay moi")) == []
    assert list(selectors.search(staff.clerk, "lich truc tet")) == [document]


@pytest.mark.skipif(ocr.tesseract_path() is None, reason="tesseract missing")
def test_the_recognised_text_of_a_scan_is_found(org: Org, staff: Staff) -> None:
    document = services.receive_scan(
        agency=org.dept,
        files=[("scan.png", scan_png(), "image/png")],
        actor=staff.clerk,
    )
    assert list(selectors.search(staff.clerk, "quan ly van ban dieu hanh")) == [document]


def test_the_last_word_is_a_prefix_alone_or_after_whole_words(org: Org, staff: Staff) -> None:
    # On PostgreSQL a lone prefix goes through the GIN index, a prefix after whole
    # words is checked on the rows the whole words found: same results either way.
    wanted = _paper(org, staff, subject="An ninh trật tự trên địa bàn tỉnh")
    other = _paper(org, staff, code_number="2", subject="An ninh mạng và trật tự đô thị")
    assert set(selectors.search(staff.clerk, "an ninh trat tu")) == {wanted, other}
    assert set(selectors.search(staff.clerk, "trat t")) == {wanted, other}
    assert list(selectors.search(staff.clerk, "ninh dia ba")) == [wanted]
    assert list(selectors.search(staff.clerk, "ninh dia bz")) == []
    assert list(selectors.search(staff.clerk, "mang do th")) == [other]
    assert set(selectors.search(staff.clerk, "trat")) == {wanted, other}
    assert list(selectors.search(staff.clerk, "mang")) == [other]
