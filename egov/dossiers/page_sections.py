"""Registry: sections that apps built on ``dossiers`` add to the staff dossier page.

``dossiers`` must not import the apps above it (ADR 6), yet its staff page shows
what they hold about a dossier (the online declaration of ``submissions``). Those
apps register a section from their ``AppConfig.ready()``: a template and a
callable giving its context for one dossier, or ``None`` to leave the section out.

The dossier page calls the callables only after it has checked that the person may
see the dossier (``selectors.visible_dossier``); a section that links elsewhere
(a PDF) checks the same way in its own view.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from egov.dossiers.models import Dossier

#: ``(person, dossier) -> context`` of the section's template; ``None`` hides it.
SectionContext = Callable[[Any, Dossier], Mapping[str, Any] | None]


@dataclass(frozen=True)
class PageSection:
    key: str
    template: str
    context: SectionContext
    #: Lower first; the papers card is drawn beside the sections.
    order: int = 50


_SECTIONS: dict[str, PageSection] = {}


def register(key: str, *, template: str, context: SectionContext, order: int = 50) -> None:
    """Add (or, with the same ``key``, replace) a section of the staff dossier page."""
    _SECTIONS[key] = PageSection(key=key, template=template, context=context, order=order)


def unregister(key: str) -> None:
    _SECTIONS.pop(key, None)


def registered() -> list[PageSection]:
    return sorted(_SECTIONS.values(), key=lambda section: (section.order, section.key))


@dataclass(frozen=True)
class DrawnSection:
    key: str
    template: str
    context: Mapping[str, Any]


def sections_for(user: Any, dossier: Dossier) -> list[DrawnSection]:
    """The sections to draw for ``dossier`` (the caller has checked ``user`` may see it)."""
    drawn: list[DrawnSection] = []
    for section in registered():
        context = section.context(user, dossier)
        if context is not None:
            drawn.append(DrawnSection(section.key, section.template, context))
    return drawn
