"""Official number sequences: dossier codes, document numbers, any gap-free counter.

Every number comes from :func:`next_value`, a single ``INSERT … ON CONFLICT DO
UPDATE … RETURNING`` on the ``core_sequence`` row of a (scope, period). It must run
inside the caller's transaction: the row stays locked until that transaction ends,
so a concurrent caller waits, and a rolled-back transaction takes its number back
with it. That is what makes the series gap-free and duplicate-free.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from egov.core.models import Sequence

Reset = Literal["daily", "yearly", "never"]
RESETS: tuple[str, ...] = ("daily", "yearly", "never")
NEVER_PERIOD = "-"
DOSSIER_SEQUENCE_DIGITS = 4


class NumberingError(RuntimeError):
    """A number was requested in a way that could break the series."""


def next_value(scope: str, period: str, *, using: str = DEFAULT_DB_ALIAS) -> int:
    """Issue the next number of ``scope`` in ``period`` (1 for the first one).

    Must be called inside ``transaction.atomic()``; the number is only final when that
    transaction commits, and is handed to the next caller if it rolls back.
    """
    if not scope or not period:
        raise ValueError("scope and period must not be empty")
    connection = connections[using]
    if not connection.in_atomic_block:
        raise NumberingError(
            "numbering.next_value() must be called inside transaction.atomic(): "
            "outside a transaction the number could be lost and leave a gap."
        )
    table = connection.ops.quote_name(Sequence._meta.db_table)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    # One statement both creates the row and increments it; the row lock it takes
    # (PostgreSQL) or the write lock (SQLite) lasts until the caller's commit.
    sql = (
        f"INSERT INTO {table} (scope, period, last_value, updated_at) "  # noqa: S608
        "VALUES (%s, %s, 1, %s) "
        "ON CONFLICT (scope, period) DO UPDATE "
        f"SET last_value = {table}.last_value + 1, updated_at = EXCLUDED.updated_at "
        "RETURNING last_value"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [scope, period, now])
        row = cursor.fetchone()
    if row is None:  # pragma: no cover - RETURNING always yields the row
        raise NumberingError(f"no value returned for sequence {scope}/{period}")
    return int(row[0])


def next_values(scope: str, period: str, count: int, *, using: str = DEFAULT_DB_ALIAS) -> int:
    """Issue ``count`` consecutive numbers of ``scope`` in ``period`` at once and
    return the first (the block is ``first … first + count - 1``).

    The same single upsert as :func:`next_value`, adding ``count`` instead of 1, so a
    batch takes its block in one statement and holds the row lock until its
    transaction ends: rolled back, the whole block goes back; no one else can take a
    number inside it. Must be called inside ``transaction.atomic()``.
    """
    if not scope or not period:
        raise ValueError("scope and period must not be empty")
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError(f"count must be a positive integer, not {count!r}")
    connection = connections[using]
    if not connection.in_atomic_block:
        raise NumberingError(
            "numbering.next_values() must be called inside transaction.atomic(): "
            "outside a transaction the numbers could be lost and leave a gap."
        )
    table = connection.ops.quote_name(Sequence._meta.db_table)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    sql = (
        f"INSERT INTO {table} (scope, period, last_value, updated_at) "  # noqa: S608
        "VALUES (%s, %s, %s, %s) "
        "ON CONFLICT (scope, period) DO UPDATE "
        f"SET last_value = {table}.last_value + EXCLUDED.last_value, "
        "updated_at = EXCLUDED.updated_at "
        "RETURNING last_value"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [scope, period, count, now])
        row = cursor.fetchone()
    if row is None:  # pragma: no cover - RETURNING always yields the row
        raise NumberingError(f"no value returned for sequence {scope}/{period}")
    return int(row[0]) - count + 1


def local_date(moment: datetime | date) -> date:
    """The calendar date of ``moment`` in the province's time zone (settings.TIME_ZONE)."""
    if isinstance(moment, datetime):
        if timezone.is_naive(moment):
            raise ValueError("a timezone-aware datetime is required to pick the local date")
        return moment.astimezone(ZoneInfo(settings.TIME_ZONE)).date()
    return moment


def period_key(moment: datetime | date, reset: str) -> str:
    """Name of the reset window containing ``moment``: ``yymmdd`` for a daily series,
    ``yyyy`` for a yearly one, ``-`` for a series that never restarts."""
    if reset == "never":
        return NEVER_PERIOD
    day = local_date(moment)
    if reset == "daily":
        return day.strftime("%y%m%d")
    if reset == "yearly":
        return f"{day.year:04d}"
    raise ValueError(f"unknown sequence reset {reset!r}; expected one of {', '.join(RESETS)}")


def dossier_sequence_reset() -> str:
    """The configured reset of dossier code sequences (EGOV_DOSSIER_SEQUENCE_RESET)."""
    reset = str(getattr(settings, "EGOV_DOSSIER_SEQUENCE_RESET", "daily")).strip().lower()
    if reset not in RESETS:
        raise ImproperlyConfigured(
            f"EGOV_DOSSIER_SEQUENCE_RESET={reset!r}: expected one of {', '.join(RESETS)}"
        )
    return reset


def issue_dossier_code(agency_code: str, received_at: datetime) -> str:
    """Issue the next dossier code (mã hồ sơ) of the receiving agency.

    Format ``<agency code>-<yymmdd of receipt>-<NNNN>``, e.g.
    ``000.00.12.H33-200115-0001``. The sequence belongs to the agency and restarts
    each day or each year (EGOV_DOSSIER_SEQUENCE_RESET); the date part is always the
    local receipt date. Past 9999 the number simply widens to 5 digits
    (``…-10000``): the code stays unique, and refusing the dossier would be worse.
    Call inside the transaction that creates the dossier.
    """
    scope, period, prefix = dossier_code_scope(agency_code, received_at)
    return dossier_code(prefix, next_value(scope, period))


def dossier_code_scope(agency_code: str, received_at: datetime) -> tuple[str, str, str]:
    """``(scope, period, code prefix)`` of the dossier codes of ``agency_code`` for a
    receipt at ``received_at`` (see :func:`issue_dossier_code`)."""
    agency_code = agency_code.strip()
    if not agency_code or "-" in agency_code:
        raise ValueError(f"invalid agency code for a dossier code: {agency_code!r}")
    received_on = local_date(received_at)
    period = period_key(received_on, dossier_sequence_reset())
    return f"dossier:{agency_code}", period, f"{agency_code}-{received_on:%y%m%d}-"


def dossier_code(prefix: str, number: int) -> str:
    """The code numbered ``number`` after ``prefix`` (from :func:`dossier_code_scope`)."""
    return f"{prefix}{number:0{DOSSIER_SEQUENCE_DIGITS}d}"


def issue_dossier_codes(agency_code: str, received_at: list[datetime]) -> list[str]:
    """The dossier codes of a batch received at one agency, in the order given:
    one :func:`next_values` per (scope, period) instead of one upsert per code.
    Receipts of one period get consecutive numbers in the order of ``received_at``'s
    list, as one-by-one receipts in that order would. Call inside the transaction
    that creates the dossiers."""
    scopes = [dossier_code_scope(agency_code, moment) for moment in received_at]
    counts: dict[tuple[str, str], int] = {}
    for scope, period, _prefix in scopes:
        counts[(scope, period)] = counts.get((scope, period), 0) + 1
    following = {key: next_values(key[0], key[1], count) for key, count in counts.items()}
    codes: list[str] = []
    for scope, period, prefix in scopes:
        number = following[(scope, period)]
        following[(scope, period)] = number + 1
        codes.append(dossier_code(prefix, number))
    return codes


def issue_document_number(register_key: str, year: int) -> int:
    """Issue the next number of a document register for ``year`` (restarts each
    1 January, Nghị định 30/2020). Confidential documents use their own register key;
    which key a document goes to is the caller's decision."""
    if not register_key:
        raise ValueError("register_key must not be empty")
    if not 1 <= year <= 9999:
        raise ValueError(f"invalid year {year!r}")
    return next_value(f"register:{register_key}", f"{year:04d}")


def current_value(scope: str, period: str) -> int:
    """Last number issued (and committed, as seen by this transaction); 0 if none."""
    row = Sequence.objects.filter(scope=scope, period=period).values_list("last_value", flat=True)
    return int(row.first() or 0)
