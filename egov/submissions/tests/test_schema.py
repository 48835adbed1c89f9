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
    # Each message says what to do with that field, built from its label.
    assert form.errors["ho_ten_tre"] == ["Nhập họ, chữ đệm, tên của trẻ"]
    assert form.errors["cccd_me"] == ["Số định danh cá nhân người mẹ gồm 12 chữ số"]
    assert form.errors["cam_doan"][0].startswith("Đánh dấu vào ô “Tôi cam đoan")
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


def _one_field_form(prop: dict[str, Any], spec: dict[str, Any]) -> Any:
    schema = {"type": "object", "properties": {"x": prop}, "required": ["x"]}
    layout = {"sections": [{"fields": ["x"]}], "fields": {"x": spec}}
    fs.check(schema, layout)
    return fs.form_class(schema, layout)


@pytest.mark.parametrize(
    ("prop", "spec", "data", "message"),
    [
        ({"type": "string"}, {"label": "Họ, chữ đệm, tên"}, {}, "Nhập họ, chữ đệm, tên"),
        # An abbreviation keeps its capitals.
        ({"type": "string"}, {"label": "CCCD của cha"}, {}, "Nhập CCCD của cha"),
        (
            {"type": "string", "enum": ["nam", "nu"]},
            {"label": "Giới tính", "widget": "select"},
            {},
            "Chọn giới tính",
        ),
        (
            {"type": "string", "pattern": "^\\d{10}$"},
            {"label": "Mã số thuế"},
            {"x": "12"},
            "Mã số thuế gồm 10 chữ số",
        ),
        (
            {"type": "string", "pattern": "^[A-Z]{2}$"},
            {"label": "Mã"},
            {"x": "12"},
            "Mã không đúng định dạng",
        ),
        # The layout's own words win, as data, in the page's language.
        (
            {"type": "string", "pattern": "^[0-9]{12}$"},
            {
                "label": "Số định danh",
                "errors": {
                    "required": {"vi": "Nhập số định danh của trẻ", "en": "Enter the ID"},
                    "pattern": {"vi": "Số định danh gồm 12 chữ số", "en": "12 digits"},
                },
            },
            {"x": "123"},
            "Số định danh gồm 12 chữ số",
        ),
    ],
)
def test_error_messages_name_the_field(
    prop: dict[str, Any], spec: dict[str, Any], data: dict[str, str], message: str
) -> None:
    with translation.override("vi"):
        form = _one_field_form(prop, spec)(data=data)
        assert not form.is_valid()
        assert form.errors["x"] == [message]


def test_layout_error_messages_must_be_texts_for_known_checks() -> None:
    schema = {"type": "object", "properties": {"x": {"type": "string"}}}
    for errors in ({"requird": "Nhập x"}, {"required": 3}, "Nhập x"):
        with pytest.raises(ValidationError) as caught:
            fs.check(schema, {"sections": [], "fields": {"x": {"errors": errors}}})
        assert "“x”" in str(caught.value.message_dict["layout"])
