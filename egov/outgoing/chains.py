"""Approval chains as data: which chain a draft follows, who may act at a step.

A chain (``ApprovalChain`` → ``ApprovalStep``) names, step by step, the role that
acts and where it must be held: in the drafting unit (the head of division), in a
named unit (the office), or in the issuing agency (the signer). Like the one-stop
process templates, an operator changes them without a release.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet

from egov.accounts.models import RoleAssignment, User
from egov.accounts.permissions import RoleCode
from egov.core.models import Unit
from egov.outgoing.models import ApprovalChain, ApprovalStep, OutgoingDocument, StepScope

DEFAULT_CHAIN_NAME = "Trình ký mặc định: lãnh đạo phòng → lãnh đạo cơ quan"


def chain_for(agency: Unit, type_code: str) -> ApprovalChain | None:
    """The most specific active chain: agency + type, agency, type, then the default."""
    candidates = ApprovalChain.objects.filter(
        Q(agency=agency) | Q(agency__isnull=True),
        Q(type_code=type_code) | Q(type_code=""),
        is_active=True,
    )
    best: ApprovalChain | None = None
    best_rank = -1
    for chain in candidates:
        rank = (2 if chain.agency_id is not None else 0) + (1 if chain.type_code else 0)
        if rank > best_rank:
            best, best_rank = chain, rank
    return best


def steps_of(chain: ApprovalChain | None) -> list[ApprovalStep]:
    if chain is None:
        return []
    return list(chain.steps.select_related("unit").order_by("position"))


def scope_unit(step: ApprovalStep, document: OutgoingDocument) -> Unit:
    if step.scope == StepScope.DRAFTING_UNIT:
        return document.drafting_unit
    if step.scope == StepScope.UNIT and step.unit is not None:
        return step.unit
    return document.agency


def _holding(role_code: str, unit: Unit) -> QuerySet[RoleAssignment]:
    """Active assignments of ``role_code`` in ``unit`` or above it."""
    paths = [unit.path[: Unit.steplen * n] for n in range(1, unit.depth + 1)]
    return RoleAssignment.objects.filter(
        role__code=role_code,
        unit__path__in=paths,
        revoked_at__isnull=True,
        unit__dissolved_at__isnull=True,
        user__is_active=True,
    )


def may_act_at(user: Any, step: ApprovalStep, document: OutgoingDocument) -> bool:
    """Whether ``user`` holds the step's role where the step says."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return _holding(step.role_code, scope_unit(step, document)).filter(user=user).exists()


def people_for(step: ApprovalStep, document: OutgoingDocument) -> QuerySet[User]:
    """Who can act at ``step`` for ``document`` (shown on the page)."""
    ids = _holding(step.role_code, scope_unit(step, document)).values("user_id")
    return User.objects.filter(pk__in=ids).order_by("full_name")


def current_step(document: OutgoingDocument) -> ApprovalStep | None:
    if document.step_position is None or document.chain_id is None:
        return None
    return ApprovalStep.objects.filter(
        chain_id=document.chain_id, position=document.step_position
    ).first()


def ensure_default_chain() -> None:
    """The province-wide default chain (idempotent; never changes an edited one):
    the head of the drafting division, then the agency's leader, who signs."""
    if ApprovalChain.objects.filter(agency__isnull=True, type_code="").exists():
        return
    with transaction.atomic():
        chain = ApprovalChain.objects.create(name=DEFAULT_CHAIN_NAME)
        ApprovalStep.objects.create(
            chain=chain,
            position=1,
            name="Lãnh đạo phòng xem xét",
            role_code=RoleCode.UNIT_HEAD,
            scope=StepScope.DRAFTING_UNIT,
        )
        ApprovalStep.objects.create(
            chain=chain,
            position=2,
            name="Lãnh đạo cơ quan duyệt ký",
            role_code=RoleCode.AGENCY_LEADER,
            scope=StepScope.AGENCY,
            signs=True,
        )
