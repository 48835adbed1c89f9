"""Names of data in the page's language: the English name on English pages, the
Vietnamese name otherwise or when no English name was given."""

from __future__ import annotations

from types import SimpleNamespace

from django.template import Context, Template
from django.utils import translation

from egov.core.localized import localized_name


def _named(name: str, name_en: str, **extra: str) -> SimpleNamespace:
    return SimpleNamespace(name=name, name_en=name_en, **extra)


def test_english_name_only_on_english_pages() -> None:
    field = _named("Hộ tịch", "Civil status")
    with translation.override("vi"):
        assert localized_name(field) == "Hộ tịch"
    with translation.override("en"):
        assert localized_name(field) == "Civil status"


def test_blank_english_name_falls_back_to_vietnamese() -> None:
    with translation.override("en"):
        assert localized_name(_named("Hộ tịch", "")) == "Hộ tịch"
        assert localized_name(_named("Hộ tịch", "   ")) == "Hộ tịch"
        assert localized_name(SimpleNamespace(name="Hộ tịch")) == "Hộ tịch"  # no twin at all
        assert localized_name(None) == ""


def test_other_fields_and_mappings() -> None:
    step = SimpleNamespace(action_name="Ký", action_name_en="Sign")
    row = {"name": "Đăng ký khai sinh", "name_en": "Birth registration"}
    with translation.override("en-gb"):
        assert localized_name(step, "action_name") == "Sign"
        assert localized_name(row) == "Birth registration"
    with translation.override("vi"):
        assert localized_name(step, "action_name") == "Ký"
        assert localized_name(row) == "Đăng ký khai sinh"


def test_template_filter_escapes_and_falls_back() -> None:
    template = Template('{% load egov_localized %}{{ obj|localized }}|{{ obj|localized:"other" }}')
    obj = _named("Sở <Tư pháp>", "Department <of> Justice", other="Ký", other_en="")
    with translation.override("en"):
        assert template.render(Context({"obj": obj})) == "Department &lt;of&gt; Justice|Ký"
    with translation.override("vi"):
        assert template.render(Context({"obj": obj})) == "Sở &lt;Tư pháp&gt;|Ký"
