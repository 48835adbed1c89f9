"""Visible signatures per Decree 30: title, signature image and name, the red seal
over the left third of the signature; the agency's stamp at the top right of an
attachment's first page. Checked on the page rendered by poppler (pdftoppm)."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from egov.signatures import services
from egov.signatures.appearance import AttachmentStamp, Box, SignerBlock, signing_time_text
from egov.signatures.models import ImageKind
from egov.signatures.tests.conftest import USER_PIN, World, one_page_pdf
from egov.signatures.tests.pdfsig import assert_independently_valid
from egov.signatures.verification import verify_pdf

#: Render at 2 px per point (144 dpi).
ZOOM = 2


def render(pdf: bytes, folder: Path) -> Image.Image:
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) not installed")
    path = folder / "page.pdf"
    path.write_bytes(pdf)
    subprocess.run(  # noqa: S603 - fixed Debian tool
        [  # noqa: S607 - found on PATH
            "pdftoppm",
            "-r",
            str(72 * ZOOM),
            "-f",
            "1",
            "-l",
            "1",
            "-png",
            str(path),
            str(folder / "p"),
        ],
        check=True,
    )
    (png,) = folder.glob("p*.png")
    return Image.open(png).convert("RGB")


def count(image: Image.Image, box: tuple[int, int, int, int], colour: str) -> int:
    region = image.crop(box)
    found = 0
    pixels: list[tuple[int, int, int]] = list(region.getdata())
    for r, g, b in pixels:
        if colour == "red" and r > 150 and g < 90 and b < 90:
            found += 1
        if colour == "blue" and b > 120 and r < 90 and g < 110:
            found += 1
    return found


def test_signature_block_with_seal_over_the_left_third(world: World, tmp_path: Path) -> None:
    page_height = 841.89
    box = Box(page=-1, x1=330, y1=80, x2=530, y2=210)
    block = SignerBlock(
        box=box,
        title="Giám đốc",
        name="Nguyễn Văn Bình",
        signature_png=services.signature_image(user=world.leader, kind=ImageKind.SIGNATURE) or b"",
        seal_png=services.signature_image(unit=world.agency, kind=ImageKind.SEAL),
    )
    holder = services.holder_for_person(world.leader, pin=USER_PIN)
    signed = services.sign_pdf(one_page_pdf(), holder=holder, actor=world.leader, block=block)
    assert_independently_valid(signed, tmp_path, 1)
    assert verify_pdf(signed).ok
    image = render(signed, tmp_path)
    image.save(tmp_path / "rendered.png")
    # The block in pixels (PDF y grows upwards).
    left, right = int(box.x1 * ZOOM), int(box.x2 * ZOOM)
    top, bottom = int((page_height - box.y2) * ZOOM), int((page_height - box.y1) * ZOOM)
    width = right - left
    third = left + width // 3
    assert count(image, (left, top, third, bottom), "red") > 500  # the seal, on the left
    assert count(image, (third + width // 6, top, right, bottom), "red") == 0
    assert count(image, (left + width // 4, top, right, bottom), "blue") > 300  # the signature
    # Outside the block the page is untouched by either colour.
    assert count(image, (0, 0, image.width, top - 2), "red") == 0


def test_attachment_stamp_top_right_with_number_and_time(world: World, tmp_path: Path) -> None:
    holder = services.holder_for_agency(world.agency)
    stamp = AttachmentStamp(
        organisation="Sở Thông tin và Truyền thông", number_symbol="12/QĐ-STTTT"
    )
    signed = services.sign_pdf(one_page_pdf(), holder=holder, actor=None, attachment=stamp)
    assert verify_pdf(signed).ok
    done = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", "-bbox", "-", "-"],  # noqa: S607
        input=signed,
        capture_output=True,
        check=True,
    )
    text = done.stdout.decode()
    assert "12/QĐ-STTTT" in text
    words = [line for line in text.splitlines() if "12/QĐ-STTTT" in line]
    x_min = float(words[0].split('xMin="')[1].split('"')[0])
    y_min = float(words[0].split('yMin="')[1].split('"')[0])
    assert x_min > 595 / 2 and y_min < 842 / 4  # top right (pdftotext's y grows downwards)
    time_text = signing_time_text(dt.datetime.now(dt.UTC))
    assert (
        time_text[-6:] == "+07:00" and time_text[9:] in text.replace("\n", " ")
    ) or "+07:00" in text
