"""Visible signatures as Decree 30/2020 lays them out (Phụ lục I):

- on the document: the signer's title, then the signature image (blue, transparent
  PNG), then the signer's name; the agency's red seal at its real size over about
  a third of the signature image, on the left;
- on attachments: the agency's signature at the top right of the first page, no
  image: the agency, the number and symbol, and the signing time written
  ``hh:mm:ss dd/mm/yyyy +07:00``.

The first is composed as one image (Pillow) and drawn as the field's appearance;
the second is text in the vendored Be Vietnam Pro font (Vietnamese glyphs).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from PIL import Image, ImageDraw, ImageFont

from egov.core.formatting import local

#: The platform's one copy of Be Vietnam Pro (vendored, OFL), shared with the paper forms.
FONT_DIR = Path(settings.BASE_DIR) / "egov" / "dossiers" / "fonts"
REGULAR = FONT_DIR / "BeVietnamPro-Regular.ttf"
BOLD = FONT_DIR / "BeVietnamPro-Bold.ttf"

#: Pixels per PDF point in the composed image (crisp when printed).
SCALE = 4
#: Real size of a round seal: 35 mm ≈ 99 pt (Decree 99/2016 sizes are 32–42 mm).
SEAL_POINTS = 99.0


@dataclass(frozen=True)
class Box:
    """A rectangle on a page, in PDF points from the bottom left; ``page`` from 0
    (negative counts from the end: -1 is the last page)."""

    page: int
    x1: float
    y1: float
    x2: float
    y2: float

    @property
    def width(self) -> float:
        return self.x2 - self.x1

    @property
    def height(self) -> float:
        return self.y2 - self.y1


@dataclass(frozen=True)
class SignerBlock:
    """The signature block of a document: title, signature image, name, seal."""

    box: Box
    title: str
    name: str
    signature_png: bytes
    seal_png: bytes | None = None


@dataclass(frozen=True)
class AttachmentStamp:
    """The agency's signature on an attachment (top right of page 1)."""

    organisation: str
    number_symbol: str


def signing_time_text(moment: dt.datetime) -> str:
    """``hh:mm:ss dd/mm/yyyy +07:00`` in the province's time zone."""
    at = local(moment)
    offset = at.strftime("%z")
    return f"{at:%H:%M:%S %d/%m/%Y} {offset[:3]}:{offset[3:]}"


def _font(path: Path, points: float) -> Any:
    return ImageFont.truetype(str(path), int(points * SCALE))


def _fit(image: Image.Image, width: int, height: int) -> Image.Image:
    ratio = min(width / image.width, height / image.height)
    size = (max(1, int(image.width * ratio)), max(1, int(image.height * ratio)))
    return image.resize(size, Image.Resampling.LANCZOS)


def _centred_text(draw: ImageDraw.ImageDraw, text: str, font: Any, y: int, width: int) -> int:
    left, top, right, bottom = (int(v) for v in draw.textbbox((0, 0), text, font=font))
    draw.text(((width - (right - left)) // 2, y - top), text, font=font, fill=(0, 0, 0, 255))
    return y + (bottom - top)


def _title_bottom(draw: ImageDraw.ImageDraw, title: str, font: Any, margin: int) -> int:
    if not title:
        return margin
    _left, top, _right, bottom = (int(v) for v in draw.textbbox((0, 0), title, font=font))
    return margin + (bottom - top) + margin


def _layout_block(
    block: SignerBlock, canvas: Image.Image
) -> tuple[Image.Image, int, int, int, Any]:
    """The fitted signature image, its left and top in the composed image, the top of
    the name line and the bold font: where :func:`compose_block` puts things."""
    width, height = canvas.size
    draw = ImageDraw.Draw(canvas)
    text_points = max(7.0, min(11.0, block.box.height / 10))
    bold = _font(BOLD, text_points)
    margin = int(2 * SCALE)
    below_title = _title_bottom(draw, block.title.upper(), bold, margin)
    name_height = int(draw.textbbox((0, 0), block.name, font=bold)[3]) if block.name else 0
    name_top = height - margin - name_height
    band = (below_title, name_top - margin)
    signature = Image.open(io.BytesIO(block.signature_png)).convert("RGBA")
    signature = _fit(signature, int(width * 0.7), max(1, band[1] - band[0]))
    sig_left = (width - signature.width) // 2
    sig_top = band[0] + (band[1] - band[0] - signature.height) // 2
    return signature, sig_left, sig_top, name_top, bold


def signature_rect(block: SignerBlock) -> Box:
    """Where the signature image lands on the page (points, same page as the block)."""
    canvas = Image.new("RGBA", (int(block.box.width * SCALE), int(block.box.height * SCALE)))
    signature, left, top, _name_top, _font_used = _layout_block(block, canvas)
    x1 = block.box.x1 + left / SCALE
    y2 = block.box.y2 - top / SCALE
    return Box(block.box.page, x1, y2 - signature.height / SCALE, x1 + signature.width / SCALE, y2)


@dataclass(frozen=True)
class SealMark:
    """The agency's signature drawn as its seal (red, real size) at ``box``."""

    box: Box
    seal_png: bytes


def seal_box(block: SignerBlock, diameter: float = SEAL_POINTS) -> Box:
    """Decree 30: the seal at its real size over about a third of the signer's
    signature image, on the left, centred on the image's height."""
    sig = signature_rect(block)
    x2 = sig.x1 + sig.width / 3
    middle = (sig.y1 + sig.y2) / 2
    return Box(sig.page, x2 - diameter, middle - diameter / 2, x2, middle + diameter / 2)


def seal_style(mark: SealMark) -> Any:
    from pyhanko.pdf_utils.images import PdfImage
    from pyhanko.stamp import StaticStampStyle

    seal = Image.open(io.BytesIO(mark.seal_png)).convert("RGBA")
    side = max(1, int(min(mark.box.width, mark.box.height) * SCALE))
    return StaticStampStyle(
        background=PdfImage(_fit(seal, side, side)), background_opacity=1.0, border_width=0
    )


def compose_block(block: SignerBlock) -> Image.Image:
    """The signature block as one RGBA image of the box's size (× ``SCALE``); a block
    with no title and name is the signature image alone (the page prints them)."""
    width, height = int(block.box.width * SCALE), int(block.box.height * SCALE)
    canvas = Image.new("RGBA", (width, height), (255, 255, 255, 0))
    draw = ImageDraw.Draw(canvas)
    signature, sig_left, sig_top, name_top, bold = _layout_block(block, canvas)
    margin = int(2 * SCALE)
    if block.title:
        _centred_text(draw, block.title.upper(), bold, margin, width)
    canvas.alpha_composite(signature, (sig_left, sig_top))
    if block.seal_png:
        seal = Image.open(io.BytesIO(block.seal_png)).convert("RGBA")
        diameter = int(min(SEAL_POINTS * SCALE, height))
        seal = _fit(seal, diameter, diameter)
        # The seal's right edge covers the left third of the signature image.
        seal_left = sig_left + signature.width // 3 - seal.width
        seal_top = sig_top + signature.height // 2 - seal.height // 2
        seal_left = max(0, seal_left)
        seal_top = min(max(0, seal_top), height - seal.height)
        canvas.alpha_composite(seal, (seal_left, seal_top))
    if block.name:
        _centred_text(draw, block.name, bold, name_top, width)
    return canvas


def block_style(block: SignerBlock) -> Any:
    from pyhanko.pdf_utils.images import PdfImage
    from pyhanko.stamp import StaticStampStyle

    return StaticStampStyle(
        background=PdfImage(compose_block(block)),
        background_opacity=1.0,
        border_width=0,
    )


def attachment_style(stamp: AttachmentStamp, moment: dt.datetime) -> tuple[Any, dict[str, str]]:
    """The text stamp style of an attachment signature and its parameters."""
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.stamp import TextStampStyle

    style = TextStampStyle(
        stamp_text="%(organisation)s\nSố: %(number)s\nThời gian ký: %(time)s",
        text_box_style=TextBoxStyle(font=GlyphAccumulatorFactory(str(REGULAR)), font_size=8),
        border_width=1,
        background=None,
    )
    return style, {
        "organisation": stamp.organisation,
        "number": stamp.number_symbol,
        "time": signing_time_text(moment),
    }


#: Size of the attachment stamp in points, and its distance from the page's corner.
ATTACHMENT_SIZE = (200.0, 48.0)
ATTACHMENT_MARGIN = 20.0


def attachment_box(page_width: float, page_height: float) -> Box:
    width, height = ATTACHMENT_SIZE
    x2 = page_width - ATTACHMENT_MARGIN
    y2 = page_height - ATTACHMENT_MARGIN
    return Box(0, x2 - width, y2 - height, x2, y2)
