"""Who may file, approve, send and see reports.

Anyone holding a role in a unit (or above it) prepares its reports; the unit's
leaders — those who sign documents in it — approve, sign and send them. People
see the reports of their units' subtrees (the province sees everyone's).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from egov.accounts.permissions import Perm, active_assignments, has_perm_in_unit
from egov.core.models import Unit, UnitLevel

APPROVE_PERM = Perm.SIGN_DOCUMENTS


def _usable(user: Any) -> bool:
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and (getattr(user, "is_staff_member", False) or user.is_superuser)
    )


def _paths(user: Any) -> list[str]:
    return list(active_assignments(user).values_list("unit__path", flat=True))


def works_in(user: Any, unit: Unit) -> bool:
    """Holds a role in ``unit`` or above it."""
    if not _usable(user):
        return False
    if user.is_superuser:
        return True
    return any(unit.path.startswith(path) for path in _paths(user))


def works_for(user: Any, unit: Unit) -> bool:
    """Holds a role in ``unit``, above it, or in one of its internal units (its
    divisions, its one-stop desk): the agency's own staff."""
    if works_in(user, unit):
        return True
    if not _usable(user):
        return False
    for path in _paths(user):
        if not path.startswith(unit.path) or path == unit.path:
            continue
        between = [
            path[: Unit.steplen * n] for n in range(unit.depth + 1, len(path) // Unit.steplen + 1)
        ]
        levels = set(Unit.objects.filter(path__in=between).values_list("level", flat=True))
        if levels == {UnitLevel.INTERNAL}:
            return True
    return False


def may_prepare(user: Any, unit: Unit) -> bool:
    return works_for(user, unit)


def may_approve(user: Any, unit: Unit) -> bool:
    return _usable(user) and has_perm_in_unit(user, APPROVE_PERM, unit)


def require_prepare(user: Any, unit: Unit) -> None:
    if not may_prepare(user, unit):
        raise PermissionDenied(
            _("Only the staff of %(unit)s may prepare its reports.") % {"unit": unit.name}
        )


def require_approve(user: Any, unit: Unit) -> None:
    if not may_approve(user, unit):
        raise PermissionDenied(
            _("Only the leaders of %(unit)s may approve its reports.") % {"unit": unit.name}
        )


def visible_units(user: Any) -> QuerySet[Unit]:
    """The units whose reports ``user`` sees: the subtrees of their roles."""
    if not _usable(user):
        return Unit.objects.none()
    if user.is_superuser:
        return Unit.objects.all()
    condition = Q()
    paths = _paths(user)
    if not paths:
        return Unit.objects.none()
    for path in paths:
        condition |= Q(path__startswith=path)
    return Unit.objects.filter(condition)


def may_see_unit(user: Any, unit: Unit) -> bool:
    return works_for(user, unit)


def home_units(user: Any) -> QuerySet[Unit]:
    """The units where ``user`` holds a role (where they file reports)."""
    if not _usable(user):
        return Unit.objects.none()
    if user.is_superuser:
        return Unit.objects.filter(depth=1, dissolved_at__isnull=True)
    ids = active_assignments(user).values("unit_id")
    return Unit.objects.filter(pk__in=ids, dissolved_at__isnull=True).order_by("path")
