"""Public lookup of a dossier by its code (``/tra-cuu/`` and ``/api/v1/public/``).

What anyone holding a code may see: the procedure, the receiving agency, the status,
the dates (received, appointment, result ready, returned), the steps as unit, time
and status, and whether the result is ready. Never the applicant's name, ID
number, address, phone, e-mail or papers, nor the names of officials or notes:
the queries below select only the columns shown, so personal data is not even
read from the database.

Repeated guessing is slowed per network and per browser
(:mod:`egov.dossiers.public.limits`, which says how and why);
:func:`throttled_lookup` applies both.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core.formatting import format_date, local
from egov.dossiers.models import Dossier, Status
from egov.dossiers.public.limits import (
    BrowserRun,
    NetworkThrottle,
    browser_refusal,
    network_refusal,
)

#: Wide enough for both agency-code forms (QĐ 20/2020 and the dotted 2025 form)
#: followed by -yymmdd-NNNN; anything else is not looked up at all.
CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9.\-]{4,39}$")
MAX_CODE_LENGTH = 40


@dataclass(frozen=True)
class PublicStep:
    unit: str
    at: dt.datetime
    status_code: int
    status: str


@dataclass(frozen=True)
class PublicDossier:
    code: str
    procedure_name: str
    procedure_code: str
    agency: str
    status_code: int
    status: str
    received_at: dt.datetime | None
    due_at: dt.datetime | None
    resolved_at: dt.datetime | None
    returned_at: dt.datetime | None
    result_ready: bool
    notice: str
    steps: tuple[PublicStep, ...]


def normalise_code(raw: str) -> str:
    """The code as stored: spaces removed (people copy it with spaces), upper case."""
    return "".join(raw.split()).upper()[: MAX_CODE_LENGTH + 1]


def is_well_formed(code: str) -> bool:
    return bool(CODE_PATTERN.match(code))


def status_label(code: int) -> str:
    try:
        return str(Status(code).label)
    except ValueError:
        return str(code)


def _notice(status: int, desk: str, returned_at: dt.datetime | None) -> str:
    if status == Status.RESULT_READY:
        return _(
            "The result is ready. Collect it at %(desk)s, bringing your receipt and "
            "appointment slip, or receive it by the channel you chose."
        ) % {"desk": desk}
    if status == Status.RETURNED and returned_at is not None:
        return _("The result was returned on %(date)s.") % {"date": format_date(returned_at)}
    if status == Status.SUPPLEMENT_REQUESTED:
        return _(
            "The dossier is waiting for papers from the applicant: see the request to "
            "supplement the dossier you received. The time limit is paused meanwhile."
        )
    if status == Status.AWAITING_PAYMENT:
        return _(
            "The dossier is waiting for taxes or fees to be paid. The time limit is "
            "paused meanwhile."
        )
    return ""


def public_view(code: str) -> PublicDossier | None:
    """What the public may see of the dossier ``code``, or ``None`` if there is none
    (or the text cannot be a code).

    One query: the dossier by its unique code, left-joined to its events (one row
    per step, or one row with empty step columns). ``values()`` reads only these
    columns: personal data never leaves the database.
    """
    code = normalise_code(code)
    if not is_well_formed(code):
        return None
    rows = list(
        Dossier.objects.filter(code=code)
        .values(
            "code",
            "status",
            "received_at",
            "due_at",
            "resolved_at",
            "returned_at",
            "procedure_version__name",
            "procedure_version__procedure__national_code",
            "receiving_agency__name",
            "receiving_unit__name",
            "events__at",
            "events__to_status",
            "events__to_unit__name",
            "events__from_unit__name",
        )
        .order_by("events__at", "events__id")
    )
    if not rows:
        return None
    row = rows[0]
    desk = row["receiving_unit__name"] or row["receiving_agency__name"] or ""
    steps = tuple(
        PublicStep(
            unit=event["events__to_unit__name"] or event["events__from_unit__name"] or desk,
            at=timezone.localtime(event["events__at"]),
            status_code=event["events__to_status"],
            status=status_label(event["events__to_status"]),
        )
        for event in rows
        if event["events__at"] is not None
    )
    status = row["status"]
    return PublicDossier(
        code=row["code"],
        procedure_name=row["procedure_version__name"],
        procedure_code=row["procedure_version__procedure__national_code"],
        agency=row["receiving_agency__name"],
        status_code=status,
        status=status_label(status),
        received_at=local(row["received_at"]),
        due_at=local(row["due_at"]),
        resolved_at=local(row["resolved_at"]),
        returned_at=local(row["returned_at"]),
        result_ready=status in (Status.RESULT_READY, Status.RETURNED),
        notice=_notice(status, desk, row["returned_at"]),
        steps=steps,
    )


def not_found_message(code: str) -> str:
    shown = normalise_code(code)[:MAX_CODE_LENGTH] or "—"
    return _(
        "No dossier has the code %(code)s. Check the code on your receipt and appointment "
        "slip (it looks like 000.00.31.H33-260115-0001)."
    ) % {"code": shown}


@dataclass(frozen=True)
class LookupResult:
    """What a rate-limited lookup gave: the dossier, nothing (unknown code), or a
    refusal with the seconds to wait and why, for people."""

    found: PublicDossier | None
    retry_after: int | None = None
    refusal: str = ""
    #: ``too_many_lookups`` (the network's limit) or ``lookups_delayed`` (the browser's run).
    refusal_code: str = ""

    @property
    def status(self) -> int:
        if self.retry_after is not None:
            return 429
        return 404 if self.found is None else 200


def throttled_lookup(network: str | None, code: str, *, browser: str | None = None) -> LookupResult:
    """Look ``code`` up for a client within the guessing limits (:mod:`.limits`):
    ``network`` is its IP address (or another key, e.g. ``sms:<number>``) and
    ``browser`` what names the person's device, if anything does (the cookie of
    :func:`~egov.dossiers.public.limits.browser_of`; ``None`` for a shared kiosk).
    Every public entry point (page, kiosk, API, SMS) goes through here so they share
    one set of counters."""
    throttle = NetworkThrottle(network)
    wait = throttle.retry_after()
    if wait is not None:
        return LookupResult(None, wait, network_refusal(wait), "too_many_lookups")
    run = BrowserRun(browser) if browser else None
    if run is not None and (wait := run.retry_after()) is not None:
        return LookupResult(None, wait, browser_refusal(wait), "lookups_delayed")
    found = public_view(code)
    throttle.count(found=found is not None)
    if run is not None:
        run.count(found=found is not None)
    return LookupResult(found)
