from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from egov.accounts.default_roles import ensure_default_roles
from egov.dossiers.tests.factories import World, build_world
from egov.submissions.demo import birth_registration
from egov.submissions.services import save_form_schema


@pytest.fixture(autouse=True)
def _files_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "files")},
        },
    }


@pytest.fixture
def world(db: Any) -> World:
    ensure_default_roles()
    built = build_world()
    built.version.agencies.set([built.org.district])
    schema, layout = birth_registration()
    save_form_schema(None, built.version.procedure, schema=schema, layout=layout)
    return built


def pdf_bytes(text: str = "Giấy chứng sinh", pages: int = 1) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    for _ in range(pages):
        pdf.add_page()
        pdf.set_font("helvetica", size=12)
        pdf.cell(text=text.encode("ascii", "replace").decode())
    return bytes(pdf.output())


def pdf_upload(name: str = "giay-to.pdf", text: str = "paper") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(text), content_type="application/pdf")


def png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def fake_pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "to-khai.pdf", b"MZ\x90\x00" + b"\x00" * 200, content_type="application/pdf"
    )


BIRTH_ANSWERS = {
    "ho_ten_tre": "Nguyễn Thị Mai",
    "ngay_sinh_tre": "2026-02-20",
    "gioi_tinh_tre": "nu",
    "noi_sinh": "Bệnh viện Đa khoa tỉnh Kiên Giang",
    "dan_toc_tre": "Kinh",
    "quoc_tich_tre": "Việt Nam",
    "ho_ten_me": "Trần Thị Lan",
    "noi_cu_tru_me": "12 Trần Phú, Phường Vĩnh Thanh Vân, Rạch Giá",
    "quan_he": "mẹ",
    "cam_doan": True,
}

APPLICANT = {
    "name": "Nguyễn Văn An",
    "id_number": "091090001234",
    "address": "12 Trần Phú, Phường Vĩnh Thanh Vân, Rạch Giá",
    "phone": "0912345678",
    "email": "an@example.vn",
}
