"""Checking uploaded papers by their content, never by their name.

An applicant's upload is accepted only when its bytes are what an accepted type
starts with (PDF, JPEG, PNG) *and* the matching library can open it: a Windows
program renamed ``giay-to.pdf`` starts with ``MZ`` and is refused, and so is a
PDF header glued onto garbage. The file's extension is then set from what it
really is, so the stored name cannot lie either.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from itertools import islice
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


@dataclass(frozen=True)
class UploadKind:
    content_type: str
    extension: str
    label: str


PDF = UploadKind("application/pdf", "pdf", "PDF")
JPEG = UploadKind("image/jpeg", "jpg", "JPEG")
PNG = UploadKind("image/png", "png", "PNG")
ACCEPTED = (PDF, JPEG, PNG)

_SIGNATURES: tuple[tuple[bytes, UploadKind], ...] = (
    (b"%PDF-", PDF),
    (b"\xff\xd8\xff", JPEG),
    (b"\x89PNG\r\n\x1a\n", PNG),
)

# What a few common wrong files start with, to say what the file really is.
_KNOWN_OTHERS: tuple[tuple[bytes, Any], ...] = (
    (b"MZ", gettext_lazy("a Windows program")),
    (b"\x7fELF", gettext_lazy("a program")),
    (b"PK\x03\x04", gettext_lazy("a ZIP archive or an Office document")),
    (b"\xd0\xcf\x11\xe0", gettext_lazy("an old Office document")),
    (b"GIF8", gettext_lazy("a GIF image")),
    (b"Rar!", gettext_lazy("a RAR archive")),
)


def max_upload_bytes() -> int:
    return int(getattr(settings, "EGOV_MAX_UPLOAD_BYTES", 10 * 1024 * 1024))


def _head(file: IO[bytes] | Any, size: int = 16) -> bytes:
    file.seek(0)
    head = file.read(size)
    file.seek(0)
    return bytes(head)


def sniff(file: IO[bytes] | Any) -> UploadKind | None:
    """The accepted type the content starts like, or None."""
    head = _head(file)
    for signature, kind in _SIGNATURES:
        if head.startswith(signature):
            return kind
    return None


def max_pdf_pages() -> int:
    return int(getattr(settings, "EGOV_MAX_UPLOAD_PDF_PAGES", 1000))


#: Indirect objects a PDF may hold, per page allowed: a text-heavy page has a few
#: dozen (fonts, images, annotations); a scan has three or four.
OBJECTS_PER_PAGE = 50

# Counted in the raw bytes before any parsing (cheap, bounded by the file size).
# Pages kept in compressed object streams escape these counts; the bounded walk of
# the page tree after parsing catches them.
_LEAF_PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z0-9#])")
# Bounded and anchored on a non-digit: a signed PDF's /Contents is a hex string of
# thousands of digits, where an unbounded \d+ would retry from every position.
_INDIRECT_OBJECT = re.compile(rb"(?<!\d)\d{1,10}\s+\d{1,5}\s+obj\b")
_XREF_ENTRY = re.compile(rb"(?<!\d)\d{10} \d{5} [fn]")
_DECLARED_SIZE = re.compile(rb"/Size\s+(\d{1,12})")


class PdfTooBig(Exception):
    """The PDF is over a limit; ``pages`` says whether the page count is at fault."""

    def __init__(self, *, pages: bool) -> None:
        super().__init__("too many pages" if pages else "too many objects")
        self.pages = pages


def _more_than(pattern: re.Pattern[bytes], data: bytes, limit: int) -> bool:
    """Whether ``pattern`` occurs more than ``limit`` times (stops counting there)."""
    return next(islice(pattern.finditer(data), limit, None), None) is not None


def _check_pdf_size(data: bytes, max_pages: int) -> None:
    """Refuse, before parsing, a PDF whose bytes show more pages or objects than
    allowed: parsing the cross-reference table and walking the page tree cost CPU
    in proportion to them."""
    if _more_than(_LEAF_PAGE, data, max_pages):
        raise PdfTooBig(pages=True)
    max_objects = max_pages * OBJECTS_PER_PAGE
    if (
        _more_than(_INDIRECT_OBJECT, data, max_objects)
        or _more_than(_XREF_ENTRY, data, max_objects)
        or any(int(size) > max_objects for size in _DECLARED_SIZE.findall(data))
    ):
        raise PdfTooBig(pages=False)


def _pdf_pages(data: bytes, max_pages: int) -> int:
    """The number of pages, walking the page tree with a budget: at most
    ``max_pages`` leaves and twice as many nodes in all (pypdf's own page list
    would visit every leaf, however many). Raises ``PdfTooBig`` over the budget,
    any other exception when the file is not a readable PDF."""
    from pypdf import PdfReader
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    reader = PdfReader(io.BytesIO(data))
    root: Any = reader.trailer["/Root"].get_object()
    tree: Any = root["/Pages"].get_object()
    declared = tree.get("/Count")
    if isinstance(declared, int) and declared > max_pages:
        raise PdfTooBig(pages=True)
    pending: list[Any] = [tree]
    seen: set[tuple[int, int]] = set()
    pages = nodes = 0
    while pending:
        node = pending.pop()
        if isinstance(node, IndirectObject):
            key = (node.idnum, node.generation)
            if key in seen:
                raise ValueError("the page tree has a loop")
            seen.add(key)
            node = node.get_object()
        if not isinstance(node, DictionaryObject):
            raise ValueError("a page tree node is not a dictionary")
        nodes += 1
        if nodes > 2 * max_pages + 1:
            raise PdfTooBig(pages=False)
        kids = node.get("/Kids")
        if node.get("/Type") == "/Page" or kids is None:
            pages += 1
            if pages > max_pages:
                raise PdfTooBig(pages=True)
            continue
        kids = kids.get_object()
        if not isinstance(kids, ArrayObject) or len(kids) > max_pages:
            raise PdfTooBig(pages=True)
        pending.extend(reversed(kids))
    return pages


def _opens(data: bytes, kind: UploadKind) -> bool:
    try:
        if kind is PDF:
            return _pdf_pages(data, max_pdf_pages()) > 0
        from PIL import Image

        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            return image.format == ("JPEG" if kind is JPEG else "PNG")
    except PdfTooBig:
        raise
    except Exception:
        return False


def _too_big_message(name: str, error: PdfTooBig) -> str:
    if error.pages:
        return _(
            "The file “%(name)s” has more than %(max)s pages. Split it into smaller files "
            "and upload them one by one."
        ) % {"name": name, "max": max_pdf_pages()}
    return _(
        "The file “%(name)s” is built in too complicated a way to be checked. Save or "
        "print it again as a PDF, or scan the paper, and upload it again."
    ) % {"name": name}


def _named_as_accepted(name: str) -> bool:
    """Whether the file's name claims a type we accept (.pdf, .jpg, .png…)."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return extension in {"pdf", "jpg", "jpeg", "jpe", "png"}


def check_upload(file: Any, *, field: str = "file") -> UploadKind:
    """Return the file's real type or raise a ValidationError naming ``field``.

    Size first (cheap), then the signature, then (for a PDF) the number of pages
    and objects seen in its bytes, then a parse bounded by that number of pages.
    """
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, io.SEEK_END)
        size = file.tell()
        file.seek(0)
    name = getattr(file, "name", "") or ""
    if size == 0:
        raise ValidationError({field: _("The file “%(name)s” is empty.") % {"name": name}})
    limit = max_upload_bytes()
    if size > limit:
        raise ValidationError(
            {
                field: _("The file “%(name)s” is %(size)s; the limit is %(limit)s.")
                % {"name": name, "size": filesizeformat(size), "limit": filesizeformat(limit)}
            }
        )
    kind = sniff(file)
    if kind is None:
        head = _head(file)
        what = next((label for sig, label in _KNOWN_OTHERS if head.startswith(sig)), "")
        if what:
            message = _(
                "The file “%(name)s” is really %(what)s, not a PDF, JPEG or PNG file. "
                "Upload a scan or a PDF of the paper."
            ) % {"name": name, "what": what}
        elif _named_as_accepted(name):
            message = _(
                "The file “%(name)s” is named like a PDF, JPEG or PNG file but its content "
                "is not one. Upload a scan or a PDF of the paper."
            ) % {"name": name}
        else:
            message = _(
                "The file “%(name)s” is not a PDF, JPEG or PNG file. Upload a scan or a PDF "
                "of the paper."
            ) % {"name": name}
        raise ValidationError({field: message})
    file.seek(0)
    data = bytes(file.read())
    file.seek(0)
    try:
        if kind is PDF:
            _check_pdf_size(data, max_pdf_pages())
        opens = _opens(data, kind)
    except PdfTooBig as error:
        raise ValidationError({field: _too_big_message(name, error)}) from None
    if not opens:
        raise ValidationError(
            {
                field: _("The file “%(name)s” looks like %(type)s but cannot be opened.")
                % {"name": name, "type": kind.label}
            }
        )
    return kind


def safe_name(original: str, kind: UploadKind) -> str:
    """The original base name (kept for the applicant) with the real extension."""
    base = original.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = stem.strip()[:150] or "giay-to"
    return f"{stem}.{kind.extension}"
