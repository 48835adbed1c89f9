"""The 29 document types of Nghị định 30/2020/NĐ-CP (Phụ lục III) with their
abbreviations. Shipped as data (table ``DocumentType``): seeding creates the missing
rows and never overwrites what an operator changed."""

from __future__ import annotations

from typing import Any

# (code, name, abbreviation): công văn and thư công have no abbreviation.
DECREE_30_TYPES: tuple[tuple[str, str, str], ...] = (
    ("nghi-quyet", "Nghị quyết (cá biệt)", "NQ"),
    ("quyet-dinh", "Quyết định (cá biệt)", "QĐ"),
    ("chi-thi", "Chỉ thị", "CT"),
    ("quy-che", "Quy chế", "QC"),
    ("quy-dinh", "Quy định", "QyĐ"),
    ("thong-cao", "Thông cáo", "TC"),
    ("thong-bao", "Thông báo", "TB"),
    ("huong-dan", "Hướng dẫn", "HD"),
    ("chuong-trinh", "Chương trình", "CTr"),
    ("ke-hoach", "Kế hoạch", "KH"),
    ("phuong-an", "Phương án", "PA"),
    ("de-an", "Đề án", "ĐA"),
    ("du-an", "Dự án", "DA"),
    ("bao-cao", "Báo cáo", "BC"),
    ("bien-ban", "Biên bản", "BB"),
    ("to-trinh", "Tờ trình", "TTr"),
    ("hop-dong", "Hợp đồng", "HĐ"),
    ("cong-van", "Công văn", ""),
    ("cong-dien", "Công điện", "CĐ"),
    ("ban-ghi-nho", "Bản ghi nhớ", "BGN"),
    ("ban-thoa-thuan", "Bản thỏa thuận", "BTT"),
    ("giay-uy-quyen", "Giấy ủy quyền", "GUQ"),
    ("giay-moi", "Giấy mời", "GM"),
    ("giay-gioi-thieu", "Giấy giới thiệu", "GGT"),
    ("giay-nghi-phep", "Giấy nghỉ phép", "GNP"),
    ("phieu-gui", "Phiếu gửi", "PG"),
    ("phieu-chuyen", "Phiếu chuyển", "PC"),
    ("phieu-bao", "Phiếu báo", "PB"),
    ("thu-cong", "Thư công", ""),
)


def ensure_document_types(model: Any = None) -> int:
    """Create the missing Decree 30 types; return how many were created."""
    if model is None:
        from egov.documents.models import DocumentType as model
    created = 0
    for order, (code, name, abbreviation) in enumerate(DECREE_30_TYPES, start=1):
        _row, made = model.objects.get_or_create(
            code=code, defaults={"name": name, "abbreviation": abbreviation, "order": order}
        )
        created += int(made)
    return created
