"""Checks of what is signed or verified, and of signature images, before any work.

A PDF goes through the platform's upload checks (``core.uploads``: bytes, type by
content, pages counted on a budget) with this app's page limit, then must not be
encrypted (a signature over an encrypted file cannot be checked by its readers).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext as _

from egov.core import uploads
from egov.signatures import errors

#: Signature and seal images: at most this many bytes and pixels a side.
MAX_IMAGE_BYTES = 1024 * 1024
#: A trailer naming an encryption dictionary (an encrypted PDF), read without parsing.
_ENCRYPT = re.compile(rb"/Encrypt\s*(\d+\s+\d+\s+R|<<)")
MAX_IMAGE_SIDE = 2000
MIN_IMAGE_SIDE = 50


@dataclass(frozen=True)
class PdfInfo:
    pages: int
    first_page_size: tuple[float, float]


def _refusal(error: ValidationError) -> errors.BadPdf:
    return errors.BadPdf(error.messages[0] if error.messages else _("The file is not a valid PDF."))


def check_pdf(data: bytes, *, name: str = "tai-lieu.pdf") -> PdfInfo:
    """Refuse what is not a readable, unencrypted PDF within the page limit."""
    if data.startswith(b"%PDF-") and _ENCRYPT.search(data):
        raise errors.BadPdf(
            _(
                "The file “%(name)s” is encrypted (password-protected). Save it without "
                "a password and try again."
            )
            % {"name": name}
        )
    upload = SimpleUploadedFile(name, data, content_type="application/pdf")
    try:
        kind = uploads.check_upload(upload, field="file")
    except ValidationError as error:
        raise _refusal(error) from None
    if kind is not uploads.PDF:
        raise errors.BadPdf(
            _("The file “%(name)s” is not a PDF, whatever its name says.") % {"name": name}
        )
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        if reader.encrypted:
            raise errors.BadPdf(
                _(
                    "The file “%(name)s” is encrypted (password-protected). Save it without "
                    "a password and try again."
                )
                % {"name": name}
            )
        pages = int(reader.root["/Pages"]["/Count"])  # walked on a budget above
        limit = int(settings.EGOV_SIGNATURES_MAX_PAGES)
        if pages > limit:
            raise errors.BadPdf(
                _(
                    "The file “%(name)s” has %(pages)s pages; at most %(max)s pages are "
                    "signed or checked here. Split it into smaller files."
                )
                % {"name": name, "pages": pages, "max": limit}
            )
        first = reader.find_page_for_modification(0)[0].get_object()
        media = first.get("/MediaBox") or reader.root["/Pages"].get("/MediaBox")
        box = [float(v) for v in (media or [0, 0, 595, 842])]
    except errors.BadPdf:
        raise
    except Exception:  # anything unreadable is refused the same way
        raise errors.BadPdf(
            _("The file “%(name)s” looks like PDF but cannot be opened.") % {"name": name}
        ) from None
    return PdfInfo(pages=pages, first_page_size=(box[2] - box[0], box[3] - box[1]))


def check_png(data: bytes) -> tuple[int, int]:
    """A signature or seal image: a PNG with an alpha channel, of sensible size."""
    from PIL import Image

    if len(data) > MAX_IMAGE_BYTES:
        raise errors.BadImage(_("The image is larger than 1 MB."))
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        what = _("a JPEG image") if data.startswith(b"\xff\xd8\xff") else _("not an image")
        raise errors.BadImage(
            _(
                "The image is %(what)s. Upload a PNG with a transparent background, so "
                "the text under the signature stays visible."
            )
            % {"what": what}
        )
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            has_alpha = image.mode in ("RGBA", "LA", "PA") or (
                image.mode == "P" and "transparency" in image.info
            )
            if has_alpha:
                alpha = image.convert("RGBA").getchannel("A")
                lowest = alpha.getextrema()[0]
                has_alpha = isinstance(lowest, int | float) and lowest < 255
    except errors.BadImage:
        raise
    except Exception:
        raise errors.BadImage(_("The PNG image cannot be opened.")) from None
    if not has_alpha:
        raise errors.BadImage(
            _("The image has no transparent background. Upload a PNG with transparency.")
        )
    if max(width, height) > MAX_IMAGE_SIDE or min(width, height) < MIN_IMAGE_SIDE:
        raise errors.BadImage(
            _("The image must be between %(min)s and %(max)s pixels a side.")
            % {"min": MIN_IMAGE_SIDE, "max": MAX_IMAGE_SIDE}
        )
    return width, height
