"""The standard staff roles a new platform starts with.

Roles are data: an operator may rename them and change their permissions, so
seeding only ever creates missing rows. Used by migration ``0003_seed_roles``
and by tests whose database was flushed (live-server and transactional tests).
"""

from __future__ import annotations

from typing import Any

ALL_PERMS = [
    "dossiers.receive",
    "dossiers.process",
    "dossiers.approve",
    "dossiers.return",
    "documents.register",
    "documents.sign",
    "documents.assign",
    "org.manage_units",
    "accounts.manage_staff",
    "calendar.manage",
    "audit.view",
    "platform.operate",
    "payments.reconcile",
]

ROLES = [
    {
        "code": "one_stop_clerk",
        "name": "Cán bộ Bộ phận Một cửa",
        "name_en": "One-stop desk officer",
        "description": "Tiếp nhận hồ sơ và trả kết quả giải quyết thủ tục hành chính.",
        "permissions": ["dossiers.receive", "dossiers.return"],
    },
    {
        "code": "specialist",
        "name": "Chuyên viên",
        "name_en": "Specialist",
        "description": "Thẩm định, xử lý hồ sơ được phân công.",
        "permissions": ["dossiers.process"],
    },
    {
        "code": "unit_head",
        "name": "Lãnh đạo phòng",
        "name_en": "Head of division",
        "description": "Phân công, xử lý và trình duyệt hồ sơ của phòng.",
        "permissions": ["dossiers.process", "dossiers.approve", "documents.assign"],
    },
    {
        "code": "agency_leader",
        "name": "Lãnh đạo cơ quan",
        "name_en": "Agency leader",
        "description": "Phê duyệt kết quả, ký văn bản, xem nhật ký của cơ quan.",
        "permissions": ["dossiers.approve", "documents.sign", "documents.assign", "audit.view"],
    },
    {
        "code": "records_clerk",
        "name": "Văn thư",
        "name_en": "Records clerk",
        "description": "Đăng ký, cấp số văn bản đi, vào sổ văn bản đến.",
        "permissions": ["documents.register"],
    },
    {
        "code": "agency_admin",
        "name": "Quản trị cơ quan",
        "name_en": "Agency administrator",
        "description": "Quản lý đơn vị trực thuộc và tài khoản cán bộ của cơ quan.",
        "permissions": ["org.manage_units", "accounts.manage_staff", "audit.view"],
    },
    {
        "code": "platform_operator",
        "name": "Quản trị hệ thống",
        "name_en": "Platform operator",
        "description": (
            "Vận hành nền tảng của tỉnh (thường do Sở Thông tin và Truyền thông đảm nhiệm): "
            "lịch làm việc, tài khoản, đơn vị, nhật ký."
        ),
        "permissions": ALL_PERMS,
    },
]


def ensure_default_roles(role_model: Any = None) -> None:
    """Create the standard roles that are missing; never overwrite existing ones."""
    if role_model is None:
        from egov.accounts.models import Role as role_model
    for role in ROLES:
        role_model.objects.get_or_create(
            code=role["code"],
            defaults={key: value for key, value in role.items() if key != "code"},
        )
