"""What staff may do, scoped to a unit and its subtree.

Permission codes are plain strings granted by :class:`~egov.accounts.models.Role`
rows (data an operator can change). A role held in a unit applies to that unit
and every unit below it in the tree. Revoked assignments and assignments in
dissolved units grant nothing.

The grants of a user are read in one query and then kept on the user object, so
a page that checks many units costs one query. ``request.user`` is a new object
for every request, so in the web process this is a per-request cache; any role
change made through the services in this process also invalidates it (see
:func:`roles_changed`). Long-lived user objects elsewhere (tasks, shells) can call
:func:`forget_cached_roles` to re-read.
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
    ASSIGN_DOCUMENTS = "documents.assign"
    MANAGE_UNITS = "org.manage_units"
    MANAGE_STAFF = "accounts.manage_staff"
    MANAGE_CALENDAR = "calendar.manage"
    VIEW_AUDIT = "audit.view"
    OPERATE_PLATFORM = "platform.operate"
    RECONCILE_PAYMENTS = "payments.reconcile"

    @classmethod
    def all(cls) -> frozenset[str]:
        """Every permission code defined above."""
        return frozenset(
            value for name, value in vars(cls).items() if name.isupper() and isinstance(value, str)
        )


# Permissions whose effect is province-wide: only someone who operates the
# platform may hand out a role carrying one of them.
RESTRICTED_PERMS = frozenset({Perm.OPERATE_PLATFORM, Perm.MANAGE_CALENDAR})


class RoleCode:
    """Codes of the roles seeded by migration ``0003_seed_roles``."""

    ONE_STOP_CLERK = "one_stop_clerk"
    SPECIALIST = "specialist"
    UNIT_HEAD = "unit_head"
    AGENCY_LEADER = "agency_leader"
    RECORDS_CLERK = "records_clerk"
    AGENCY_ADMIN = "agency_admin"
    PLATFORM_OPERATOR = "platform_operator"


_CACHE_ATTR = "_egov_role_grants"
_generation = 0

Grant = tuple[str, frozenset[str]]


def roles_changed() -> None:
    """Invalidate every cached grant list in this process (services call this after
    assigning or revoking a role)."""
    global _generation
    _generation += 1


def forget_cached_roles(user: Any) -> None:
    """Drop the grants cached on one user object so the next check re-reads them."""
    if user is not None and hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def active_assignments(user: Any) -> QuerySet[Any]:
    """Roles the user holds now, in units that still exist."""
    from egov.accounts.models import RoleAssignment

    return RoleAssignment.objects.filter(
        user=user, revoked_at__isnull=True, unit__dissolved_at__isnull=True
    ).select_related("role", "unit")


def _grants(user: Any) -> list[Grant]:
    """``(unit path, permissions)`` of each active assignment: one query, then cached."""
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None and cached[0] == _generation:
        grants: list[Grant] = cached[1]
        return grants
    from egov.accounts.models import RoleAssignment

    rows = RoleAssignment.objects.filter(
        user_id=user.pk, revoked_at__isnull=True, unit__dissolved_at__isnull=True
    ).values_list("unit__path", "role__permissions")
    grants = [(path, frozenset(perms or ())) for path, perms in rows]
    setattr(user, _CACHE_ATTR, (_generation, grants))
    return grants


def _is_usable(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def has_perm_in_unit(user: Any, perm: str, unit: Unit | None) -> bool:
    """Whether ``user`` holds ``perm`` in ``unit`` (through a role in it or an ancestor).

    ``unit=None`` asks whether the user holds ``perm`` anywhere.
    """
    if not _is_usable(user):
        return False
    if user.is_superuser:
        return True
    for path, perms in _grants(user):
        if perm in perms and (unit is None or unit.path.startswith(path)):
            return True
    return False


def require_perm(user: Any, perm: str, unit: Unit | None) -> None:
    """Raise ``PermissionDenied`` with a readable reason unless allowed."""
    if not has_perm_in_unit(user, perm, unit):
        raise PermissionDenied(_("You do not have permission to do this in this unit."))


def perms_in_unit(user: Any, unit: Unit) -> frozenset[str]:
    """Every permission ``user`` holds in ``unit`` (for showing or hiding actions)."""
    if not _is_usable(user):
        return frozenset()
    if user.is_superuser:
        return Perm.all()
    held: set[str] = set()
    for path, perms in _grants(user):
        if unit.path.startswith(path):
            held |= perms
    return frozenset(held)


def units_with_perm(user: Any, perm: str) -> QuerySet[Unit]:
    """Every unit where ``user`` holds ``perm``: the subtrees of their assignments."""
    if not _is_usable(user):
        return Unit.objects.none()
    if user.is_superuser:
        return Unit.objects.all()
    paths = sorted({path for path, perms in _grants(user) if perm in perms})
    # A subtree inside another one adds nothing to the filter.
    roots: list[str] = []
    for path in paths:
        if not any(path.startswith(root) for root in roots):
            roots.append(path)
    if not roots:
        return Unit.objects.none()
    condition = Q()
    for path in roots:
        condition |= Q(path__startswith=path)
    return Unit.objects.filter(condition)


def is_applicant(user: Any) -> bool:
    """A signed-in, active citizen or business account (the portal's users)."""
    from egov.accounts.models import AccountKind

    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and getattr(user, "kind", None) in (AccountKind.CITIZEN, AccountKind.BUSINESS)
    )


def operates_platform(user: Any) -> bool:
    """``user`` runs the platform (form templates, declaration forms, message
    templates): the platform-wide ``platform.operate`` permission."""
    return has_perm_in_unit(user, Perm.OPERATE_PLATFORM, None)
