"""What staff may do, scoped to a unit and its subtree.

Permission codes are plain strings granted by :class:`~egov.accounts.models.Role`
rows (data an operator can change). A role held in a unit applies to that unit
and every unit below it in the tree.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from egov.core.models import Unit


class Perm:
    """Permission codes known to the platform (roles grant them as data)."""

    RECEIVE_DOSSIERS = "dossiers.receive"
    PROCESS_DOSSIERS = "dossiers.process"
    APPROVE_DOSSIERS = "dossiers.approve"
    RETURN_RESULTS = "dossiers.return"
    REGISTER_DOCUMENTS = "documents.register"
    SIGN_DOCUMENTS = "documents.sign"
    MANAGE_UNITS = "org.manage_units"
    MANAGE_STAFF = "accounts.manage_staff"
    MANAGE_CALENDAR = "calendar.manage"
    VIEW_AUDIT = "audit.view"
    OPERATE_PLATFORM = "platform.operate"


def _active_assignments(user: Any) -> QuerySet[Any]:
    from egov.accounts.models import RoleAssignment

    return RoleAssignment.objects.filter(
        user=user, revoked_at__isnull=True, unit__dissolved_at__isnull=True
    ).select_related("role", "unit")


def has_perm_in_unit(user: Any, perm: str, unit: Unit | None) -> bool:
    """Whether ``user`` holds ``perm`` in ``unit`` (through a role in it or an ancestor).

    ``unit=None`` asks whether the user holds ``perm`` anywhere.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    for assignment in _active_assignments(user):
        if perm not in assignment.role.permissions:
            continue
        if unit is None or unit.path.startswith(assignment.unit.path):
            return True
    return False


def require_perm(user: Any, perm: str, unit: Unit | None) -> None:
    """Raise ``PermissionDenied`` with a readable reason unless allowed."""
    if not has_perm_in_unit(user, perm, unit):
        raise PermissionDenied(_("You do not have permission to do this in this unit."))


def units_with_perm(user: Any, perm: str) -> QuerySet[Unit]:
    """Every unit where ``user`` holds ``perm``: the subtrees of their assignments."""
    if user is None or not user.is_authenticated:
        return Unit.objects.none()
    if user.is_superuser:
        return Unit.objects.all()
    paths = [a.unit.path for a in _active_assignments(user) if perm in a.role.permissions]
    if not paths:
        return Unit.objects.none()
    condition = Q()
    for path in paths:
        condition |= Q(path__startswith=path)
    return Unit.objects.filter(condition)
