"""Who may draft, see, edit and act on an outgoing document.

People holding a role in the drafting unit or above it (the division's staff, its
head, the agency's leaders and records clerks) see its drafts; people who can act
at a step of the chain (the office) see the documents that reach them. A
confidential document is seen only by its author, the people who acted on it, the
people who can act at its current step and the agency's records clerks.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import F, Q, QuerySet

from egov.accounts.models import RoleAssignment
from egov.accounts.permissions import Perm, has_perm_in_unit
from egov.core.models import Unit
from egov.outgoing import chains
from egov.outgoing.models import OutgoingDocument, Status


def default_place() -> str:
    return str(getattr(settings, "EGOV_OUTGOING_DEFAULT_PLACE", "") or "Kiên Giang")


def _usable(user: Any) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(getattr(user, "is_staff_member", False) or user.is_superuser)


def _assignments(user: Any) -> QuerySet[RoleAssignment]:
    return RoleAssignment.objects.filter(
        user_id=user.pk, revoked_at__isnull=True, unit__dissolved_at__isnull=True
    )


def drafting_units(user: Any) -> QuerySet[Unit]:
    """Units where ``user`` works (holds an active role): where they may draft."""
    if not _usable(user):
        return Unit.objects.none()
    if user.is_superuser:
        return Unit.objects.filter(dissolved_at__isnull=True).order_by("path")
    ids = _assignments(user).values("unit_id")
    return Unit.objects.filter(pk__in=ids, dissolved_at__isnull=True).order_by("path")


def may_draft_in(user: Any, unit: Unit) -> bool:
    if not _usable(user) or not unit.is_active:
        return False
    if user.is_superuser:
        return True
    return _assignments(user).filter(unit=unit).exists()


def _works_above(user: Any, unit: Unit) -> bool:
    paths = [unit.path[: Unit.steplen * n] for n in range(1, unit.depth + 1)]
    return _assignments(user).filter(unit__path__in=paths).exists()


def _acted(user: Any, document: OutgoingDocument) -> bool:
    return document.events.filter(actor_id=user.pk).exists()


def may_see(user: Any, document: OutgoingDocument) -> bool:
    if not _usable(user):
        return False
    if user.is_superuser or document.author_id == user.pk:
        return True
    step = chains.current_step(document)
    if step is not None and chains.may_act_at(user, step, document):
        return True
    if _acted(user, document) or has_perm_in_unit(user, Perm.REGISTER_DOCUMENTS, document.agency):
        return True
    if document.is_confidential:
        return False
    return _works_above(user, document.drafting_unit)


def may_edit(user: Any, document: OutgoingDocument) -> bool:
    """The author (or their division) while drafting; the person at the current step
    while it is in review (a head may correct the text before approving)."""
    if not _usable(user):
        return False
    if document.status == Status.DRAFTING:
        return document.author_id == user.pk or may_draft_in(user, document.drafting_unit)
    if document.status == Status.IN_REVIEW:
        step = chains.current_step(document)
        return step is not None and chains.may_act_at(user, step, document)
    return False


def may_recall(user: Any, document: OutgoingDocument) -> bool:
    """The agency's records clerk or a signer of the agency."""
    return has_perm_in_unit(user, Perm.REGISTER_DOCUMENTS, document.agency) or has_perm_in_unit(
        user, Perm.SIGN_DOCUMENTS, document.agency
    )


def visible_documents(user: Any) -> QuerySet[OutgoingDocument]:
    """Every document ``user`` may see, as one query (the step check of may_see for
    documents in review at a named unit is approximated by the unit of the step)."""
    if not _usable(user):
        return OutgoingDocument.objects.none()
    if user.is_superuser:
        return OutgoingDocument.objects.all()
    rows = list(_assignments(user).values_list("unit__path", "role__code", "role__permissions"))
    condition = Q(author_id=user.pk) | Q(events__actor_id=user.pk)
    open_condition = Q()
    for path, role_code, perms in rows:
        open_condition |= Q(drafting_unit__path__startswith=path)
        if Perm.REGISTER_DOCUMENTS in (perms or ()):
            condition |= Q(agency__path__startswith=path)
        # Documents waiting at a step this role acts at, held in the step's unit.
        condition |= Q(
            status=Status.IN_REVIEW,
            chain__steps__role_code=role_code,
            chain__steps__position=F("step_position"),
        ) & (
            Q(chain__steps__unit__path__startswith=path)
            | Q(drafting_unit__path__startswith=path)
            | Q(agency__path__startswith=path)
        )
    if rows:
        condition |= open_condition & Q(confidentiality="normal")
    return OutgoingDocument.objects.filter(condition).distinct()
