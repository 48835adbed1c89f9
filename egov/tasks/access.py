"""Who may assign, see and act on a task.

* The office (``documents.register``) and leaders (``documents.assign``) of an agency
  enter and track its tasks; a leader assigns in person, the office on a leader's behalf.
* The lead unit: everyone holding a role in it (or a unit below it) reports progress,
  asks for extensions and reports completion.
* The assigning leader and the tracking office decide extensions and confirm completion.
* Cooperating units and leaders above the lead unit see the task.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from egov.accounts.permissions import Perm, active_assignments, has_perm_in_unit, units_with_perm
from egov.core.models import Unit
from egov.tasks.models import Task


def _usable(user: Any) -> bool:
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and (getattr(user, "is_staff_member", False) or user.is_superuser)
    )


def _paths(user: Any) -> list[str]:
    """Paths of the units where ``user`` holds a role, read once per request (kept on
    the user object, as the permission checks keep their grants)."""
    cached = getattr(user, "_egov_task_paths", None)
    if cached is None:
        cached = [a.unit.path for a in active_assignments(user)]
        user._egov_task_paths = cached
    return list(cached)


def may_track(user: Any, office: Unit) -> bool:
    """Enter tasks for ``office`` and follow all of its tasks (its leaders and office)."""
    return _usable(user) and (
        has_perm_in_unit(user, Perm.ASSIGN_DOCUMENTS, office)
        or has_perm_in_unit(user, Perm.REGISTER_DOCUMENTS, office)
    )


def is_leader_of(user: Any, office: Unit) -> bool:
    return _usable(user) and has_perm_in_unit(user, Perm.ASSIGN_DOCUMENTS, office)


def offices(user: Any) -> list[Unit]:
    """The agencies whose tasks ``user`` may enter (where they lead or keep the office)."""
    if not _usable(user):
        return []
    cached = getattr(user, "_egov_task_offices", None)
    if cached is not None:
        return list(cached)
    units = units_with_perm(user, Perm.ASSIGN_DOCUMENTS) | units_with_perm(
        user, Perm.REGISTER_DOCUMENTS
    )
    found = list(
        units.filter(dissolved_at__isnull=True).exclude(level="internal").order_by("path")[:50]
    )
    user._egov_task_offices = found
    return list(found)


def may_assign_anywhere(user: Any) -> bool:
    return bool(offices(user))


def in_lead_unit(user: Any, task: Task) -> bool:
    if not _usable(user):
        return False
    if user.is_superuser:
        return True
    return any(path.startswith(task.lead_unit.path) for path in _paths(user))


def may_decide(user: Any, task: Task) -> bool:
    """Approve or refuse an extension, confirm or send back a completion."""
    if not _usable(user):
        return False
    return user.is_superuser or task.assigned_by_id == user.pk or may_track(user, task.office)


def may_see(user: Any, task: Task) -> bool:
    return visible_tasks(user).filter(pk=task.pk).exists()


def lead_units(user: Any) -> QuerySet[Unit]:
    """Units whose tasks ``user`` works on as lead unit (their units and below)."""
    condition = Q()
    for path in _paths(user):
        condition |= Q(path__startswith=path)
    if not condition:
        return Unit.objects.none()
    return Unit.objects.filter(condition)


def visible_tasks(user: Any) -> QuerySet[Task]:
    if not _usable(user):
        return Task.objects.none()
    if user.is_superuser:
        return Task.objects.all()
    condition = Q(assigned_by_id=user.pk) | Q(entered_by_id=user.pk)
    trackers = units_with_perm(user, Perm.ASSIGN_DOCUMENTS) | units_with_perm(
        user, Perm.REGISTER_DOCUMENTS
    )
    condition |= Q(office__in=trackers)
    # Leaders see the tasks of every unit under them.
    condition |= Q(lead_unit__in=units_with_perm(user, Perm.ASSIGN_DOCUMENTS))
    for path in _paths(user):
        condition |= Q(lead_unit__path__startswith=path)
        condition |= Q(cooperating_units__path__startswith=path)
    return Task.objects.filter(pk__in=Task.objects.filter(condition).values("pk"))
