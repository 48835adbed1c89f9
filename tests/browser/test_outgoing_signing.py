"""A leader signs an outgoing document from the phone, in real browsers.

The director of Sở Tư pháp approves a decision for signing on a 360 px phone; the
records clerk takes the number and issues it, which asks the director on the
remote-signing service; the director confirms on the simulated phone while the
clerk's page waits; the issued PDF carries the director's signature image between
title and name and the agency's red seal over the image's left third (checked on
the page rendered by ``pdftoppm``), the verification page reports both signatures
valid, and poppler's ``pdfsig`` with the test root agrees.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test.utils import override_settings
from PIL import Image

from egov.accounts.default_roles import ensure_default_roles
from egov.documents.doctypes import ensure_document_types
from egov.documents.tests.factories import Org, build_org
from egov.outgoing import services
from egov.outgoing.chains import ensure_default_chain
from egov.outgoing.models import OutgoingDocument, Status
from egov.outgoing.services import RecipientIn
from egov.outgoing.services.signing import AGENCY_FIELD, SIGNER_FIELD
from egov.outgoing.tests.factories import draft_in
from egov.signatures.tests.conftest import pki_settings as pki_settings  # a fixture
from egov.signatures.tests.pdfsig import assert_independently_valid
from tests.browser.conftest import axe_violations, format_violations
from tests.browser.test_outgoing_walk import PHONE, make_staff
from tests.browser.test_outgoing_walk import sign_in as sign_in  # a fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUBJECT = "Về việc ban hành Quy chế ký số văn bản điện tử"
DPI_SCALE = 2  # pdftoppm -r 144: two pixels per PDF point


@pytest.fixture
def org(pki_settings: dict[str, Any]) -> Any:
    from egov.signatures import testpki

    ensure_default_roles()  # live-server tests run on a flushed database
    ensure_document_types()
    ensure_default_chain()
    org = build_org()
    people = {
        "specialist": make_staff("cv.xdkt", "Lê Văn Cường", org.dept_legal, "specialist"),
        "head": make_staff("tp.xdkt", "Phạm Thị Dung", org.dept_legal, "unit_head"),
        "leader": make_staff("gd.stp", "Võ Văn Em", org.dept, "agency_leader"),
        "clerk": make_staff("vanthu.stp", "Trần Thị Bình", org.dept, "records_clerk"),
    }
    testpki.make(user_pin="")  # remote signing and the agency's key; no personal tokens
    with override_settings(EGOV_SIGNATURES_REMOTE_POLL_SECONDS=1):
        yield org, people


def field_boxes(pdf: bytes) -> dict[str, tuple[int, list[float], float]]:
    """Each signature field's page (from 0), rectangle in points and page height."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.fields import enumerate_sig_fields

    reader = PdfFileReader(io.BytesIO(pdf))
    kids = reader.root["/Pages"]["/Kids"]
    pages = [kids.raw_get(i) for i in range(len(kids))]
    found = {}
    for name, _value, ref in enumerate_sig_fields(reader):
        widget = ref.get_object()
        page_ref = widget.raw_get("/P")
        index = next(i for i, p in enumerate(pages) if p.idnum == page_ref.idnum)
        page_object = pages[index].get_object()
        box = page_object.get("/MediaBox") or reader.root["/Pages"]["/MediaBox"]
        page_height = float(box[3])
        found[name] = (index, [float(v) for v in widget["/Rect"]], page_height)
    return found


def render_page(pdf: bytes, page: int, folder: Path) -> Image.Image:
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm not installed (poppler-utils)")
    source = folder / "issued.pdf"
    source.write_bytes(pdf)
    subprocess.run(  # noqa: S603 - fixed Debian tool
        [  # noqa: S607
            "pdftoppm",
            "-r",
            str(72 * DPI_SCALE),
            "-png",
            "-f",
            str(page + 1),
            "-l",
            str(page + 1),
            "-singlefile",
            str(source),
            str(folder / "page"),
        ],
        check=True,
    )
    return Image.open(folder / "page.png").convert("RGB")


def pixels(image: Image.Image, rect: list[float], page_height: float, test: Callable) -> list:
    """(x in points, y in points) of the pixels inside ``rect`` passing ``test``."""
    x1, y1, x2, y2 = rect
    left, right = int(x1 * DPI_SCALE), int(x2 * DPI_SCALE)
    top, bottom = int((page_height - y2) * DPI_SCALE), int((page_height - y1) * DPI_SCALE)
    data = image.load()
    hits = []
    for x in range(max(0, left), min(image.width, right)):
        for y in range(max(0, top), min(image.height, bottom)):
            if test(data[x, y]):
                hits.append((x / DPI_SCALE, page_height - y / DPI_SCALE))
    return hits


def is_blue(p: tuple[int, int, int]) -> bool:
    return p[2] > 120 and p[2] > p[0] + 60 and p[2] > p[1] + 40


def is_red(p: tuple[int, int, int]) -> bool:
    return p[0] > 150 and p[1] < 110 and p[2] < 110


def test_the_leader_signs_on_the_phone_and_the_issued_pdf_is_sealed_and_valid(
    org: Any, sign_in: Callable[..., Any], tmp_path: Path
) -> None:
    org_units: Org = org[0]
    people = org[1]
    document = services.create_draft(
        people["specialist"],
        drafting_unit=org_units.dept_legal,
        data=draft_in(subject=SUBJECT, signer_name="Võ Văn Em"),
        recipients=[RecipientIn(agency=org_units.other)],
    )
    document = services.submit(
        people["specialist"], document, expected_version=document.lock_version
    )
    document = services.approve(people["head"], document, expected_version=document.lock_version)
    detail_path = f"/van-ban/di/{document.reference}/"

    # The director approves it for signing on the phone.
    leader = sign_in("gd.stp", PHONE)
    leader.goto(leader.base_url + detail_path)
    leader.locator("#approve-button").click()
    leader.wait_for_load_state()
    assert leader.locator("#doc-status").get_attribute("data-status") == "approved"

    # The clerk issues: the page waits while the director is asked on the phone.
    clerk = sign_in("vanthu.stp")
    clerk.goto(clerk.base_url + detail_path)
    clerk.evaluate("setTimeout(() => document.getElementById('issue-button').click(), 0)")
    leader.goto(leader.base_url + "/chu-ky-so/mo-phong/ky-tu-xa/dien-thoai/")
    for _attempt in range(20):
        if leader.get_by_role("button", name="Xác nhận và ký").count():
            break
        leader.wait_for_timeout(500)
        leader.reload()
    assert "01/QĐ-STP" in leader.content()  # the phone says which document is signed
    assert leader.evaluate("document.documentElement.scrollWidth") <= 362
    leader.get_by_role("button", name="Xác nhận và ký").click()
    leader.wait_for_load_state()

    clerk.wait_for_url(f"**{detail_path}", wait_until="load")
    clerk.locator("#signed-flag").wait_for(timeout=30_000)
    assert clerk.locator("#doc-number").inner_text() == "01/QĐ-STP"
    assert clerk.locator("#unsigned").count() == 0
    violations = axe_violations(clerk)
    assert not violations, format_violations(violations)
    document = OutgoingDocument.objects.get(pk=document.pk)
    assert document.status == Status.ISSUED and document.digitally_signed
    pdf = bytes(document.issued_pdf or b"")
    (tmp_path / "issued-01-QD-STP.pdf").write_bytes(pdf)

    # Where Decree 30 puts them, on the rendered page.
    boxes = field_boxes(pdf)
    page, signer_rect, height = boxes[SIGNER_FIELD]
    seal_page, seal_rect, _h = boxes[AGENCY_FIELD]
    assert seal_page == page
    image = render_page(pdf, page, tmp_path)
    page_width = image.width / DPI_SCALE
    blue = pixels(image, signer_rect, height, is_blue)
    red = pixels(image, seal_rect, height, is_red)
    assert len(blue) > 200, "no signature image in the signer's box"
    assert len(red) > 200, "no seal in the agency's box"
    sig_left = min(x for x, _y in blue)
    sig_right = max(x for x, _y in blue)
    # The signature block is in the right half, between the title and the name.
    assert sig_left > page_width / 2
    # The seal covers about the left third of the signature image, on the left.
    red_right = max(x for x, _y in red)
    third = sig_left + (sig_right - sig_left) / 3
    assert sig_left < red_right <= third + 4, (sig_left, red_right, third)
    assert min(x for x, _y in red) < sig_left
    # Its real size: a 35 mm seal is about 99 points across.
    red_width = red_right - min(x for x, _y in red)
    assert 85 <= red_width <= 100, red_width
    # Nothing blue or red was drawn outside the two boxes on that page.
    everywhere = [0.0, 0.0, page_width, height]
    blue_all = pixels(image, everywhere, height, is_blue)
    assert len(blue_all) <= len(blue) + 20

    # The verification page reports both signatures valid.
    path = tmp_path / "01-QD-STP.pdf"
    path.write_bytes(pdf)
    leader.goto(leader.base_url + "/chu-ky-so/kiem-tra/")
    leader.get_by_label("Tệp PDF đã ký số").set_input_files(str(path))
    leader.get_by_role("button", name="Kiểm tra").click()
    leader.wait_for_load_state()
    assert leader.get_by_role("status").first.inner_text() == "Văn bản có 2 chữ ký hợp lệ."
    assert leader.get_by_role("article", name="Chữ ký 1: hợp lệ").is_visible()
    assert leader.get_by_role("article", name="Chữ ký 2: hợp lệ").is_visible()
    report = " ".join(leader.locator("article").all_inner_texts())
    assert "Võ Văn Em" in report and "Sở Tư pháp" in report

    # And poppler's pdfsig, given the test root, finds both valid and trusted.
    assert_independently_valid(pdf, tmp_path, 2)
