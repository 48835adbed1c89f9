"""The only write path for calendar overrides (swapped and extra days off or worked).

Each function checks ``Perm.MANAGE_CALENDAR`` (held anywhere: the calendar is
province-wide and the permission is restricted to roles only a platform operator
can grant), validates, writes in one transaction with its audit entry, and drops
this process's cached calendar once the transaction commits. Other processes see
the change within ``EGOV_CALENDAR_CACHE_SECONDS``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from egov.accounts.permissions import Perm, require_perm
from egov.core import audit
from egov.core.models import CalendarOverride
from egov.core.workcalendar import CalendarRangeError, build_calendar, invalidate_calendar

_REASON_MAX = CalendarOverride._meta.get_field("reason").max_length or 255


def _snapshot(override: CalendarOverride) -> dict[str, Any]:
    return {
        "date": override.date.isoformat(),
        "is_working_day": override.is_working_day,
        "reason": override.reason,
    }


def _duplicate_error(day: date) -> ValidationError:
    return ValidationError(
        {
            "date": _("%(date)s already has an override; change that one instead.")
            % {"date": f"{day:%d/%m/%Y}"}
        }
    )


def validate_override(
    day: date, *, is_working_day: bool, reason: str, exclude_pk: int | None = None
) -> str:
    """Check an override before it is written; return the cleaned reason.

    Raises ``ValidationError`` keyed by field. An override that would not change the
    day (a working Monday marked working, a holiday marked off) is refused, so the
    table only holds real exceptions.
    """
    errors: dict[str, str] = {}
    cleaned = (reason or "").strip()
    if not cleaned:
        errors["reason"] = _("Give the reason, e.g. the decision that announces the change.")
    elif len(cleaned) > _REASON_MAX:
        errors["reason"] = _("The reason is too long (at most %(max)s characters).") % {
            "max": _REASON_MAX
        }
    try:
        # The calendar without any override: what the day would be on its own.
        base = build_calendar({}).describe(day)
    except CalendarRangeError as exc:
        errors["date"] = str(exc)
    else:
        if base.is_working_day == is_working_day:
            if is_working_day:
                message = _("%(date)s is already a working day; the override would change nothing.")
            else:
                message = _(
                    "%(date)s is already a day off (%(reason)s); the override would change nothing."
                )
            errors["is_working_day"] = message % {"date": f"{day:%d/%m/%Y}", "reason": base.reason}
    duplicates = CalendarOverride.objects.filter(date=day)
    if exclude_pk is not None:
        duplicates = duplicates.exclude(pk=exclude_pk)
    if duplicates.exists():
        errors["date"] = _duplicate_error(day).message_dict["date"][0]
    if errors:
        raise ValidationError(errors)
    return cleaned


def add_override(actor: Any, day: date, *, is_working_day: bool, reason: str) -> CalendarOverride:
    """Make ``day`` a working day or a day off, whatever weekdays and holidays say."""
    require_perm(actor, Perm.MANAGE_CALENDAR, None)
    with transaction.atomic():
        cleaned = validate_override(day, is_working_day=is_working_day, reason=reason)
        try:
            with transaction.atomic():
                override = CalendarOverride.objects.create(
                    date=day,
                    is_working_day=is_working_day,
                    reason=cleaned,
                    created_by=actor if getattr(actor, "pk", None) else None,
                )
        except IntegrityError:
            # Another request added the same date a moment ago.
            raise _duplicate_error(day) from None
        audit.record(
            actor=actor,
            action="calendar.override_added",
            obj=override,
            changes=audit.diff({}, _snapshot(override)),
        )
        transaction.on_commit(invalidate_calendar)
    return override


def change_override(
    actor: Any,
    override: CalendarOverride,
    *,
    day: date | None = None,
    is_working_day: bool | None = None,
    reason: str | None = None,
) -> CalendarOverride:
    """Change an override's date, status or reason (``None`` keeps the current value)."""
    require_perm(actor, Perm.MANAGE_CALENDAR, None)
    with transaction.atomic():
        locked = CalendarOverride.objects.select_for_update().get(pk=override.pk)
        before = _snapshot(locked)
        new_day = locked.date if day is None else day
        new_working = locked.is_working_day if is_working_day is None else is_working_day
        cleaned = validate_override(
            new_day,
            is_working_day=new_working,
            reason=locked.reason if reason is None else reason,
            exclude_pk=locked.pk,
        )
        locked.date, locked.is_working_day, locked.reason = new_day, new_working, cleaned
        changes = audit.diff(before, _snapshot(locked))
        if changes:
            try:
                with transaction.atomic():
                    locked.save(update_fields=["date", "is_working_day", "reason"])
            except IntegrityError:
                raise _duplicate_error(new_day) from None
            audit.record(
                actor=actor, action="calendar.override_changed", obj=locked, changes=changes
            )
            transaction.on_commit(invalidate_calendar)
    return locked


def remove_override(actor: Any, override: CalendarOverride) -> None:
    """Delete an override: the day follows weekdays and holidays again."""
    require_perm(actor, Perm.MANAGE_CALENDAR, None)
    with transaction.atomic():
        locked = CalendarOverride.objects.select_for_update().get(pk=override.pk)
        audit.record(
            actor=actor,
            action="calendar.override_removed",
            obj=locked,
            changes=audit.diff(_snapshot(locked), {}),
        )
        locked.delete()
        transaction.on_commit(invalidate_calendar)
