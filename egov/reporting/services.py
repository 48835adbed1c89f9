"""Every change of a report goes through here: create (automatic figures filled),
save figures, submit, return, approve (and sign), open a correction, send to the
Government reporting system. Each runs in one transaction with the report's row
locked, writes a :class:`ReportEvent` and an audit entry.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core import audit
from egov.core.formatting import format_date
from egov.core.models import Unit
from egov.reporting import access, government, sources
from egov.reporting.errors import (
    AlreadyFiled,
    InvalidFigures,
    NotAllowedNow,
    StaleReport,
    UnknownPeriod,
)
from egov.reporting.models import (
    EventKind,
    Indicator,
    IndicatorKind,
    Regime,
    Report,
    ReportEvent,
    Status,
)
from egov.reporting.periods import deadline_of, period_of
from egov.reporting.validation import as_text, check_note, check_values

MAX_SECTION = 20000
REPORTED = (Status.APPROVED, Status.SENT, Status.ACKNOWLEDGED)


def now() -> datetime:
    """The services' clock (tests patch ``reporting.services.now``)."""
    return timezone.now()


def _event(
    report: Report,
    kind: str,
    actor: Any,
    *,
    note: str = "",
    changes: dict[str, Any] | None = None,
    **more: Any,
) -> None:
    ReportEvent.objects.create(
        report=report,
        kind=kind,
        actor=actor,
        at=now(),
        note=note,
        changes={**(changes or {}), **more},
    )


def _audit(actor: Any, action: str, report: Report, **changes: Any) -> None:
    audit.record(
        actor=actor, action=f"reporting.{action}", obj=report, unit=report.unit, changes=changes
    )


def _lock(report: Report | int, expected_version: int | None = None) -> Report:
    pk = report.pk if isinstance(report, Report) else report
    locked = (
        Report.objects.select_for_update(of=("self",)).select_related("regime", "unit").get(pk=pk)
    )
    if expected_version is not None and locked.lock_version != expected_version:
        raise StaleReport()
    return locked


def _bump(report: Report, fields: list[str]) -> None:
    report.lock_version += 1
    report.save(update_fields=[*fields, "lock_version", "updated_at"])


def _indicators(regime: Regime) -> list[Indicator]:
    return list(regime.indicators.all())


# --- automatic figures ---------------------------------------------------------------


def _automatic(regime: Regime, unit: Unit, start: date, end: date) -> sources.Computed:
    keys = [i.source for i in _indicators(regime) if i.source]
    return sources.compute(keys, unit, start, end)


def _apply_automatic(report: Report, computed: sources.Computed) -> None:
    values = dict(report.values)
    for indicator in _indicators(report.regime):
        if not indicator.source:
            continue
        figure = computed.values.get(indicator.source)
        previous = values.get(indicator.code) or {}
        values[indicator.code] = {
            "value": as_text(None if figure is None else Decimal(figure)),
            "note": previous.get("note", ""),
            "auto": True,
        }
    report.values = values
    report.tables = computed.tables
    report.computed_at = now()


def _prefill_from_below(report: Report) -> int:
    """Empty entered numbers of a district's or the province's report start as the
    sum of the reports of the units just below that have reported."""
    from egov.reporting.selectors import aggregate_below

    totals, count = aggregate_below(report.regime, report.period_key, report.unit)
    if not count:
        return 0
    values = dict(report.values)
    for indicator in _indicators(report.regime):
        if indicator.source or indicator.kind not in (IndicatorKind.INTEGER, IndicatorKind.DECIMAL):
            continue
        if indicator.code in totals and not (values.get(indicator.code) or {}).get("value"):
            values[indicator.code] = {
                "value": totals[indicator.code],
                "note": _("Sum of %(n)s reports of subordinate units") % {"n": count},
                "auto": False,
            }
    report.values = values
    return count


# --- creating and editing ---------------------------------------------------------------


def create_report(actor: Any, regime: Regime, unit: Unit, period_key: str) -> Report:
    """Open the unit's report for a period, automatic figures filled in. A second
    report for the same regime, unit and period is refused."""
    access.require_prepare(actor, unit)
    if not regime.is_active or unit.level not in (regime.levels or []):
        raise NotAllowedNow(
            _("%(unit)s does not file “%(regime)s”.") % {"unit": unit.name, "regime": regime.title}
        )
    period = period_of(regime, period_key)
    if period is None:
        raise UnknownPeriod(period_key)
    existing = Report.objects.filter(
        regime=regime, unit=unit, period_key=period.key, is_current=True
    ).first()
    if existing is not None:
        raise AlreadyFiled(period.label, existing.get_status_display())
    computed = _automatic(regime, unit, period.start, period.end)
    report = Report(
        regime=regime,
        unit=unit,
        period_key=period.key,
        period_label=period.label,
        period_start=period.start,
        period_end=period.end,
        deadline=deadline_of(regime, period),
        prepared_by=actor,
    )
    _apply_automatic(report, computed)
    children = _prefill_from_below(report)
    try:
        with transaction.atomic():
            report.save()
            _event(report, EventKind.CREATED, actor, aggregated_reports=children)
            _audit(actor, "created", report, period=period.key)
    except IntegrityError:
        # Two clerks (or a double click) at once: the other one's report stands.
        raise AlreadyFiled(period.label, str(Status.DRAFT.label)) from None
    return report


def recompute(actor: Any, report: Report) -> Report:
    """Compute the automatic figures again (a draft only)."""
    access.require_prepare(actor, report.unit)
    computed = _automatic(report.regime, report.unit, report.period_start, report.period_end)
    with transaction.atomic():
        current = _lock(report)
        _require_draft(current)
        _apply_automatic(current, computed)
        _bump(current, ["values", "tables", "computed_at"])
        _event(current, EventKind.RECOMPUTED, actor)
        _audit(actor, "recomputed", current)
    return current


def _require_draft(report: Report) -> None:
    if not report.is_current:
        raise NotAllowedNow(
            _("This version has been replaced by a correction; open the latest one.")
        )
    if report.status != Status.DRAFT:
        if report.status in REPORTED:
            raise NotAllowedNow(
                _(
                    "This report has been approved and can no longer be changed. To change "
                    "a figure, open a correction: it becomes a new version and this one is "
                    "kept in the history."
                )
            )
        raise NotAllowedNow(
            _("This report is waiting for approval; it can be changed once returned.")
        )


def _clean_texts(regime: Regime, texts: Mapping[str, Any]) -> dict[str, str]:
    codes = [section.get("code") for section in regime.sections or []]
    return {code: str(texts.get(code) or "").strip()[:MAX_SECTION] for code in codes if code}


def save_figures(
    actor: Any,
    report: Report,
    *,
    values: Mapping[str, Any],
    notes: Mapping[str, Any] | None = None,
    texts: Mapping[str, Any] | None = None,
    expected_version: int | None = None,
) -> Report:
    """Save the entered figures (automatic ones stay as computed), their notes and
    the text sections. Any figure breaking its rule refuses the whole save."""
    access.require_prepare(actor, report.unit)
    notes = notes or {}
    with transaction.atomic():
        current = _lock(report, expected_version)
        _require_draft(current)
        manual = [i for i in _indicators(current.regime) if not i.source]
        clean, errors = check_values(manual, values, complete=False)
        if errors:
            raise InvalidFigures(errors)
        # Only the figures sent change: a partial form keeps the others.
        clean = {code: value for code, value in clean.items() if code in values}
        before = {code: (current.values.get(code) or {}).get("value", "") for code in clean}
        merged = dict(current.values)
        for code, value in clean.items():
            merged[code] = {"value": value, "note": check_note(notes.get(code)), "auto": False}
        for indicator in current.regime.indicators.filter(source__gt=""):
            if indicator.code in notes and indicator.code in merged:
                merged[indicator.code] = {
                    **merged[indicator.code],
                    "note": check_note(notes.get(indicator.code)),
                }
        current.values = merged
        if texts is not None:
            current.texts = _clean_texts(current.regime, texts)
        _bump(current, ["values", "texts"])
        changed = {c: [before[c], v] for c, v in clean.items() if before[c] != v}
        _event(current, EventKind.SAVED, actor, changes=changed)
        _audit(actor, "saved", current, figures=changed)
    return current


def _value_map(report: Report) -> dict[str, str]:
    return {code: (item or {}).get("value", "") for code, item in report.values.items()}


def submit(
    actor: Any, report: Report, *, late_reason: str = "", expected_version: int | None = None
) -> Report:
    """Hand the report to the unit's leader. Every required figure and sum rule must
    hold; after the deadline a reason for the lateness is required and the report is
    recorded as late."""
    access.require_prepare(actor, report.unit)
    with transaction.atomic():
        current = _lock(report, expected_version)
        if current.status == Status.SUBMITTED:
            raise NotAllowedNow(
                _("This report has already been submitted; it is waiting for approval.")
            )
        _require_draft(current)
        _clean, errors = check_values(
            _indicators(current.regime), _value_map(current), complete=True
        )
        for section in current.regime.sections or []:
            if section.get("required") and not (current.texts or {}).get(section.get("code")):
                errors[section["code"]] = _("The section “%(title)s” is required.") % {
                    "title": section.get("title", "")
                }
        if errors:
            raise InvalidFigures(errors)
        at = now()
        late = timezone.localdate(at) > current.deadline
        reason = late_reason.strip()
        if late and not reason:
            raise ValidationError(
                {
                    "late_reason": _(
                        "The deadline was %(deadline)s: this report is late. Say why, then "
                        "submit again; it will be recorded as late."
                    )
                    % {"deadline": format_date(current.deadline)}
                }
            )
        current.status = Status.SUBMITTED
        current.submitted_at = at
        current.is_late = late
        current.late_reason = reason if late else ""
        _bump(current, ["status", "submitted_at", "is_late", "late_reason"])
        _event(current, EventKind.SUBMITTED, actor, note=reason, late=late)
        _audit(actor, "submitted", current, status=[Status.DRAFT, Status.SUBMITTED], late=late)
    return current


def return_report(actor: Any, report: Report, *, note: str) -> Report:
    """The leader sends the report back to be changed (a reason is required)."""
    access.require_approve(actor, report.unit)
    note = note.strip()
    if not note:
        raise ValidationError({"note": _("Say what should be changed.")})
    with transaction.atomic():
        current = _lock(report)
        if current.status != Status.SUBMITTED or not current.is_current:
            raise NotAllowedNow(_("This report is not waiting for approval."))
        current.status = Status.DRAFT
        _bump(current, ["status"])
        _event(current, EventKind.RETURNED, actor, note=note)
        _audit(actor, "returned", current, status=[Status.SUBMITTED, Status.DRAFT])
    return current


def approve(actor: Any, report: Report, *, pin: str = "") -> Report:
    """The unit's leader approves; the report's PDF is signed with the leader's key
    when they have one (else the approval is recorded and the report is unsigned)."""
    from egov.reporting.exports import report_pdf
    from egov.signatures import errors as signature_errors
    from egov.signatures import services as signatures

    access.require_approve(actor, report.unit)
    with transaction.atomic():
        current = _lock(report)
        if current.status != Status.SUBMITTED or not current.is_current:
            raise NotAllowedNow(_("This report is not waiting for approval."))
        at = now()
        current.status = Status.APPROVED
        current.approved_by = actor
        current.approved_at = at
        pdf = report_pdf(current)
        signed: bytes | None = None
        try:
            holder = signatures.holder_for_person(actor, pin=pin)
        except signature_errors.NoSigningKey:
            holder = None
        if holder is not None:
            signed = signatures.sign_pdf(
                pdf,
                holder=holder,
                actor=actor,
                unit=current.unit,
                reason=_("Approval of the report"),
                subject=str(current),
            )
        current.is_signed = signed is not None
        current.signed_pdf = signed
        _bump(current, ["status", "approved_by", "approved_at", "is_signed", "signed_pdf"])
        _event(current, EventKind.APPROVED, actor, signed=current.is_signed)
        if signed is not None:
            _event(current, EventKind.SIGNED, actor)
        _audit(
            actor,
            "approved",
            current,
            status=[Status.SUBMITTED, Status.APPROVED],
            signed=current.is_signed,
        )
    return current


def open_correction(actor: Any, report: Report, *, reason: str) -> Report:
    """After approval a figure changes only through a correction: a new version (a
    draft with the same figures) replaces this one, which stays in the history."""
    access.require_prepare(actor, report.unit)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say what is corrected and why.")})
    with transaction.atomic():
        current = _lock(report)
        if not current.is_current:
            raise NotAllowedNow(
                _("This version has been replaced by a correction; open the latest one.")
            )
        if current.status not in REPORTED:
            raise NotAllowedNow(
                _("Only an approved report is corrected; change this one directly.")
            )
        current.is_current = False
        _bump(current, ["is_current"])
        fresh = Report.objects.create(
            regime=current.regime,
            unit=current.unit,
            period_key=current.period_key,
            period_label=current.period_label,
            period_start=current.period_start,
            period_end=current.period_end,
            deadline=current.deadline,
            version=current.version + 1,
            supersedes=current,
            correction_reason=reason,
            values=current.values,
            texts=current.texts,
            tables=current.tables,
            computed_at=current.computed_at,
            prepared_by=actor,
        )
        _event(current, EventKind.CORRECTED, actor, note=reason, new_version=fresh.version)
        _event(fresh, EventKind.CREATED, actor, note=reason, corrects=current.version)
        _audit(actor, "corrected", fresh, version=[current.version, fresh.version])
    return fresh


# --- sending -------------------------------------------------------------------------------


#: Attempts (each with the adapter's own quick retries) before the job stops trying;
#: the leader can queue the report again.
MAX_SEND_ATTEMPTS = 8


def send(actor: Any, report: Report) -> Report:
    """Queue an approved report for the Government reporting system. Nothing is sent
    in the request: the background job ``reporting.send_reports``
    (:func:`send_queued`) sends it, retries with a growing delay while the other side
    does not answer, then asks for its acknowledgement. Queuing twice is harmless."""
    access.require_approve(actor, report.unit)
    with transaction.atomic():
        current = _lock(report)
        if not current.regime.sends_to_government:
            raise NotAllowedNow(_("This regime is not sent to the Government reporting system."))
        if current.status not in (Status.APPROVED, Status.SENT) or not current.is_current:
            raise NotAllowedNow(_("Only an approved report can be sent."))
        if current.next_send_at is not None:
            return current  # already waiting for the job
        current.send_requested_by = actor
        current.send_queued_at = now()
        current.next_send_at = current.send_queued_at
        current.send_attempts = 0
        current.send_error = ""
        _bump(
            current,
            ["send_requested_by", "send_queued_at", "next_send_at", "send_attempts", "send_error"],
        )
        _event(current, EventKind.SEND_QUEUED, actor)
        _audit(actor, "send_queued", current)
    return current


def _send_one(report_id: int) -> Report:
    """One attempt at sending a queued report (the job has claimed it)."""
    with transaction.atomic():
        current = _lock(report_id)
        payload = government.payload_of(current)
    try:
        receipt = government.submit(payload)
    except government.GovernmentUnavailable as error:
        with transaction.atomic():
            failed = _lock(report_id)
            failed.send_attempts += 1
            failed.send_error = str(error)[:300]
            if failed.send_attempts >= MAX_SEND_ATTEMPTS:
                failed.next_send_at = None  # given up: a leader queues it again
            else:
                failed.next_send_at = now() + timedelta(minutes=min(2**failed.send_attempts, 60))
            _bump(failed, ["send_attempts", "send_error", "next_send_at"])
            _event(failed, EventKind.SEND_FAILED, None, note=str(error)[:300])
            _audit(failed.send_requested_by, "send_failed", failed, attempt=failed.send_attempts)
        return failed
    with transaction.atomic():
        sent = _lock(report_id)
        if sent.status == Status.APPROVED:
            sent.status = Status.SENT
            sent.sent_at = now()
        sent.send_attempts += 1
        sent.remote_id = receipt
        sent.send_error = ""
        sent.next_send_at = None
        _bump(
            sent, ["status", "sent_at", "send_attempts", "remote_id", "send_error", "next_send_at"]
        )
        _event(sent, EventKind.SENT, None, receipt=receipt)
        _audit(sent.send_requested_by, "sent", sent, receipt=receipt)
    return check_acknowledgement(None, sent)


def send_queued(*, limit: int = 20, acknowledgements: int = 50) -> str:
    """The background job: send the reports whose time has come, then ask the
    Government system about the sent reports it has not acknowledged yet. Safe to
    run from several processes: each report is claimed before it is sent."""
    moment = now()
    due = list(
        Report.objects.filter(next_send_at__lte=moment, is_current=True)
        .order_by("next_send_at", "pk")
        .values_list("pk", "next_send_at")[:limit]
    )
    sent = failed = 0
    for pk, when in due:
        # Claim it: a runner that read the same row finds it moved on.
        lease = moment + timedelta(minutes=10)
        if not Report.objects.filter(pk=pk, next_send_at=when).update(next_send_at=lease):
            continue
        result = _send_one(pk)
        if result.status in (Status.SENT, Status.ACKNOWLEDGED) and result.next_send_at is None:
            sent += 1
        else:
            failed += 1
    acknowledged = 0
    waiting = Report.objects.filter(
        status=Status.SENT, is_current=True, next_send_at__isnull=True
    ).exclude(remote_id="")
    for report in waiting.select_related("regime", "unit").order_by("sent_at")[:acknowledgements]:
        if check_acknowledgement(None, report).status == Status.ACKNOWLEDGED:
            acknowledged += 1
    if not (sent or failed or acknowledged):
        return ""
    return f"{sent} sent, {failed} failed, {acknowledged} acknowledged"


def check_acknowledgement(actor: Any, report: Report) -> Report:
    """Ask the Government system whether it accepted the sent report."""
    if report.status != Status.SENT or not report.remote_id:
        return report
    try:
        accepted = government.acknowledged(report.remote_id)
    except government.GovernmentUnavailable:
        return report
    if not accepted:
        return report
    with transaction.atomic():
        current = _lock(report)
        if current.status != Status.SENT:
            return current
        current.status = Status.ACKNOWLEDGED
        current.acknowledged_at = now()
        _bump(current, ["status", "acknowledged_at"])
        _event(current, EventKind.ACKNOWLEDGED, actor, receipt=current.remote_id)
        _audit(actor, "acknowledged", current, receipt=current.remote_id)
    return current
