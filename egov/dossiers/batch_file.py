"""A batch of receipts as a file: one JSON object per line, each the body the API's
``POST /api/v1/dossiers`` takes (procedure, agency, channel 1 or 3, applicant,
papers, received_at, fee_inputs, note) plus an optional ``reference`` (the
caller's name for the line: a postal tracking number, a row of another system).

:func:`receive_lines` reads the lines, receives the good ones with
:func:`egov.dossiers.services.receive_batch` and answers one result per line, in
order: ``{"line", "reference", "ok", "code", "due_at", "error"}``; a line that
cannot be read gets an ``invalid`` error and takes no number.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _
from pydantic import ValidationError as SchemaError

from egov.core.errors import error_body
from egov.core.models import Unit
from egov.core.selectors.units import get_unit_by_code
from egov.dossiers import services
from egov.dossiers.registry import api_papers
from egov.dossiers.schemas import DossierCreateIn
from egov.procedures.models import ProcedureVersion, VersionStatus

MAX_REFERENCE = 100


class _Refused(Exception):
    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.body = error_body(code, message, field)


def _version(code: str, known: dict[str, ProcedureVersion | None]) -> ProcedureVersion:
    code = code.strip()
    if code not in known:
        known[code] = (
            ProcedureVersion.objects.select_related("procedure")
            .filter(procedure__national_code=code, status=VersionStatus.PUBLISHED)
            .first()
        )
    found = known[code]
    if found is None:
        raise _Refused("unknown_procedure", _("No procedure in force with this code."), "procedure")
    return found


def _agency(code: str, known: dict[str, Unit | None]) -> Unit:
    code = code.strip()
    if code not in known:
        known[code] = get_unit_by_code(code, follow_successor=True)
    found = known[code]
    if found is None:
        raise _Refused("invalid_reference", _("No agency or unit with this identifier code."))
    return found


def _schema_error(error: SchemaError) -> _Refused:
    details = error.errors()
    where = details[0]["loc"] if details else ()
    field = ".".join(str(part) for part in where) or None
    return _Refused("invalid", _("The request is not valid."), field)


def read_line(
    text: str,
    versions: dict[str, ProcedureVersion | None],
    agencies: dict[str, Unit | None],
) -> services.ReceiptIn:
    """One line as a receipt; raises ``_Refused`` with the error body."""
    try:
        data = json.loads(text)
    except ValueError:
        raise _Refused("invalid", _("This line is not a JSON object.")) from None
    if not isinstance(data, dict):
        raise _Refused("invalid", _("This line is not a JSON object."))
    reference = str(data.pop("reference", "") or "")[:MAX_REFERENCE]
    try:
        payload = DossierCreateIn.model_validate(data)
    except SchemaError as error:
        raise _schema_error(error) from None
    return services.ReceiptIn(
        version=_version(payload.procedure, versions),
        agency=_agency(payload.agency, agencies),
        channel=payload.channel,
        applicant=services.ApplicantIn(
            name=payload.applicant.name,
            id_number=payload.applicant.id_number,
            address=payload.applicant.address,
            phone=payload.applicant.phone,
            email=payload.applicant.email,
        ),
        papers=api_papers(payload.papers),
        received_at=payload.received_at,
        fee_inputs=payload.fee_inputs,
        note=payload.note,
        reference=reference,
    )


def receive_lines(
    actor: Any, lines: Iterable[str], *, chunk_size: int = services.batch.DEFAULT_CHUNK
) -> list[dict[str, Any]]:
    """Receive every readable line (blank lines are skipped); one result per line."""
    versions: dict[str, ProcedureVersion | None] = {}
    agencies: dict[str, Unit | None] = {}
    answers: list[dict[str, Any]] = []
    items: list[services.ReceiptIn] = []
    slots: list[dict[str, Any]] = []
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        answer: dict[str, Any] = {"line": number, "reference": "", "ok": False}
        answers.append(answer)
        try:
            item = read_line(text, versions, agencies)
        except _Refused as refused:
            answer.update(code=None, due_at=None, error=refused.body)
            continue
        items.append(item)
        slots.append(answer)
    for answer, result in zip(
        slots, services.receive_batch(actor, items, chunk_size=chunk_size), strict=True
    ):
        found = result.as_dict()
        answer.update(
            reference=found["reference"],
            ok=found["ok"],
            code=found["code"],
            due_at=found["due_at"],
            error=found["error"],
        )
    return answers
