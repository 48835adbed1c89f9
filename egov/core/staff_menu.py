"""The staff menu, filled by the apps that own its pages.

``core`` draws the menu of the staff workspace but knows none of the domain apps
(ADR 1, ADR 6): each app declares its own entries in ``AppConfig.ready()``, with
the predicate that decides who sees them::

    staff_menu.register(
        "payments.reconciliation",
        label=gettext_lazy("Payment reconciliation"),
        url_name="payments:reconciliation",
        order=60,
        visible=may_reconcile,             # called with the signed-in user
        current_view="payments:reconciliation",
    )

The context processor :func:`egov.core.context_processors.platform` hands the
entries a request may see to ``staff/base.html`` as ``staff_menu``, lazily: the
predicates (usually one query each) run only when a template draws the menu.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise


@dataclass(frozen=True)
class Entry:
    name: str
    label: str | Promise
    url_name: str
    order: int
    #: ``None``: every visitor of a staff page; otherwise called with the signed-in
    #: user (anonymous visitors never see such an entry).
    visible: Callable[[Any], bool] | None = None
    #: The entry is marked current (``aria-current``) on pages of this URL namespace…
    current_namespace: str = ""
    #: …or on this one view (``namespace:name``).
    current_view: str = ""


@dataclass(frozen=True)
class Link:
    """One entry as a template draws it."""

    label: str | Promise
    url: str
    current: bool


_ENTRIES: dict[str, Entry] = {}


def register(
    name: str,
    *,
    label: str | Promise,
    url_name: str,
    order: int,
    visible: Callable[[Any], bool] | None = None,
    current_namespace: str = "",
    current_view: str = "",
) -> None:
    """Declare a menu entry (registering a name again replaces it)."""
    _ENTRIES[name] = Entry(
        name=name,
        label=label,
        url_name=url_name,
        order=order,
        visible=visible,
        current_namespace=current_namespace,
        current_view=current_view,
    )


def unregister(name: str) -> None:
    _ENTRIES.pop(name, None)


def entries() -> list[Entry]:
    """Every registered entry in menu order (ties by name, so the order is stable)."""
    return sorted(_ENTRIES.values(), key=lambda entry: (entry.order, entry.name))


def links_for(request: HttpRequest) -> list[Link]:
    """The entries ``request``'s user may see, with the current page marked."""
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    match = getattr(request, "resolver_match", None)
    namespace = match.namespace if match is not None else ""
    view_name = match.view_name if match is not None else ""
    links = []
    for entry in entries():
        if entry.visible is not None and not (signed_in and entry.visible(user)):
            continue
        current = bool(
            (entry.current_namespace and entry.current_namespace == namespace)
            or (entry.current_view and entry.current_view == view_name)
        )
        links.append(Link(entry.label, reverse(entry.url_name), current))
    return links
