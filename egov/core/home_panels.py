"""The public home page, filled by the apps that offer something on it.

``core`` serves ``/`` but knows none of the domain apps (ADR 6): each app
declares, in ``AppConfig.ready()``, the panels it shows there and the quick links
it offers::

    home_panels.register_panel(
        "portal.popular_fields",
        template="portal/home/popular_fields.html",
        order=20,
        data=lambda request: popular_fields(8) or None,   # None hides the panel
    )
    home_panels.register_link(
        "dossiers.lookup", label=gettext_lazy("Look up a dossier"),
        url_name="dossiers_public:lookup", order=20,
    )

Panels in the ``main`` area come first, full width; ``grid`` panels sit side by
side with the quick links, which always close the grid. A panel's template gets
``data`` (whatever its ``data`` callable returned) besides the page's context.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise

AREAS = ("main", "grid")


@dataclass(frozen=True)
class Panel:
    name: str
    template: str
    order: int
    area: str = "main"
    #: Called with the request; its result is the template's ``data``. ``None``
    #: hides the panel (nothing to show). Without it the panel always shows.
    data: Callable[[HttpRequest], Any] | None = None
    #: A static file (path as for ``{% static %}``) the panel's markup needs.
    stylesheet: str = ""


@dataclass(frozen=True)
class QuickLink:
    name: str
    label: str | Promise
    url_name: str
    order: int
    #: Called with the request; ``False`` hides the link (e.g. "sign in" once signed in).
    visible: Callable[[HttpRequest], bool] | None = None


@dataclass(frozen=True)
class Shown:
    """A panel as the page draws it."""

    template: str
    data: Any


_PANELS: dict[str, Panel] = {}
_LINKS: dict[str, QuickLink] = {}


def register_panel(
    name: str,
    *,
    template: str,
    order: int,
    area: str = "main",
    data: Callable[[HttpRequest], Any] | None = None,
    stylesheet: str = "",
) -> None:
    """Declare a panel of the home page (registering a name again replaces it)."""
    if area not in AREAS:
        raise ValueError(f"area must be one of {AREAS}")
    _PANELS[name] = Panel(name, template, order, area, data, stylesheet)


def register_link(
    name: str,
    *,
    label: str | Promise,
    url_name: str,
    order: int,
    visible: Callable[[HttpRequest], bool] | None = None,
) -> None:
    """Declare a quick link of the home page (registering a name again replaces it)."""
    _LINKS[name] = QuickLink(name, label, url_name, order, visible)


def unregister(name: str) -> None:
    _PANELS.pop(name, None)
    _LINKS.pop(name, None)


def _ordered(items: dict[str, Any]) -> list[Any]:
    return sorted(items.values(), key=lambda item: (item.order, item.name))


def page_context(request: HttpRequest) -> dict[str, Any]:
    """``main`` and ``grid`` panels to draw, the quick links and the stylesheets."""
    shown: dict[str, list[Shown]] = {area: [] for area in AREAS}
    stylesheets: list[str] = []
    for panel in _ordered(_PANELS):
        data = panel.data(request) if panel.data is not None else True
        if data is None:
            continue
        shown[panel.area].append(Shown(panel.template, data))
        if panel.stylesheet and panel.stylesheet not in stylesheets:
            stylesheets.append(panel.stylesheet)
    links = [
        {"label": link.label, "url": reverse(link.url_name)}
        for link in _ordered(_LINKS)
        if link.visible is None or link.visible(request)
    ]
    return {
        "main_panels": shown["main"],
        "grid_panels": shown["grid"],
        "quick_links": links,
        "stylesheets": stylesheets,
    }
