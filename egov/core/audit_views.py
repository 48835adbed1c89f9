"""Staff pages to browse the audit log (nhật ký hệ thống): a filtered list and one
entry's details.

Who sees what: superusers and platform operators (``Perm.OPERATE_PLATFORM``) see
every entry, including those tied to no unit; anyone else needs ``Perm.VIEW_AUDIT``
and sees the entries of the units in the subtrees where they hold it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from egov.accounts.decorators import staff_required
from egov.accounts.permissions import Perm, has_perm_in_unit, units_with_perm
from egov.core.audit import compute_hash
from egov.core.date_parts import DatePartsField
from egov.core.models import AuditEntry
from egov.core.periods import local_midnight

PAGE_SIZE = 50


# --- who may see what ---


def sees_whole_log(user: Any) -> bool:
    """Superusers and platform operators see every entry."""
    return bool(user.is_active and user.is_superuser) or has_perm_in_unit(
        user, Perm.OPERATE_PLATFORM, None
    )


def can_view_audit(user: Any) -> bool:
    """Whether to offer the audit log to ``user`` at all (e.g. in the menu)."""
    if user is None or not user.is_authenticated:
        return False
    return sees_whole_log(user) or has_perm_in_unit(user, Perm.VIEW_AUDIT, None)


def visible_entries(user: Any) -> QuerySet[AuditEntry]:
    """The entries ``user`` may read; raises ``PermissionDenied`` if none at all."""
    entries = AuditEntry.objects.select_related("actor", "unit")
    if sees_whole_log(user):
        return entries
    if not has_perm_in_unit(user, Perm.VIEW_AUDIT, None):
        raise PermissionDenied(_("You do not have permission to view the audit log."))
    # A subquery on the unit tree, not a list of ids: one query however large the subtree.
    return entries.filter(unit__in=units_with_perm(user, Perm.VIEW_AUDIT))


# --- filters ---


class AuditFilterForm(forms.Form):
    """Filters of the audit log list; every field is optional."""

    date_error = gettext_lazy("Enter a valid date, for example 15/01/2026.")

    object_type = forms.CharField(
        label=gettext_lazy("Object type"),
        required=False,
        max_length=80,
        help_text=gettext_lazy("Exact code, e.g. accounts.user or core.unit."),
    )
    object_id = forms.CharField(
        label=gettext_lazy("Object id"),
        required=False,
        max_length=80,
    )
    actor = forms.CharField(
        label=gettext_lazy("Performed by"),
        required=False,
        max_length=150,
        help_text=gettext_lazy("A user name, or part of a person's name."),
    )
    action = forms.CharField(
        label=gettext_lazy("Action"),
        required=False,
        max_length=80,
        help_text=gettext_lazy(
            "An action code or its beginning, e.g. accounts. for every account action."
        ),
    )
    date_from = DatePartsField(
        label=gettext_lazy("From date"),
        required=False,
        error_messages={"invalid": date_error},
    )
    date_to = DatePartsField(
        label=gettext_lazy("To date"),
        required=False,
        error_messages={"invalid": date_error},
    )

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date must be on or after the start date."))
        return cleaned

    def apply(self, entries: QuerySet[AuditEntry]) -> QuerySet[AuditEntry]:
        """``entries`` narrowed by the valid filters."""
        data = self.cleaned_data
        if object_type := data.get("object_type", "").strip():
            entries = entries.filter(object_type=object_type)
        if object_id := data.get("object_id", "").strip():
            entries = entries.filter(object_id=object_id)
        if actor := data.get("actor", "").strip():
            entries = entries.filter(
                Q(actor__username__iexact=actor)
                | Q(actor__full_name__icontains=actor)
                | Q(actor_repr__icontains=actor)
            )
        if action := data.get("action", "").strip():
            entries = entries.filter(action__startswith=action)
        if start := data.get("date_from"):
            entries = entries.filter(at__gte=local_midnight(start))
        if end := data.get("date_to"):
            entries = entries.filter(at__lt=local_midnight(end + timedelta(days=1)))
        return entries


# --- before/after table ---


@dataclass(frozen=True)
class ChangeRow:
    field: str
    before: str
    after: str


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def change_rows(changes: Any) -> list[ChangeRow]:
    """Rows of the before/after table. ``{"field": [old, new]}`` pairs (what
    ``audit.diff`` writes) fill both columns; any other value is shown as "after"."""
    if not isinstance(changes, dict):
        return [ChangeRow("", "", _shown(changes))] if changes else []
    rows = []
    for key in sorted(changes):
        value = changes[key]
        if isinstance(value, list) and len(value) == 2:
            rows.append(ChangeRow(str(key), _shown(value[0]), _shown(value[1])))
        else:
            rows.append(ChangeRow(str(key), "", _shown(value)))
    return rows


# --- pages ---


@require_GET
@staff_required
def entry_list(request: HttpRequest) -> HttpResponse:
    entries = visible_entries(request.user).order_by("-id")
    form = AuditFilterForm(request.GET or None)
    filtered = form.is_bound
    if filtered and form.is_valid():
        entries = form.apply(entries)
    elif filtered:
        entries = entries.none()
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "core/audit/list.html",
        {
            "form": form,
            "page": page,
            "filtered": filtered,
            "whole_log": sees_whole_log(request.user),
        },
    )


@require_GET
@staff_required
def entry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(visible_entries(request.user), pk=pk)
    return render(
        request,
        "core/audit/detail.html",
        {
            "entry": entry,
            "rows": change_rows(entry.changes),
            "seal_intact": compute_hash(entry) == entry.entry_hash,
        },
    )
