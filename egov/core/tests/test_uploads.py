"""Upload checks: a PDF whose page tree is huge (a "PDF bomb": a few MB, a hundred
thousand pages, seconds of CPU to walk) is refused by its page count before the
full parse; a real multi-page scan is still accepted."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from egov.core.uploads import PDF, check_upload


def page_tree_pdf(
    leaves: int, *, fanout: int = 100, declared: int | None = None, typed: bool = True
) -> bytes:
    """A PDF whose page tree has ``leaves`` pages under ``leaves / fanout`` inner
    nodes, each page a tiny object; ``declared`` is the /Count the root claims
    (a liar's small number), ``typed=False`` leaves out the pages' ``/Type /Page``
    (as when they are hidden where the raw bytes cannot be searched)."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets: dict[int, int] = {}

    def obj(number: int, body: bytes) -> None:
        offsets[number] = out.tell()
        out.write(b"%d 0 obj" % number + body + b"endobj\n")

    groups = (leaves + fanout - 1) // fanout
    first_leaf = 3 + groups
    obj(1, b"<</Type/Catalog/Pages 2 0 R>>")
    inner = b" ".join(b"%d 0 R" % (3 + g) for g in range(groups))
    obj(2, b"<</Type/Pages/Count %d/Kids[%s]>>" % (declared or leaves, inner))
    for group in range(groups):
        kids = range(
            first_leaf + group * fanout, min(first_leaf + (group + 1) * fanout, first_leaf + leaves)
        )
        refs = b" ".join(b"%d 0 R" % kid for kid in kids)
        obj(3 + group, b"<</Type/Pages/Parent 2 0 R/Count %d/Kids[%s]>>" % (len(kids), refs))
    page = b"/Type/Page" if typed else b""
    for leaf in range(leaves):
        obj(
            first_leaf + leaf,
            b"<<%s/Parent %d 0 R/MediaBox[0 0 595 842]>>" % (page, 3 + leaf // fanout),
        )
    count = first_leaf + leaves
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % count)
    for number in range(1, count):
        out.write(b"%010d 00000 n \n" % offsets[number])
    out.write(b"trailer<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (count, xref))
    return out.getvalue()


def scan_pdf(pages: int) -> bytes:
    """A legitimate multi-page document, as a scanner's software writes one."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _refusal(data: bytes) -> str:
    with pytest.raises(ValidationError) as caught, translation.override("vi"):
        check_upload(SimpleUploadedFile("ho-so.pdf", data), field="paper")
    return caught.value.message_dict["paper"][0]


@pytest.fixture(autouse=True)
def _limit(settings: Any) -> None:
    settings.EGOV_MAX_UPLOAD_PDF_PAGES = 1000


TOO_MANY = "Tệp “ho-so.pdf” có hơn 1000 trang."


def test_a_page_tree_bomb_is_refused_by_its_page_count() -> None:
    assert TOO_MANY in _refusal(page_tree_pdf(1500))


def test_a_root_that_lies_about_its_count_is_refused_all_the_same() -> None:
    assert TOO_MANY in _refusal(page_tree_pdf(1500, declared=1))


def test_pages_the_byte_count_cannot_see_are_caught_by_the_bounded_walk() -> None:
    assert TOO_MANY in _refusal(page_tree_pdf(1500, declared=1, typed=False))


def test_more_objects_than_any_document_needs_are_refused_before_parsing(settings: Any) -> None:
    settings.EGOV_MAX_UPLOAD_PDF_PAGES = 10  # at most 500 objects
    message = _refusal(page_tree_pdf(8, typed=False) + b"1 0 obj<<>>endobj\n" * 600)
    assert "quá phức tạp" in message


def test_a_page_tree_with_a_loop_cannot_be_opened() -> None:
    data = page_tree_pdf(3, fanout=3, typed=False).replace(b"/Kids[4 0 R", b"/Kids[3 0 R", 1)
    assert "không mở được" in _refusal(data)


def test_a_200_page_scan_is_accepted() -> None:
    data = scan_pdf(200)
    assert check_upload(SimpleUploadedFile("quet.pdf", data)) is PDF


def test_a_page_tree_under_the_limit_is_accepted() -> None:
    assert check_upload(SimpleUploadedFile("ho-so.pdf", page_tree_pdf(900))) is PDF


@pytest.mark.parametrize(
    ("name", "says", "never"),
    [
        # Named like a PDF: the message says the name does not match the content.
        ("giay-khai-sinh.pdf", "mang đuôi của tệp PDF, JPEG hay PNG", None),
        # Named for what it is: no claim about "what its name says".
        ("ghi-chu.txt", "không phải là tệp PDF, JPEG hay PNG", "đuôi"),
        ("anh-chup", "không phải là tệp PDF, JPEG hay PNG", "đuôi"),
    ],
)
def test_a_refused_type_is_described_by_what_the_name_says(
    name: str, says: str, never: str | None
) -> None:
    with translation.override("vi"), pytest.raises(ValidationError) as caught:
        check_upload(SimpleUploadedFile(name, b"just some words, not a scan"), field="f")
    message = caught.value.message_dict["f"][0]
    assert says in message and name in message
    if never:
        assert never not in message
