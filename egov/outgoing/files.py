"""Draft files (DOCX, ODT, PDF) recognised by their content, never by their name.

A PDF goes through the platform's upload check (signature, page budget, parse).
DOCX and ODT are ZIP packages: a DOCX must hold ``[Content_Types].xml`` naming the
WordprocessingML main part and ``word/document.xml``; an ODT must start with the
uncompressed ``mimetype`` entry ``application/vnd.oasis.opendocument.text`` and hold
``content.xml``. Anything else is refused with a reason.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from egov.core import uploads


@dataclass(frozen=True)
class DraftFileKind:
    content_type: str
    extension: str
    label: str


PDF = DraftFileKind("application/pdf", "pdf", "PDF")
DOCX = DraftFileKind(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx", "DOCX"
)
ODT = DraftFileKind("application/vnd.oasis.opendocument.text", "odt", "ODT")

_DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
# A package's entries are few; a ZIP claiming thousands is not a letter (or is a bomb).
_MAX_ENTRIES = 2000


def _read_all(file: Any) -> bytes:
    file.seek(0)
    data = bytes(file.read())
    file.seek(0)
    return data


def _zip_kind(data: bytes) -> DraftFileKind | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    if len(entries) > _MAX_ENTRIES:
        return None
    names = {entry.filename for entry in entries}
    try:
        if (
            entries
            and entries[0].filename == "mimetype"
            and "content.xml" in names
            and entries[0].file_size <= 100
            and archive.read("mimetype").strip() == ODT.content_type.encode()
        ):
            return ODT
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size <= 1_000_000:
                types = archive.read(info)
                if _DOCX_MAIN.encode() in types:
                    return DOCX
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError):
        return None
    return None


def check_draft_file(file: Any, *, field: str = "file") -> DraftFileKind:
    """The file's real kind, or a ``ValidationError`` on ``field`` saying why not."""
    name = getattr(file, "name", "") or ""
    data = _read_all(file)
    if not data:
        raise ValidationError({field: _("The file “%(name)s” is empty.") % {"name": name}})
    limit = uploads.max_upload_bytes()
    if len(data) > limit:
        raise ValidationError(
            {
                field: _("The file “%(name)s” is %(size)s; the limit is %(limit)s.")
                % {
                    "name": name,
                    "size": filesizeformat(len(data)),
                    "limit": filesizeformat(limit),
                }
            }
        )
    if data.startswith(b"%PDF-"):
        uploads.check_upload(file, field=field)
        return PDF
    if data.startswith(b"PK\x03\x04"):
        kind = _zip_kind(data)
        if kind is not None:
            return kind
        raise ValidationError(
            {
                field: _(
                    "The file “%(name)s” is a ZIP archive but not a Word (DOCX) or "
                    "OpenDocument (ODT) text."
                )
                % {"name": name}
            }
        )
    raise ValidationError(
        {
            field: _(
                "The file “%(name)s” is not a DOCX, ODT or PDF document, whatever its name says."
            )
            % {"name": name}
        }
    )


def safe_name(original: str, kind: DraftFileKind) -> str:
    base = original.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = stem.strip()[:150] or "du-thao"
    return f"{stem}.{kind.extension}"
