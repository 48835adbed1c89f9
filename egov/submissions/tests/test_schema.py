from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from egov.submissions import schema as fs
from egov.submissions.demo import FORMS, birth_registration

from .conftest import BIRTH_ANSWERS


@pytest.mark.parametrize("code", sorted(FORMS))
def test_demo_forms_are_valid(code: str) -> None:
    schema, layout = FORMS[code]()
    fs.check(schema, layout)


@pytest.mark.parametrize(
    ("schema", "layout", "key", "words"),
    [
        ([], {}, "schema", "JSON object"),
        ({"type": "object", "properties": {"a": {"type": "strin"}}}, {}, "schema", "JSON Schema"),
        ({"type": "array"}, {}, "schema", "object"),
        ({"type": "object", "properties": {"a": {"type": "array"}}}, {}, "schema", "“a”"),
        ({"type": "object", "properties": {}, "required": ["x"]}, {}, "schema", "“x”"),
        (
            {"type": "object", "properties": {"a": {"type": "string"}}},
            {"sections": [{"fields": ["b"]}], "fields": {}},
            "layout",
            "“b”",
        ),
        (
            {"type": "object", "properties": {"a": {"type": "string"}}},
            {"sections": [], "fields": {"a": {"widget": "slider"}}},
            "layout",
            "slider",
        ),
        (
            {"type": "object", "properties": {"a": {"type": "string"}}},
            {"sections": [], "fields": {"a": {"widget": "select"}}},
            "layout",
            "enum",
        ),
        (
            {"type": "object", "properties": {"a": {"type": "integer"}}},
            {"sections": [], "fields": {"a": {"widget": "date"}}},
            "layout",
            "“a”",
        ),
    ],
)
def test_bad_schemas_are_refused_with_a_clear_message(
    schema: Any, layout: Any, key: str, words: str
) -> None:
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        fs.check(schema, layout)
    assert key in caught.value.message_dict
    assert words in caught.value.message_dict[key][0]


def _form(data: dict[str, Any]) -> Any:
    schema, layout = birth_registration()
    return fs.form_class(schema, layout)(data)


def test_generated_form_has_sections_labels_and_widgets_in_order() -> None:
    schema, layout = birth_registration()
    form = fs.form_class(schema, layout)()
    sections = form.sections()
    assert [s.title for s, _fields in sections] == [
        "Người được khai sinh",
        "Người mẹ",
        "Người cha",
        "Lời cam đoan",
    ]
    assert form["ho_ten_tre"].label == "Họ, chữ đệm, tên của trẻ"
    # A date in three numeric boxes: ngày, tháng, năm.
    assert str(form["ngay_sinh_tre"]).count('inputmode="numeric"') == 3
    assert "<select" in str(form["gioi_tinh_tre"])
    assert 'type="checkbox"' in str(form["cam_doan"])
    with translation.override("en"):
        assert fs.form_class(schema, layout)()["ho_ten_tre"].label == "Child's full name"


def test_generated_form_gives_json_answers() -> None:
    data = {**BIRTH_ANSWERS, "cam_doan": "on"}
    form = _form(data)
    assert form.is_valid(), form.errors
    answers = form.answers()
    assert answers["ngay_sinh_tre"] == "2026-02-20"
    assert answers["cam_doan"] is True
    assert "ho_ten_cha" not in answers


def test_generated_form_errors_are_per_field_in_vietnamese_and_keep_values() -> None:
    data = {**BIRTH_ANSWERS, "ho_ten_tre": "", "cccd_me": "12345", "cam_doan": ""}
    form = _form(data)
    assert not form.is_valid()
    assert set(form.errors) == {"ho_ten_tre", "cccd_me", "cam_doan"}
    assert "bắt buộc" in form.errors["ho_ten_tre"][0].lower()
    assert 'value="Trần Thị Lan"' in str(form["ho_ten_me"])
    assert 'value="12345"' in str(form["cccd_me"])


def test_answers_validated_against_the_schema() -> None:
    schema, _layout = birth_registration()
    assert fs.validate_answers(schema, BIRTH_ANSWERS) == {}
    errors = fs.validate_answers(schema, {**BIRTH_ANSWERS, "ngay_sinh_tre": "20/02/2026"})
    assert set(errors) == {"ngay_sinh_tre"}
    errors = fs.validate_answers(
        schema, {k: v for k, v in BIRTH_ANSWERS.items() if k != "noi_sinh"}
    )
    assert set(errors) == {"noi_sinh"}
