from __future__ import annotations

import json

from egov.lgsp.masking import mask_body, mask_text


def test_identity_numbers_and_phones_are_masked() -> None:
    assert mask_text("/lgsp/r1/VN/GOV/x/y/CITIZEN-LOOKUP/v1/091085001234") == (
        "/lgsp/r1/VN/GOV/x/y/CITIZEN-LOOKUP/v1/091*******34"
    )
    assert "0912345678" not in mask_text("gọi 0912345678 hoặc +84 912 345 678")
    assert mask_text("mã 000.00.05.H33, năm 2026") == "mã 000.00.05.H33, năm 2026"


def test_names_and_addresses_in_json_are_masked() -> None:
    body = json.dumps(
        {
            "so_dinh_danh": "091085001234",
            "ho_ten": "Nguyễn Văn An",
            "ngay_sinh": "1985-03-12",
            "noi_thuong_tru": "12 Nguyễn Trung Trực",
            "gioi_tinh": "Nam",
            "items": [{"phone": "84912345678", "email": "an@example.vn", "code": "X"}],
        },
        ensure_ascii=False,
    )
    shown = mask_body(body)
    for secret in (
        "091085001234",
        "Nguyễn Văn An",
        "1985-03-12",
        "Trung Trực",
        "84912345678",
        "an@example.vn",
    ):
        assert secret not in shown
    parsed = json.loads(shown)
    assert parsed["ho_ten"] == "N*** V*** A***"
    assert parsed["gioi_tinh"] == "Nam"
    assert parsed["items"][0]["code"] == "X"


def test_text_bodies_are_masked_too() -> None:
    assert "091085001234" not in mask_body("so=091085001234")
    assert mask_body("") == ""
