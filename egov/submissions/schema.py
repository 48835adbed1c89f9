"""Declaration forms as data: checking a JSON Schema and its layout, and building a
server-rendered Django form from them.

The schema (JSON Schema draft 2020-12) says what the answers are; the layout says
how they are asked::

    {"sections": [{"key": "child", "title": {"vi": "...", "en": "..."},
                   "fields": ["child_name", "child_dob"]}],
     "fields": {"child_name": {"label": {"vi": "Họ, chữ đệm, tên", "en": "Full name"},
                               "help": {"vi": "...", "en": "..."}, "widget": "text"},
                "child_sex": {"label": {...}, "widget": "select",
                              "choices": {"nam": {"vi": "Nam", "en": "Male"}}}}}

The schema must be an object of flat properties of type string, integer, number or
boolean (what a paper declaration holds); ``required`` lists the compulsory ones.
Widgets: text, textarea, date (string with ``"format": "date"``, asked in three
boxes: day, month, year), select (with ``enum``), number (integer or number),
checkbox (boolean). A property's ``default`` is the value the form starts with; a
section's ``"copy_from_applicant": {"field": "name" | "id_number" | ...}`` offers a
button that fills those fields from the applicant step.

Error messages name the field: "Nhập họ, chữ đệm, tên của trẻ" is built from the
label, "… gồm 12 chữ số" from a digits-only pattern. A field's layout may give its
own per check, as data: ``"errors": {"required": {"vi": "...", "en": "..."},
"pattern": {...}}`` (keys: the JSON Schema keyword that failed).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.html import escape
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from egov.core.date_parts import DatePartsField

if TYPE_CHECKING:
    # jsonschema (with referencing and its specifications) loads on first validation.
    from jsonschema import Draft202012Validator

# The JSON Schema keywords a layout may word its own error message for.
ERROR_KEYS = ("required", "pattern", "enum", "minLength", "maxLength", "minimum", "maximum")
WIDGETS = ("text", "textarea", "date", "select", "number", "checkbox")
TYPES = ("string", "integer", "number", "boolean")
_WIDGETS_BY_TYPE = {
    "string": ("text", "textarea", "date", "select"),
    "integer": ("number", "select"),
    "number": ("number",),
    "boolean": ("checkbox",),
}
GENERIC_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {},
}


def text_in(value: Any, fallback: str = "") -> str:
    """A ``{"vi": ..., "en": ...}`` text in the active language (or a plain string)."""
    if isinstance(value, str):
        return value
    if not isinstance(value, Mapping):
        return fallback
    language = (get_language() or "vi").split("-")[0]
    for key in (language, "vi", "en"):
        if isinstance(value.get(key), str) and value[key]:
            return str(value[key])
    return fallback


def default_widget(prop: Mapping[str, Any]) -> str:
    kind = prop.get("type")
    if "enum" in prop:
        return "select"
    if kind == "string":
        return "date" if prop.get("format") == "date" else "text"
    if kind in ("integer", "number"):
        return "number"
    return "checkbox"


def _texts_ok(value: Any) -> bool:
    return (
        value is None
        or isinstance(value, str)
        or (isinstance(value, Mapping) and all(isinstance(v, str) for v in value.values()))
    )


def check(schema: Any, layout: Any) -> None:
    """Raise ``ValidationError`` ({"schema": ...} or {"layout": ...}) with a clear
    message when the schema or its layout cannot make a declaration form."""
    if not isinstance(schema, dict):
        raise ValidationError({"schema": _("The schema must be a JSON object.")})
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        where = "/".join(str(part) for part in exc.path) or "(root)"
        raise ValidationError(
            {
                "schema": _(
                    "This is not a valid JSON Schema (draft 2020-12) at %(where)s: %(error)s"
                )
                % {"where": where, "error": exc.message}
            }
        ) from None
    if schema.get("type") != "object":
        raise ValidationError({"schema": _('The schema must have "type": "object".')})
    properties = schema.get("properties", {})
    if not isinstance(properties, dict):
        raise ValidationError({"schema": _('"properties" must be an object.')})
    for name, prop in properties.items():
        if not name.isidentifier() or name.startswith("_"):
            raise ValidationError(
                {
                    "schema": _("Field name “%(name)s”: use letters, digits and _ only.")
                    % {"name": name}
                }
            )
        if not isinstance(prop, dict) or prop.get("type") not in TYPES:
            raise ValidationError(
                {
                    "schema": _(
                        "Field “%(name)s” must have a type among string, integer, number, boolean."
                    )
                    % {"name": name}
                }
            )
    for name in schema.get("required", []):
        if name not in properties:
            raise ValidationError(
                {
                    "schema": _("“%(name)s” is required but is not among the properties.")
                    % {"name": name}
                }
            )
    if layout in (None, {}):
        return
    if not isinstance(layout, dict):
        raise ValidationError({"layout": _("The layout must be a JSON object.")})
    sections = layout.get("sections", [])
    field_specs = layout.get("fields", {})
    if not isinstance(sections, list) or not isinstance(field_specs, dict):
        raise ValidationError(
            {"layout": _('The layout needs "sections" (a list) and "fields" (an object).')}
        )
    seen: set[str] = set()
    for index, section in enumerate(sections, start=1):
        if not isinstance(section, dict) or not isinstance(section.get("fields"), list):
            raise ValidationError(
                {
                    "layout": _("Section %(n)s must be an object with a list of fields.")
                    % {"n": index}
                }
            )
        if not _texts_ok(section.get("title")):
            raise ValidationError({"layout": _("Section %(n)s has a bad title.") % {"n": index}})
        for name in section["fields"]:
            if name not in properties:
                raise ValidationError(
                    {
                        "layout": _("Section %(n)s names “%(name)s”, which is not in the schema.")
                        % {"n": index, "name": name}
                    }
                )
            if name in seen:
                raise ValidationError(
                    {"layout": _("“%(name)s” is placed in two sections.") % {"name": name}}
                )
            seen.add(name)
        copies = section.get("copy_from_applicant", {})
        if not isinstance(copies, dict) or any(
            name not in section["fields"] or source not in APPLICANT_KEYS
            for name, source in copies.items()
        ):
            raise ValidationError(
                {
                    "layout": _(
                        'Section %(n)s: "copy_from_applicant" maps fields of the section to '
                        "the applicant's %(keys)s."
                    )
                    % {"n": index, "keys": ", ".join(APPLICANT_KEYS)}
                }
            )
    for name, spec in field_specs.items():
        if name not in properties:
            raise ValidationError(
                {
                    "layout": _("The layout describes “%(name)s”, which is not in the schema.")
                    % {"name": name}
                }
            )
        if not isinstance(spec, dict):
            raise ValidationError(
                {"layout": _("The layout of “%(name)s” must be an object.") % {"name": name}}
            )
        if not _texts_ok(spec.get("label")) or not _texts_ok(spec.get("help")):
            raise ValidationError(
                {"layout": _("The label or help text of “%(name)s” is not text.") % {"name": name}}
            )
        errors = spec.get("errors")
        if errors is not None and (
            not isinstance(errors, Mapping)
            or not all(key in ERROR_KEYS and _texts_ok(text) for key, text in errors.items())
        ):
            raise ValidationError(
                {
                    "layout": _(
                        "The error messages of “%(name)s” must be texts keyed by one of: %(list)s."
                    )
                    % {"name": name, "list": ", ".join(ERROR_KEYS)}
                }
            )
        widget = spec.get("widget") or default_widget(properties[name])
        prop = properties[name]
        if widget not in WIDGETS:
            raise ValidationError(
                {
                    "layout": _("Unknown widget “%(widget)s” for “%(name)s”; use one of: %(list)s.")
                    % {"widget": widget, "name": name, "list": ", ".join(WIDGETS)}
                }
            )
        if widget not in _WIDGETS_BY_TYPE[prop["type"]]:
            raise ValidationError(
                {
                    "layout": _("Widget “%(widget)s” does not suit “%(name)s” of type %(type)s.")
                    % {"widget": widget, "name": name, "type": prop["type"]}
                }
            )
        if widget == "select" and "enum" not in prop:
            raise ValidationError(
                {"layout": _("“%(name)s” is shown as a list but has no enum.") % {"name": name}}
            )
        if widget == "date" and prop.get("format") != "date":
            raise ValidationError(
                {
                    "layout": _('“%(name)s” is shown as a date but lacks "format": "date".')
                    % {"name": name}
                }
            )


#: What a section's ``"copy_from_applicant"`` may map its fields to: the applicant
#: step's details (``{"ho_ten_me": "name", "cccd_me": "id_number", ...}``).
APPLICANT_KEYS = ("name", "id_number", "date_of_birth", "address", "phone", "email")


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    fields: tuple[str, ...]
    copy_from_applicant: tuple[tuple[str, str], ...] = ()


def sections(schema: Mapping[str, Any], layout: Mapping[str, Any] | None) -> list[Section]:
    """The ordered sections; properties the layout leaves out come last."""
    properties = list((schema.get("properties") or {}).keys())
    result: list[Section] = []
    placed: set[str] = set()
    for index, section in enumerate((layout or {}).get("sections", []), start=1):
        names = tuple(name for name in section.get("fields", []) if name in properties)
        placed.update(names)
        title = text_in(section.get("title"), _("Part %(n)s") % {"n": index})
        copies = tuple(
            (str(name), str(source))
            for name, source in (section.get("copy_from_applicant") or {}).items()
            if name in names and source in APPLICANT_KEYS
        )
        result.append(Section(str(section.get("key") or index), title, names, copies))
    rest = tuple(name for name in properties if name not in placed)
    if rest:
        result.append(Section("other", _("Other information"), rest))
    return [section for section in result if section.fields]


def _date_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


class DeclarationForm(forms.Form):
    """A form built from a schema; :meth:`answers` gives JSON-ready values."""

    schema: dict[str, Any] = {}
    layout: dict[str, Any] = {}
    # {field: {JSON Schema keyword: message}}, for the checks the schema makes.
    messages: dict[str, dict[str, str]] = {}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        validator = _validator(self.schema)
        for error in validator.iter_errors(self._json(cleaned)):
            field = str(error.path[0]) if error.path else None
            if field is None and error.validator == "required":
                field = str(error.message.split("'")[1]) if "'" in error.message else None
            message = self.messages.get(field or "", {}).get(str(error.validator)) or (
                _message_for(str(error.validator))
            )
            if field in self.fields:
                if field not in self.errors:
                    self.add_error(field, message)
            else:
                self.add_error(None, message)
        return cleaned

    def _json(self, cleaned: Mapping[str, Any]) -> dict[str, Any]:
        answers: dict[str, Any] = {}
        properties = self.schema.get("properties") or {}
        for name in self.fields:
            if name not in properties:
                continue
            value = cleaned.get(name)
            if value in (None, "") and not isinstance(value, bool):
                continue
            prop = properties[name]
            if prop["type"] == "integer" and value is not None:
                value = int(value)
            elif prop["type"] == "number" and value is not None:
                value = float(value)
            answers[name] = _date_value(value)
        return answers

    def answers(self) -> dict[str, Any]:
        return self._json(self.cleaned_data)

    def sections(self) -> list[tuple[Section, list[forms.BoundField]]]:
        return [
            (section, [self[name] for name in section.fields])
            for section in sections(self.schema, self.layout)
        ]


def _validator(schema: Mapping[str, Any]) -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _message_for(validator: str) -> str:
    messages = {
        "required": _("This field is required."),
        "enum": _("Choose one of the options."),
        "pattern": _("The value does not have the expected form."),
        "maxLength": _("The value is too long."),
        "minLength": _("The value is too short."),
        "minimum": _("The value is too small."),
        "maximum": _("The value is too large."),
        "const": _("This box must be ticked."),
        "type": _("The value is not of the expected kind."),
        "format": _("The value does not have the expected form."),
    }
    return messages.get(validator, _("The value is not valid."))


_DIGITS = re.compile(r"\^(?:\[0-9\]|\\d)\{(\d+)\}\$")


def _in_sentence(label: str) -> str:
    """ "Họ, chữ đệm, tên" → "họ, chữ đệm, tên"; "CCCD" stays as written."""
    if len(label) > 1 and label[0].isupper() and label[1].islower():
        return label[0].lower() + label[1:]
    return label


def field_messages(label: str, prop: Mapping[str, Any], spec: Mapping[str, Any]) -> dict[str, str]:
    """The messages of one field, keyed by JSON Schema keyword: the layout's own
    wording when it gives one, else built from the label."""
    own = spec.get("errors") or {}
    widget = spec.get("widget") or default_widget(prop)
    what = _in_sentence(label)
    if prop.get("type") == "boolean":
        required = _("Tick the box “%(label)s”") % {"label": label}
    elif widget == "select":
        required = _("Choose %(label)s") % {"label": what}
    else:
        required = _("Enter %(label)s") % {"label": what}
    digits = _DIGITS.fullmatch(str(prop.get("pattern") or ""))
    pattern = (
        _("%(label)s has %(n)s digits") % {"label": label, "n": digits.group(1)}
        if digits
        else _("%(label)s does not have the expected form") % {"label": label}
    )
    built = {
        "required": required,
        "const": required,
        "pattern": pattern,
        "enum": _("Choose %(label)s among the options") % {"label": what},
    }
    for key, text in own.items():
        worded = text_in(text)
        if worded:
            built[key] = worded
    return built


def _field(name: str, prop: Mapping[str, Any], spec: Mapping[str, Any], required: bool) -> Any:
    label = text_in(spec.get("label"), prop.get("title") or name.replace("_", " ").capitalize())
    # Django renders help_text unescaped; this one is typed by an operator in the
    # schema editor, so it is escaped here like every other text we did not write.
    help_text = escape(text_in(spec.get("help"), prop.get("description") or ""))
    widget = spec.get("widget") or default_widget(prop)
    messages = field_messages(label, prop, spec)
    common: dict[str, Any] = {
        "label": label,
        "help_text": help_text,
        "required": required,
        "error_messages": {"required": messages["required"]},
    }
    if "default" in prop:
        common["initial"] = prop["default"]  # e.g. Dân tộc "Kinh": data in the schema
    kind = prop["type"]
    if widget == "select":
        labels = spec.get("choices") or {}
        choices = [
            (str(value), text_in(labels.get(str(value)), str(value))) for value in prop["enum"]
        ]
        if kind == "integer":
            return forms.TypedChoiceField(
                choices=[("", "—"), *choices], coerce=int, empty_value=None, **common
            )
        common["error_messages"]["invalid_choice"] = messages["enum"]
        return forms.ChoiceField(choices=[("", "—"), *choices], **common)
    if kind == "boolean":
        common["required"] = prop.get("const") is True
        return forms.BooleanField(**common)
    if kind == "integer":
        return forms.IntegerField(
            min_value=prop.get("minimum"), max_value=prop.get("maximum"), **common
        )
    if kind == "number":
        return forms.FloatField(
            min_value=prop.get("minimum"),
            max_value=prop.get("maximum"),
            widget=forms.NumberInput(attrs={"step": "any"}),
            **common,
        )
    if widget == "date":
        return DatePartsField(**common)
    validators = []
    if prop.get("pattern"):
        validators.append(RegexValidator(prop["pattern"], messages["pattern"]))
    return forms.CharField(
        max_length=prop.get("maxLength"),
        min_length=prop.get("minLength"),
        widget=forms.Textarea(attrs={"rows": 3}) if widget == "textarea" else forms.TextInput,
        validators=validators,
        **common,
    )


def form_class(
    schema: Mapping[str, Any], layout: Mapping[str, Any] | None
) -> type[DeclarationForm]:
    """A Django form class for ``schema`` (fields in the layout's order)."""
    properties = schema.get("properties") or {}
    required = set(schema.get("required") or [])
    specs = (layout or {}).get("fields") or {}
    ordered = [name for section in sections(schema, layout) for name in section.fields]
    attrs: dict[str, Any] = {"schema": dict(schema), "layout": dict(layout or {})}
    messages: dict[str, dict[str, str]] = {}
    for name in ordered:
        spec = specs.get(name) or {}
        attrs[name] = _field(name, properties[name], spec, name in required)
        messages[name] = field_messages(attrs[name].label, properties[name], spec)
    attrs["messages"] = messages
    return type("GeneratedDeclarationForm", (DeclarationForm,), attrs)


def initial_from(answers: Mapping[str, Any], schema: Mapping[str, Any]) -> dict[str, Any]:
    """Stored answers as form initial values."""
    return {key: value for key, value in answers.items() if key in (schema.get("properties") or {})}


def validate_answers(schema: Mapping[str, Any], answers: Mapping[str, Any]) -> dict[str, str]:
    """Errors of ``answers`` against ``schema`` as {field: message} (API use)."""
    errors: dict[str, str] = {}
    for error in _validator(schema).iter_errors(dict(answers)):
        if error.path:
            field = str(error.path[0])
        elif error.validator == "required" and "'" in error.message:
            field = error.message.split("'")[1]
        else:
            field = "answers"
        errors.setdefault(field, _message_for(str(error.validator)))
    return errors
