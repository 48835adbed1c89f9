"""Serving the stored papers of dossiers, always through a permission check.

Uploaded files are never published under a media URL: every download is a view
that first checks the person asking. :func:`attachment` is the one way a stored
file is answered (staff here, applicants in ``egov.applicants``, the document
wallet in ``egov.submissions``): as an attachment under a harmless name, never
sniffed into HTML by the browser, never kept by a shared cache.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Any, cast

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from egov.accounts.decorators import staff_required
from egov.dossiers import selectors
from egov.dossiers.models import Dossier

FALLBACK_NAME = "giay-to"
MAX_NAME_LENGTH = 150


def safe_filename(name: str, fallback: str = FALLBACK_NAME) -> str:
    """``name`` without directories, control characters or quotes, so it can sit in
    a ``Content-Disposition`` header whatever it was (Django adds the RFC 5987 form
    for the Vietnamese letters)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join(
        char
        for char in unicodedata.normalize("NFC", base)
        if not unicodedata.category(char).startswith("C") and char not in "\"';"
    )
    kept = " ".join(kept.split())[-MAX_NAME_LENGTH:].lstrip(". ")
    return kept or fallback


def attachment(
    file: FieldFile, filename: str | None = None, content_type: str | None = None
) -> FileResponse:
    """The stored ``file`` as a download; 404 when it has no content any more."""
    if not file:
        raise Http404
    try:
        handle = file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    name = safe_filename(filename or file.name or "")
    response = FileResponse(handle, as_attachment=True, filename=name)
    if content_type:
        response["Content-Type"] = content_type
    # Personal data: no shared cache keeps it, and no browser guesses it is a page.
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def _paper_file(request: HttpRequest, code: str, paper_id: str) -> FileResponse:
    """A paper (or result document) of a dossier the staff member may see; 404 for a
    dossier outside their scope exactly as for one that does not exist."""
    dossier = (
        Dossier.objects.select_related(
            "receiving_agency", "receiving_unit", "current_unit", "consult_origin_unit"
        )
        .filter(code=code.strip())
        .first()
    )
    if dossier is None or not selectors.can_view(request.user, dossier):
        raise Http404(_("No dossier with this code."))
    paper: Any = dossier.papers.filter(pk=int(paper_id)).exclude(file="").first()
    if paper is None:
        raise Http404
    return attachment(paper.file)


@require_GET
def _apology_file(request: HttpRequest, code: str, letter_id: str) -> FileResponse:
    """The issued PDF of an apology letter of a dossier the staff member may see."""
    dossier = Dossier.objects.filter(code=code.strip()).first()
    if dossier is None or not selectors.can_view(request.user, dossier):
        raise Http404(_("No dossier with this code."))
    letter: Any = dossier.apologies.filter(pk=int(letter_id)).exclude(file="").first()
    if letter is None:
        raise Http404
    return attachment(letter.file)


# Signed-in staff with the second factor (its decorator is typed for page views).
paper_file = staff_required(cast("Callable[..., HttpResponse]", _paper_file))
apology_file = staff_required(cast("Callable[..., HttpResponse]", _apology_file))
