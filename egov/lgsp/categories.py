"""Shared categories (danh mục dùng chung) published as LGSP services.

Each category is a Python provider (:mod:`.providers`) reading the owning app's
selectors: administrative units and agency codes (core), procedure codes
(procedures), document types (documents), dossier statuses (dossiers). The
service's version (``v1``) is the shape of the answer:
``{"category", "version", "count", "items": […]}``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from egov.lgsp.providers import ProviderAnswer, ProviderCall, register


def _units() -> list[dict[str, Any]]:
    from egov.core.selectors.units import unit_rows

    keys = ("code", "name", "short_name", "level", "parent_code", "statistics_code", "is_one_stop")
    return [{key: row[key] for key in keys} for row in unit_rows()]


def _procedures() -> list[dict[str, Any]]:
    from egov.procedures.models import VersionStatus
    from egov.procedures.selectors import current_versions

    rows = (
        current_versions()
        .filter(status=VersionStatus.PUBLISHED)
        .select_related("procedure", "field")
        .order_by("procedure__national_code")
    )
    return [
        {
            "code": version.procedure.national_code,
            "name": version.name,
            "field": version.field.name,
            "version": version.number,
            "online_level": version.online_level,
        }
        for version in rows
    ]


def _document_types() -> list[dict[str, Any]]:
    from egov.documents.selectors import document_types

    return [
        {"code": code, "name": name, "abbreviation": abbreviation}
        for code, name, abbreviation in document_types()
    ]


def _dossier_statuses() -> list[dict[str, Any]]:
    from django.utils import translation

    from egov.dossiers.models import Status

    with translation.override("vi"):
        return [{"code": status.value, "name": str(status.label)} for status in Status]


#: provider name → (category, reader)
CATEGORIES: dict[str, tuple[str, Callable[[], list[dict[str, Any]]]]] = {
    "categories.units": ("units", _units),
    "categories.procedures": ("procedures", _procedures),
    "categories.document_types": ("document_types", _document_types),
    "categories.dossier_statuses": ("dossier_statuses", _dossier_statuses),
}


def _handler(category: str, read: Callable[[], list[dict[str, Any]]]) -> Any:
    def handle(call: ProviderCall) -> ProviderAnswer:
        items = read()
        wanted = call.path.strip("/")
        if wanted:
            found = [item for item in items if str(item.get("code")) == wanted]
            if not found:
                return ProviderAnswer.of_json(
                    {
                        "code": "not_found",
                        "message": "Không có mục này trong danh mục.",
                        "field": None,
                    },
                    404,
                )
            return ProviderAnswer.of_json(found[0])
        return ProviderAnswer.of_json(
            {
                "category": category,
                "version": call.service.version,
                "count": len(items),
                "items": items,
            }
        )

    return handle


def register_all() -> None:
    for name, (category, read) in CATEGORIES.items():
        register(name, _handler(category, read))
