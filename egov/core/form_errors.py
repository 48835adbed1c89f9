"""The error summary of a page (GOV.UK pattern): every error of the forms on the
page, each linked to the input it is about, gathered once for ``base.html``.

``base.html`` asks :func:`page_errors` for the page's forms in error: those a view
names in ``error_forms`` (a form or a list of forms and formsets), or else every
bound form or formset found in the template context, at the top level or one
level down in a plain dict or list (``primary.form``, ``panels[].form``). The same
list puts "Lỗi: " in front of the page title and draws the summary box first in
the main content, so the two cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.forms import BaseForm, BaseFormSet, BoundField
from django.forms.widgets import HiddenInput, MultipleHiddenInput, MultiWidget

# How far into plain dicts and lists of the context the forms are looked for.
_DEPTH = 2


@dataclass(frozen=True)
class ErrorItem:
    """One line of the summary: the message and the id of the input it links to
    (empty when there is none to link to)."""

    message: str
    target: str = ""


def _forms_in(value: Any, depth: int) -> Iterator[BaseForm | BaseFormSet]:
    if isinstance(value, BaseForm | BaseFormSet):
        yield value
    elif depth > 0 and type(value) in (dict, list, tuple):
        items = value.values() if isinstance(value, dict) else value
        for item in items:
            yield from _forms_in(item, depth - 1)


def forms_of(context: Mapping[str, Any]) -> list[BaseForm | BaseFormSet]:
    """The forms and formsets of a page, once each, in the order found."""
    named = context.get("error_forms")
    candidates: Iterable[Any] = (
        [named] if named is not None else [v for k, v in context.items() if k != "error_forms"]
    )
    seen: set[int] = set()
    found: list[BaseForm | BaseFormSet] = []
    for value in candidates:
        for form in _forms_in(value, _DEPTH):
            if id(form) not in seen and form.is_bound:
                seen.add(id(form))
                found.append(form)
    return found


def target_id(field: BoundField) -> str:
    """The id of the input a person should land on for ``field``: the field's own
    input, or the first choice of a radio or checkbox group, or the first part
    of a multi-part input (a date in three boxes). Empty for hidden inputs."""
    widget = field.field.widget
    if isinstance(widget, HiddenInput | MultipleHiddenInput):
        return ""
    if isinstance(widget, MultiWidget) and field.auto_id:
        return f"{field.auto_id}_0"  # MultiWidget names its parts id_0, id_1, …
    if field.id_for_label:
        return str(field.id_for_label)
    if field.auto_id:
        subwidgets = field.subwidgets
        if subwidgets:
            return str(subwidgets[0].data.get("attrs", {}).get("id") or field.auto_id)
        return str(field.auto_id)
    return ""


def _first_target(form: BaseForm) -> str:
    for field in form.visible_fields():
        target = target_id(field)
        if target:
            return target
    return ""


def _form_items(form: BaseForm) -> list[ErrorItem]:
    items: list[ErrorItem] = []
    general = [str(message) for message in form.non_field_errors()]
    for name in form.fields:
        if name not in form.errors:
            continue
        target = target_id(form[name])
        for message in form.errors[name]:
            if target:
                items.append(ErrorItem(str(message), target))
            else:
                general.append(str(message))
    # Errors about the form as a whole lead to its first input, so a person lands
    # on the form they must correct (a page may hold several).
    first = _first_target(form) if general else ""
    return [ErrorItem(message, first) for message in general] + items


def summary_items(forms: Iterable[BaseForm | BaseFormSet]) -> list[ErrorItem]:
    """Every error of ``forms``, general ones first, then field by field in the
    order of the form (the order a person meets them), without repeats."""
    items: list[ErrorItem] = []
    for form in forms:
        if isinstance(form, BaseFormSet):
            first_form = next(iter(form.forms), None)
            first = _first_target(first_form) if first_form is not None else ""
            items.extend(ErrorItem(str(m), first) for m in form.non_form_errors())
            for member in form.forms:
                items.extend(_form_items(member))
        elif form.errors:
            items.extend(_form_items(form))
    unique: list[ErrorItem] = []
    for item in items:
        if item not in unique:
            unique.append(item)
    return unique


def page_errors(context: Mapping[str, Any]) -> list[ErrorItem]:
    return summary_items(forms_of(context))
