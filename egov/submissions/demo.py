"""Declaration forms of the demo procedures submitted online (levels 3 and 4).

Field labels follow the official declarations (tờ khai) of Thông tư 04/2020/TT-BTP
and Thông tư 01/2021/TT-BKHĐT, shortened to what an online form asks. Loading is
idempotent: an unchanged form writes nothing (``services.save_form_schema``).
"""

from __future__ import annotations

from typing import Any

from egov.procedures.models import Procedure
from egov.submissions.services import save_form_schema

SCHEMA = "https://json-schema.org/draft/2020-12/schema"


def _t(vi: str, en: str) -> dict[str, str]:
    return {"vi": vi, "en": en}


def _form(
    fields: list[tuple[str, dict[str, Any], dict[str, Any], bool]],
    sections: list[tuple[str, dict[str, str], list[str]]],
    copies: dict[str, dict[str, str]] | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Schema and layout; ``copies`` gives sections a "use the applicant's details"
    button ({section key: {field: applicant detail}})."""
    schema = {
        "$schema": SCHEMA,
        "type": "object",
        "properties": {name: prop for name, prop, _spec, _req in fields},
        "required": [name for name, _prop, _spec, required in fields if required],
    }
    layout = {
        "sections": [
            {"key": key, "title": title, "fields": names}
            | ({"copy_from_applicant": (copies or {})[key]} if key in (copies or {}) else {})
            for key, title, names in sections
        ],
        "fields": {name: spec for name, _prop, spec, _req in fields},
    }
    return schema, layout


def _text(max_length: int = 255) -> dict[str, Any]:
    return {"type": "string", "minLength": 1, "maxLength": max_length}


DATE = {"type": "string", "format": "date"}
SEX = {"type": "string", "enum": ["nam", "nu"]}
SEX_CHOICES = {"nam": _t("Nam", "Male"), "nu": _t("Nữ", "Female")}
CCCD = {"type": "string", "pattern": "^[0-9]{12}$"}


def birth_registration() -> tuple[dict[str, Any], dict[str, Any]]:
    return _form(
        [
            (
                "ho_ten_tre",
                _text(),
                {"label": _t("Họ, chữ đệm, tên của trẻ", "Child's full name")},
                True,
            ),
            (
                "ngay_sinh_tre",
                DATE,
                {"label": _t("Ngày, tháng, năm sinh", "Date of birth"), "widget": "date"},
                True,
            ),
            (
                "gioi_tinh_tre",
                SEX,
                {"label": _t("Giới tính", "Sex"), "widget": "select", "choices": SEX_CHOICES},
                True,
            ),
            (
                "noi_sinh",
                _text(500),
                {
                    "label": _t("Nơi sinh", "Place of birth"),
                    "help": _t(
                        "Tên cơ sở y tế hoặc địa chỉ nơi sinh.", "Name of the hospital or address."
                    ),
                },
                True,
            ),
            (
                "dan_toc_tre",
                {**_text(50), "default": "Kinh"},
                {"label": _t("Dân tộc", "Ethnic group")},
                True,
            ),
            (
                "quoc_tich_tre",
                {**_text(50), "default": "Việt Nam"},
                {"label": _t("Quốc tịch", "Nationality")},
                True,
            ),
            (
                "ho_ten_me",
                _text(),
                {"label": _t("Họ, chữ đệm, tên người mẹ", "Mother's full name")},
                True,
            ),
            (
                "ngay_sinh_me",
                DATE,
                {
                    "label": _t("Ngày, tháng, năm sinh người mẹ", "Mother's date of birth"),
                    "widget": "date",
                },
                False,
            ),
            (
                "cccd_me",
                CCCD,
                {
                    "label": _t("Số định danh cá nhân người mẹ", "Mother's personal ID number"),
                    "help": _t("12 chữ số.", "12 digits."),
                },
                False,
            ),
            (
                "noi_cu_tru_me",
                _text(500),
                {"label": _t("Nơi cư trú người mẹ", "Mother's place of residence")},
                True,
            ),
            (
                "ho_ten_cha",
                {"type": "string", "maxLength": 255},
                {
                    "label": _t("Họ, chữ đệm, tên người cha", "Father's full name"),
                    "help": _t(
                        "Để trống nếu chưa xác định được cha.",
                        "Leave empty if the father is not established.",
                    ),
                },
                False,
            ),
            (
                "cccd_cha",
                CCCD,
                {"label": _t("Số định danh cá nhân người cha", "Father's personal ID number")},
                False,
            ),
            (
                "noi_cu_tru_cha",
                {"type": "string", "maxLength": 500},
                {"label": _t("Nơi cư trú người cha", "Father's place of residence")},
                False,
            ),
            (
                "quan_he",
                _text(50),
                {
                    "label": _t("Quan hệ với người được khai sinh", "Relationship to the child"),
                    "help": _t("Ví dụ: mẹ, cha, ông, bà.", "E.g. mother, father, grandparent."),
                },
                True,
            ),
            (
                "cam_doan",
                {"type": "boolean", "const": True},
                {
                    "label": _t(
                        "Tôi cam đoan nội dung khai trên đây là đúng sự thật",
                        "I declare that the above is true",
                    ),
                    "widget": "checkbox",
                },
                True,
            ),
        ],
        [
            (
                "tre",
                _t("Người được khai sinh", "The child"),
                [
                    "ho_ten_tre",
                    "ngay_sinh_tre",
                    "gioi_tinh_tre",
                    "noi_sinh",
                    "dan_toc_tre",
                    "quoc_tich_tre",
                ],
            ),
            (
                "me",
                _t("Người mẹ", "The mother"),
                ["ho_ten_me", "ngay_sinh_me", "cccd_me", "noi_cu_tru_me"],
            ),
            ("cha", _t("Người cha", "The father"), ["ho_ten_cha", "cccd_cha", "noi_cu_tru_cha"]),
            ("cam_doan", _t("Lời cam đoan", "Declaration"), ["quan_he", "cam_doan"]),
        ],
        copies={
            "me": {
                "ho_ten_me": "name",
                "ngay_sinh_me": "date_of_birth",
                "cccd_me": "id_number",
                "noi_cu_tru_me": "address",
            },
            "cha": {"ho_ten_cha": "name", "cccd_cha": "id_number", "noi_cu_tru_cha": "address"},
        },
    )


def marriage_registration() -> tuple[dict[str, Any], dict[str, Any]]:
    fields: list[tuple[str, dict[str, Any], dict[str, Any], bool]] = []
    sections = []
    for key, vi, en in (("nu", "Bên nữ", "The bride"), ("nam", "Bên nam", "The groom")):
        names = [
            f"ho_ten_{key}",
            f"ngay_sinh_{key}",
            f"cccd_{key}",
            f"dan_toc_{key}",
            f"noi_cu_tru_{key}",
            f"lan_ket_hon_{key}",
        ]
        fields += [
            (names[0], _text(), {"label": _t("Họ, chữ đệm, tên", "Full name")}, True),
            (
                names[1],
                DATE,
                {"label": _t("Ngày, tháng, năm sinh", "Date of birth"), "widget": "date"},
                True,
            ),
            (
                names[2],
                CCCD,
                {
                    "label": _t("Số định danh cá nhân", "Personal ID number"),
                    "help": _t("12 chữ số.", "12 digits."),
                },
                True,
            ),
            (
                names[3],
                {**_text(50), "default": "Kinh"},
                {"label": _t("Dân tộc", "Ethnic group")},
                True,
            ),
            (names[4], _text(500), {"label": _t("Nơi cư trú", "Place of residence")}, True),
            (
                names[5],
                {"type": "integer", "minimum": 1, "maximum": 10},
                {"label": _t("Kết hôn lần thứ mấy", "Which marriage is this"), "widget": "number"},
                True,
            ),
        ]
        sections.append((key, _t(vi, en), names))
    fields.append(
        (
            "cam_doan",
            {"type": "boolean", "const": True},
            {
                "label": _t(
                    "Chúng tôi cam đoan tự nguyện kết hôn, đáp ứng đủ điều kiện kết hôn "
                    "theo Luật Hôn nhân và gia đình",
                    "We declare we marry freely and meet the legal conditions",
                )
            },
            True,
        )
    )
    sections.append(("cam_doan", _t("Lời cam đoan", "Declaration"), ["cam_doan"]))
    # Either spouse may be the applicant: both sections offer their details.
    copies = {
        key: {
            f"ho_ten_{key}": "name",
            f"ngay_sinh_{key}": "date_of_birth",
            f"cccd_{key}": "id_number",
            f"noi_cu_tru_{key}": "address",
        }
        for key in ("nu", "nam")
    }
    return _form(fields, sections, copies)


def business_household() -> tuple[dict[str, Any], dict[str, Any]]:
    return _form(
        [
            (
                "ten_ho_kinh_doanh",
                _text(),
                {
                    "label": _t("Tên hộ kinh doanh", "Name of the household business"),
                    "help": _t(
                        "Viết bằng tiếng Việt, có cụm từ “Hộ kinh doanh”.",
                        "In Vietnamese, starting with “Hộ kinh doanh”.",
                    ),
                },
                True,
            ),
            (
                "dia_diem_kinh_doanh",
                _text(500),
                {"label": _t("Địa điểm kinh doanh", "Business address")},
                True,
            ),
            (
                "dien_thoai_kinh_doanh",
                {"type": "string", "maxLength": 20},
                {"label": _t("Điện thoại", "Phone")},
                False,
            ),
            (
                "nganh_nghe",
                _text(1000),
                {"label": _t("Ngành, nghề kinh doanh", "Lines of business"), "widget": "textarea"},
                True,
            ),
            (
                "von_kinh_doanh",
                {"type": "integer", "minimum": 0},
                {"label": _t("Vốn kinh doanh (đồng)", "Capital (đồng)"), "widget": "number"},
                True,
            ),
            (
                "so_lao_dong",
                {"type": "integer", "minimum": 0, "maximum": 9},
                {
                    "label": _t("Số lượng lao động", "Number of workers"),
                    "help": _t("Hộ kinh doanh sử dụng dưới 10 lao động.", "Fewer than 10 workers."),
                },
                False,
            ),
            (
                "chu_ho_ho_ten",
                _text(),
                {"label": _t("Họ tên chủ hộ kinh doanh", "Owner's full name")},
                True,
            ),
            (
                "chu_ho_cccd",
                CCCD,
                {"label": _t("Số định danh cá nhân của chủ hộ", "Owner's personal ID number")},
                True,
            ),
            (
                "chu_ho_noi_cu_tru",
                _text(500),
                {"label": _t("Nơi cư trú của chủ hộ", "Owner's place of residence")},
                True,
            ),
        ],
        [
            (
                "ho",
                _t("Hộ kinh doanh", "The household business"),
                [
                    "ten_ho_kinh_doanh",
                    "dia_diem_kinh_doanh",
                    "dien_thoai_kinh_doanh",
                    "nganh_nghe",
                    "von_kinh_doanh",
                    "so_lao_dong",
                ],
            ),
            (
                "chu_ho",
                _t("Chủ hộ kinh doanh", "The owner"),
                ["chu_ho_ho_ten", "chu_ho_cccd", "chu_ho_noi_cu_tru"],
            ),
        ],
    )


def certified_copies() -> tuple[dict[str, Any], dict[str, Any]]:
    """Chứng thực bản sao: ``pages`` and ``copies`` feed the fee rule."""
    return _form(
        [
            (
                "ten_giay_to",
                _text(500),
                {"label": _t("Tên giấy tờ, văn bản cần chứng thực", "Paper to certify")},
                True,
            ),
            (
                "co_quan_cap",
                _text(500),
                {"label": _t("Cơ quan, tổ chức đã cấp bản chính", "Issued by")},
                True,
            ),
            (
                "pages",
                {"type": "integer", "minimum": 1, "maximum": 500},
                {"label": _t("Số trang", "Number of pages"), "widget": "number"},
                True,
            ),
            (
                "copies",
                {"type": "integer", "minimum": 1, "maximum": 50},
                {
                    "label": _t("Số bản sao cần chứng thực", "Number of certified copies"),
                    "widget": "number",
                },
                True,
            ),
        ],
        [
            (
                "yeu_cau",
                _t("Yêu cầu chứng thực", "What to certify"),
                ["ten_giay_to", "co_quan_cap", "pages", "copies"],
            )
        ],
    )


def civil_extract_copies() -> tuple[dict[str, Any], dict[str, Any]]:
    return _form(
        [
            (
                "loai_trich_luc",
                {"type": "string", "enum": ["khai_sinh", "ket_hon", "khai_tu"]},
                {
                    "label": _t("Loại trích lục", "Extract of"),
                    "widget": "select",
                    "choices": {
                        "khai_sinh": _t("Khai sinh", "Birth"),
                        "ket_hon": _t("Kết hôn", "Marriage"),
                        "khai_tu": _t("Khai tử", "Death"),
                    },
                },
                True,
            ),
            (
                "ho_ten_nguoi_duoc_cap",
                _text(),
                {
                    "label": _t(
                        "Họ, chữ đệm, tên người được cấp trích lục",
                        "Full name of the person concerned",
                    )
                },
                True,
            ),
            (
                "ngay_sinh",
                DATE,
                {"label": _t("Ngày, tháng, năm sinh", "Date of birth"), "widget": "date"},
                True,
            ),
            (
                "noi_dang_ky",
                _text(500),
                {"label": _t("Nơi đã đăng ký", "Where it was registered")},
                True,
            ),
            (
                "copies",
                {"type": "integer", "minimum": 1, "maximum": 20},
                {"label": _t("Số bản sao", "Number of copies"), "widget": "number"},
                True,
            ),
        ],
        [
            (
                "yeu_cau",
                _t("Yêu cầu cấp bản sao trích lục", "The extract asked for"),
                ["loai_trich_luc", "ho_ten_nguoi_duoc_cap", "ngay_sinh", "noi_dang_ky", "copies"],
            )
        ],
    )


FORMS = {
    "1.001193": birth_registration,  # Đăng ký khai sinh (level 4)
    "1.000894": marriage_registration,  # Đăng ký kết hôn (level 3)
    "1.001612": business_household,  # Đăng ký thành lập hộ kinh doanh (level 4)
    "2.000815": certified_copies,  # Chứng thực bản sao từ bản chính (level 3)
    "2.000635": civil_extract_copies,  # Cấp bản sao Trích lục hộ tịch (level 4)
}


def load_demo_submissions() -> int:
    """Save the demo declaration forms; returns how many were new. Procedures not in
    the catalogue are skipped."""
    created = 0
    for code, build in FORMS.items():
        procedure = Procedure.objects.filter(national_code=code).first()
        if procedure is None:
            continue
        schema, layout = build()
        _row, was_new = save_form_schema(None, procedure, schema=schema, layout=layout)
        created += int(was_new)
    return created
