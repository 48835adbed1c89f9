"""Who may keep an agency's file list, and see and work on its files.

The records clerks (``documents.register``) and leaders (``documents.assign``) of an
agency keep its yearly list and see all its files; a file is also seen and worked on
by its responsible person and by everyone holding a role in its responsible unit or
above it. Only the records clerk records the hand-over to the archive. The
documents inside are shown only to the people their own app lets see them
(:mod:`egov.workfiles.sources`).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from egov.accounts.permissions import Perm, active_assignments, has_perm_in_unit, units_with_perm
from egov.core.models import Unit
from egov.documents.access import agency_of
from egov.workfiles.models import WorkFile


def _usable(user: Any) -> bool:
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and (getattr(user, "is_staff_member", False) or user.is_superuser)
    )


def _paths(user: Any) -> list[str]:
    return [a.unit.path for a in active_assignments(user)]


def agencies(user: Any) -> list[Unit]:
    """The agencies where ``user`` works (holds an active role)."""
    if not _usable(user):
        return []
    if user.is_superuser:
        return list(Unit.objects.filter(dissolved_at__isnull=True).exclude(level="internal"))
    found: dict[int, Unit] = {}
    for assignment in active_assignments(user):
        agency = agency_of(assignment.unit)
        found.setdefault(agency.pk, agency)
    return sorted(found.values(), key=lambda unit: unit.path)


def units_in(user: Any, agency: Unit) -> QuerySet[Unit]:
    """Units of ``agency`` ``user`` may open a file for: where they work and below (a
    records clerk or leader: the whole agency)."""
    if may_keep_list(user, agency):
        roots = [agency.path]
    else:
        roots = [p for p in _paths(user) if p.startswith(agency.path)]
    if not roots:
        return Unit.objects.none()
    condition = Q()
    for path in roots:
        condition |= Q(path__startswith=path)
    return Unit.objects.filter(condition, dissolved_at__isnull=True).order_by("path")


def may_keep_list(user: Any, agency: Unit) -> bool:
    return _usable(user) and (
        has_perm_in_unit(user, Perm.REGISTER_DOCUMENTS, agency)
        or has_perm_in_unit(user, Perm.ASSIGN_DOCUMENTS, agency)
    )


def may_see_list(user: Any, agency: Unit) -> bool:
    return _usable(user) and any(a.pk == agency.pk for a in agencies(user))


def may_open_in(user: Any, unit: Unit) -> bool:
    if not _usable(user):
        return False
    if user.is_superuser or may_keep_list(user, agency_of(unit)):
        return True
    return any(unit.path.startswith(path) for path in _paths(user))


def may_work_on(user: Any, work_file: WorkFile) -> bool:
    """See the file and add or remove its documents, close it."""
    if not _usable(user):
        return False
    if user.is_superuser or work_file.owner_id == user.pk:
        return True
    if may_keep_list(user, work_file.agency):
        return True
    return any(work_file.unit.path.startswith(path) for path in _paths(user))


def may_hand_over(user: Any, work_file: WorkFile) -> bool:
    return _usable(user) and has_perm_in_unit(user, Perm.REGISTER_DOCUMENTS, work_file.agency)


def visible_files(user: Any) -> QuerySet[WorkFile]:
    if not _usable(user):
        return WorkFile.objects.none()
    if user.is_superuser:
        return WorkFile.objects.all()
    condition = Q(owner_id=user.pk)
    for path in _paths(user):
        condition |= Q(unit__path__startswith=path)
    keepers = units_with_perm(user, Perm.REGISTER_DOCUMENTS) | units_with_perm(
        user, Perm.ASSIGN_DOCUMENTS
    )
    condition |= Q(agency__in=keepers)
    return WorkFile.objects.filter(condition)
