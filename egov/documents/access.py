"""Who may see and act on an incoming document.

Records clerks (``documents.register``) and leaders (``documents.assign``) of the
receiving agency see its documents; people assigned see the ones assigned to them,
and a unit head the ones assigned to a unit under them. Confidential documents are
shown only to their named readers: the clerk who registered, the leader they were
presented to and everyone assigned are named as they act; a leader may name more.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from egov.accounts.permissions import Perm, has_perm_in_unit, units_with_perm
from egov.core.models import Unit, UnitLevel
from egov.core.selectors.units import ancestors
from egov.documents.models import (
    Assignment,
    AssignmentStatus,
    Confidentiality,
    IncomingDocument,
)


def agency_of(unit: Unit) -> Unit:
    """The agency a unit belongs to: itself, or its nearest ancestor that is not an
    internal unit."""
    if unit.level != UnitLevel.INTERNAL:
        return unit
    for ancestor in reversed(list(ancestors(unit, include_dissolved=True))):
        if ancestor.level != UnitLevel.INTERNAL:
            return ancestor
    return unit


def _usable(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def may_register(user: Any, agency: Unit) -> bool:
    return has_perm_in_unit(user, Perm.REGISTER_DOCUMENTS, agency)


def may_direct(user: Any, agency: Unit) -> bool:
    """A leader of the agency: sets the processing sheet, assigns to units."""
    return has_perm_in_unit(user, Perm.ASSIGN_DOCUMENTS, agency)


def may_register_anywhere(user: Any) -> bool:
    return has_perm_in_unit(user, Perm.REGISTER_DOCUMENTS, None)


def keeps_registers(user: Any) -> bool:
    """Records clerks and leaders read the registers of their agencies."""
    return has_perm_in_unit(user, Perm.REGISTER_DOCUMENTS, None) or has_perm_in_unit(
        user, Perm.ASSIGN_DOCUMENTS, None
    )


def may_see_incoming(user: Any) -> bool:
    """Whether the documents menu is worth showing to ``user``."""
    if not _usable(user):
        return False
    return (
        has_perm_in_unit(user, Perm.REGISTER_DOCUMENTS, None)
        or has_perm_in_unit(user, Perm.ASSIGN_DOCUMENTS, None)
        or Assignment.objects.filter(assignee=user).exists()
    )


def visible_documents(user: Any) -> QuerySet[IncomingDocument]:
    """Every incoming document ``user`` may see (one query; confidentiality applied)."""
    if not _usable(user):
        return IncomingDocument.objects.none()
    qs = IncomingDocument.objects.all()
    if user.is_superuser:
        return qs
    # The scope is read first (small sets of ids), then given to the one query as
    # literal lists: PostgreSQL combines the agency index, the primary key and the
    # full-text index (BitmapOr/BitmapAnd) instead of filtering every row.
    agencies = set(units_with_perm(user, Perm.REGISTER_DOCUMENTS).values_list("pk", flat=True))
    head_units = set(units_with_perm(user, Perm.ASSIGN_DOCUMENTS).values_list("pk", flat=True))
    agencies |= head_units
    open_ids = set(Assignment.objects.filter(assignee=user).values_list("document_id", flat=True))
    if head_units:
        open_ids |= set(
            Assignment.objects.filter(unit_id__in=head_units)
            .exclude(status=AssignmentStatus.REASSIGNED)
            .values_list("document_id", flat=True)
        )
    named = set(
        IncomingDocument.readers.through.objects.filter(user_id=user.pk).values_list(
            "incomingdocument_id", flat=True
        )
    )
    not_secret = Q(confidentiality=Confidentiality.NORMAL)
    condition = Q(pk__in=sorted(named)) if named else Q(pk__in=[])
    if agencies:
        condition |= not_secret & Q(recipient_agency_id__in=sorted(agencies))
    if open_ids:
        condition |= not_secret & Q(pk__in=sorted(open_ids))
    return qs.filter(condition)


def may_see(user: Any, document: IncomingDocument) -> bool:
    return visible_documents(user).filter(pk=document.pk).exists()


def require_see(user: Any, document: IncomingDocument) -> None:
    if not may_see(user, document):
        raise PermissionDenied(_("You may not see this document."))


def require_register(user: Any, document: IncomingDocument) -> None:
    if not may_register(user, document.recipient_agency):
        raise PermissionDenied(_("Only the records clerk of the receiving agency may do this."))
    if document.confidentiality != Confidentiality.NORMAL and not _named(user, document):
        raise PermissionDenied(_("You are not named on this confidential document."))


def require_direct(user: Any, document: IncomingDocument) -> None:
    if not may_direct(user, document.recipient_agency):
        raise PermissionDenied(_("Only a leader of the receiving agency may direct this."))
    if document.confidentiality != Confidentiality.NORMAL and not _named(user, document):
        raise PermissionDenied(_("You are not named on this confidential document."))


def _named(user: Any, document: IncomingDocument) -> bool:
    return bool(user.is_superuser) or document.readers.filter(pk=user.pk).exists()


def may_hand_out(user: Any, assignment: Assignment) -> bool:
    """A head of the assigned unit (or a leader of the agency) picks the person."""
    return has_perm_in_unit(user, Perm.ASSIGN_DOCUMENTS, assignment.unit)
