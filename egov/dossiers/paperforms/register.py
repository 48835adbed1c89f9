"""Form 07, the register of dossiers received (Sổ theo dõi hồ sơ), as a PDF.

The same rows feed the Excel copy (:mod:`egov.dossiers.paperforms.excel`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.utils import timezone

from egov.core.formatting import format_date
from egov.core.models import Unit
from egov.core.periods import period_bounds
from egov.core.selectors.units import parent_of
from egov.dossiers.form_defaults import REGISTER_FORM_CODE
from egov.dossiers.models import Dossier, DossierEvent, Status
from egov.dossiers.paperforms.context import (
    STATUS_NAMES_VI,
    form_template,
    place_name,
    today_fields,
    unit_fields,
)


def register_dossiers(unit: Unit, start: dt.date, end: dt.date) -> Any:
    """Dossiers received by ``unit`` (as one-stop unit or as agency) from ``start`` to
    ``end`` inclusive, in order of receipt."""
    since, until = period_bounds(start, end)
    return (
        Dossier.objects.filter(Q(receiving_unit=unit) | Q(receiving_agency=unit))
        .filter(received_at__gte=since, received_at__lt=until)
        .select_related("procedure_version", "receiving_agency")
        .order_by("received_at", "code")
    )


def _register_note(dossier: Dossier, now: dt.datetime) -> str:
    if dossier.due_at is None:
        return ""
    finished = dossier.resolved_at or dossier.closed_at
    if finished is not None:
        return "Trễ hạn" if finished > dossier.due_at else ""
    return "Quá hạn" if now > dossier.due_at else ""


def _receivers(dossier_ids: list[int]) -> dict[int, str]:
    """The official who received each dossier (the actor of its first receipt)."""
    names: dict[int, str] = {}
    events = (
        DossierEvent.objects.filter(dossier_id__in=dossier_ids, to_status=Status.RECEIVED)
        .select_related("actor")
        .order_by("at", "id")
    )
    for event in events:
        if event.dossier_id not in names and event.actor is not None:
            names[event.dossier_id] = str(
                getattr(event.actor, "full_name", "") or event.actor.get_username()
            )
    return names


def register_rows(unit: Unit, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """The lines of the register (form 07): one per dossier, formatted."""
    now = timezone.now()
    dossiers = list(register_dossiers(unit, start, end))
    receivers = _receivers([dossier.pk for dossier in dossiers])
    rows = []
    for no, dossier in enumerate(dossiers, start=1):
        contact = "; ".join(
            part
            for part in (dossier.applicant_name, dossier.applicant_address, dossier.applicant_phone)
            if part
        )
        rows.append(
            {
                "no": no,
                "code": dossier.code,
                "procedure_name": dossier.procedure_version.name,
                # One dossier is one set (bộ): the dossier records no other count.
                "sets": "01",
                "applicant": contact,
                "handling_agency": dossier.receiving_agency.name,
                "received_by": receivers.get(dossier.pk, ""),
                "received_date": format_date(dossier.received_at),
                "due_date": format_date(dossier.due_at),
                "resolved_date": format_date(dossier.resolved_at),
                "returned_date": format_date(dossier.returned_at),
                "status": STATUS_NAMES_VI.get(dossier.status, str(dossier.status)),
                "note": _register_note(dossier, now),
            }
        )
    return rows


def register_context(unit: Unit, start: dt.date, end: dt.date) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "unit": unit_fields(unit),
        "start_date": format_date(start),
        "end_date": format_date(end),
        "rows": register_rows(unit, start, end),
        "today": today_fields(today),
        "issued_on": today_fields(today),
        "place": place_name(),
    }


def render_register(unit: Unit, start: dt.date, end: dt.date) -> bytes:
    """Form 07 (Sổ theo dõi hồ sơ) of ``unit`` for the period, as an A4 landscape PDF."""
    from egov.dossiers.paperforms.pdf import build_pdf

    title, body = form_template(REGISTER_FORM_CODE)
    parent = parent_of(unit)
    return build_pdf(
        form_code=REGISTER_FORM_CODE,
        title=title,
        body=body,
        context=register_context(unit, start, end),
        superior=parent.name if parent is not None else "",
        issuer=unit.name,
        landscape=True,
        font_size=8,
    )
