"""Checking uploaded papers by their content, never by their name.

An applicant's upload is accepted only when its bytes are what an accepted type
starts with (PDF, JPEG, PNG) *and* the matching library can open it: a Windows
program renamed ``giay-to.pdf`` starts with ``MZ`` and is refused, and so is a
PDF header glued onto garbage. The file's extension is then set from what it
really is, so the stored name cannot lie either.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
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


def _opens(file: IO[bytes] | Any, kind: UploadKind) -> bool:
    file.seek(0)
    data = file.read()
    file.seek(0)
    try:
        if kind is PDF:
            from pypdf import PdfReader

            reader = PdfReader(io.BytesIO(data))
            return len(reader.pages) > 0
        from PIL import Image

        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            return image.format == ("JPEG" if kind is JPEG else "PNG")
    except Exception:
        return False


def check_upload(file: Any, *, field: str = "file") -> UploadKind:
    """Return the file's real type or raise a ValidationError naming ``field``.

    Size first (cheap), then the signature, then a full parse.
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
        else:
            message = _(
                "The file “%(name)s” is not a PDF, JPEG or PNG file, whatever its name says. "
                "Upload a scan or a PDF of the paper."
            ) % {"name": name}
        raise ValidationError({field: message})
    if not _opens(file, kind):
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
