"""Reading the text of a scanned paper: Tesseract (languages vie+eng) through a
subprocess with a timeout, page by page.

A PDF page that already carries text (a born-digital PDF) gives that text and is
not OCR'd; a scanned page gives its largest embedded image to Tesseract. Images
(JPEG, PNG) go to Tesseract as they are.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

# A page whose text layer has fewer letters than this is treated as a scan.
_MIN_TEXT_LAYER_CHARS = 20


class OcrError(Exception):
    """The text could not be read (no Tesseract, timeout, unreadable image)."""


@dataclass(frozen=True)
class Recognised:
    text: str
    pages: int
    pages_read: int
    ocr_pages: int


def tesseract_path() -> str | None:
    return shutil.which(str(settings.EGOV_DOCUMENTS_TESSERACT))


def ocr_image(data: bytes, *, languages: str | None = None, timeout: float | None = None) -> str:
    """The text Tesseract reads in one image (any format Leptonica opens)."""
    program = tesseract_path()
    if program is None:
        raise OcrError(_("The text recognition program (Tesseract) is not installed."))
    langs = languages or str(settings.EGOV_DOCUMENTS_OCR_LANGUAGES)
    limit = float(timeout if timeout is not None else settings.EGOV_DOCUMENTS_OCR_TIMEOUT)
    with tempfile.TemporaryDirectory(prefix="egov-ocr-") as folder:
        source = Path(folder) / "page.png"
        source.write_bytes(_as_png(data))
        try:
            done = subprocess.run(  # noqa: S603 - fixed program, no shell, our own file
                [program, str(source), "stdout", "-l", langs, "--psm", "3"],
                capture_output=True,
                timeout=limit,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise OcrError(
                _("Text recognition took longer than %(seconds)s seconds and was stopped.")
                % {"seconds": int(limit)}
            ) from None
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        raise OcrError(_("Text recognition failed: %(detail)s") % {"detail": detail[0][:200]})
    return done.stdout.decode("utf-8", "replace").strip()


def _as_png(data: bytes) -> bytes:
    """Any image Pillow opens, as a grayscale PNG (Tesseract reads it best)."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            out = io.BytesIO()
            image.convert("L").save(out, format="PNG")
            return out.getvalue()
    except Exception as error:
        raise OcrError(_("The image cannot be read: %(error)s") % {"error": error}) from None


def image_size(data: bytes) -> tuple[int, int] | None:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            return int(image.width), int(image.height)
    except Exception:
        return None


def pdf_pages(data: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


def recognise(data: bytes, content_type: str, *, max_pages: int | None = None) -> Recognised:
    """The text of a PDF or image file, reading at most ``max_pages`` pages."""
    limit = int(max_pages if max_pages is not None else settings.EGOV_DOCUMENTS_OCR_MAX_PAGES)
    if content_type != "application/pdf":
        return Recognised(text=ocr_image(data), pages=1, pages_read=1, ocr_pages=1)
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    texts: list[str] = []
    ocr_pages = 0
    pages = len(reader.pages)
    for page in list(reader.pages)[:limit]:
        layer = (page.extract_text() or "").strip()
        if sum(ch.isalnum() for ch in layer) >= _MIN_TEXT_LAYER_CHARS:
            texts.append(layer)
            continue
        images = list(page.images)
        if not images:
            texts.append(layer)
            continue
        largest = max(images, key=lambda image: len(image.data))
        try:
            raw = largest.data
            if image_size(raw) is None:  # a filter Pillow cannot open directly
                out = io.BytesIO()
                decoded = largest.image
                if decoded is None:
                    raise OcrError(_("A page of the PDF holds an image that cannot be decoded."))
                decoded.save(out, format="PNG")
                raw = out.getvalue()
        except OcrError:
            raise
        except Exception as error:
            raise OcrError(
                _("A page of the PDF holds an image that cannot be decoded: %(error)s")
                % {"error": error}
            ) from None
        texts.append(ocr_image(raw))
        ocr_pages += 1
    return Recognised(
        text="\n\n".join(t for t in texts if t),
        pages=pages,
        pages_read=min(pages, limit),
        ocr_pages=ocr_pages,
    )
