"""Who may see the index of a unit: leaders of the unit (or above it) and the province."""

from __future__ import annotations

from typing import Any

from egov.accounts.permissions import Perm, has_perm_in_unit, units_with_perm
from egov.core.models import Unit, UnitLevel

#: Leaders approve dossiers; auditors and the platform operator see everything they may audit.
INDEX_PERMS = (Perm.APPROVE_DOSSIERS, Perm.VIEW_AUDIT, Perm.OPERATE_PLATFORM)


def may_view_index(user: Any, unit: Unit) -> bool:
    return any(has_perm_in_unit(user, perm, unit) for perm in INDEX_PERMS)


def can_view_index(user: Any) -> bool:
    return any(has_perm_in_unit(user, perm, None) for perm in INDEX_PERMS)


def may_view_sync(user: Any) -> bool:
    return has_perm_in_unit(user, Perm.OPERATE_PLATFORM, None)


def index_units(user: Any) -> list[Unit]:
    """Agencies whose index ``user`` may see, in tree order."""
    allowed = Unit.objects.none()
    for perm in INDEX_PERMS:
        allowed = allowed | units_with_perm(user, perm)
    return list(
        allowed.filter(dissolved_at__isnull=True)
        .exclude(level=UnitLevel.INTERNAL)
        .distinct()
        .order_by("path")
    )
