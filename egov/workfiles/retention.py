"""When a closed file is due at the agency archive (nộp lưu vào Lưu trữ cơ quan).

Luật Lưu trữ and Nghị định 30/2020 (Điều 31): files are handed over within one year
counted from the year after the work ended, i.e. by 31 December of the year that
follows the closing year; construction files within three months of the final
settlement (taken as the close date). Files kept for less than five years stay
with the unit until they are destroyed: they are not handed over.
"""

from __future__ import annotations

import calendar
from datetime import date

from django.conf import settings

from egov.workfiles.models import FileKind


def min_years() -> int:
    return int(getattr(settings, "EGOV_WORKFILES_HANDOVER_MIN_YEARS", 5))


def goes_to_archive(retention_years: int | None) -> bool:
    """Permanent files (``None``) and files kept five years or more are handed over."""
    return retention_years is None or retention_years >= min_years()


def add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def handover_due(end: date, *, kind: str, retention_years: int | None) -> date | None:
    """The last day to hand the file over, or ``None`` when it is not handed over."""
    if not goes_to_archive(retention_years):
        return None
    if kind == FileKind.CONSTRUCTION:
        return add_months(end, 3)
    return date(end.year + 1, 12, 31)


def retention_label(retention_years: int | None) -> str:
    from django.utils.translation import gettext as _

    if retention_years is None:
        return _("Permanent")
    return _("%(n)s years") % {"n": retention_years}
