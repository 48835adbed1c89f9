"""The platform's own entries in the registry: its LGSP member and subsystem, the
providers and services it publishes (platform APIs, shared categories, the
population database, outside connectors). Idempotent; the demo and tests call
:func:`ensure_platform_services`."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from egov.lgsp import services
from egov.lgsp.models import Service

PROVINCE_CODE = "000.00.00.H33"


def ensure_platform_services(actor: Any = None) -> dict[str, Service]:
    """Register the services the platform offers; returns them by code."""
    instance = str(settings.EGOV_LGSP_INSTANCE)
    member = services.ensure_member(
        actor,
        instance=instance,
        member_class="GOV",
        member_code=PROVINCE_CODE,
        name="UBND tỉnh Kiên Giang",
    )
    lgsp = services.ensure_subsystem(actor, member, "lgsp", "Nền tảng tích hợp, chia sẻ dữ liệu")
    platform = services.ensure_provider(actor, "platform-api", kind="internal", target="/api/v1")
    population = services.ensure_provider(
        actor,
        "csdl-dan-cu",
        kind="http",
        target=str(settings.EGOV_LGSP_POPULATION_URL),
        transport="inprocess" if settings.EGOV_SIMULATORS else "http",
        timeout_seconds=5.0,
        api_key_setting="EGOV_LGSP_POPULATION_API_KEY",
    )
    sms = services.ensure_provider(
        actor,
        "sms-gateway",
        kind="http",
        target=str(settings.EGOV_SMS_API_URL),
        transport="inprocess" if settings.EGOV_SIMULATORS else "http",
        timeout_seconds=10.0,
        api_key_setting="EGOV_SMS_API_KEY",
    )
    made: dict[str, Service] = {}
    plan: list[tuple[str, str, Any, str, str]] = [
        (
            "CATALOGUE",
            "Danh mục thủ tục hành chính (tra cứu)",
            platform,
            "/portal/procedures",
            "GET",
        ),
        ("DOSSIER-LOOKUP", "Tra cứu hồ sơ theo mã", platform, "/public/dossiers", "GET"),
        (
            "CITIZEN-LOOKUP",
            "Tra cứu công dân theo số định danh (CSDL quốc gia về dân cư)",
            population,
            "/v1/cong-dan",
            "GET",
        ),
        ("SMS-SEND", "Gửi tin nhắn SMS (cổng SMS)", sms, "", "POST"),
    ]
    for code, title, provider, target_path, methods in plan:
        made[code] = services.ensure_service(
            actor,
            lgsp,
            code,
            title=title,
            provider=provider,
            target_path=target_path,
            methods=methods,
        )
    categories = [
        (
            "CATEGORY-UNITS",
            "Danh mục đơn vị hành chính và mã định danh cơ quan",
            "categories.units",
        ),
        ("CATEGORY-PROCEDURES", "Danh mục mã thủ tục hành chính", "categories.procedures"),
        ("CATEGORY-DOCUMENT-TYPES", "Danh mục loại văn bản", "categories.document_types"),
        ("CATEGORY-DOSSIER-STATUSES", "Danh mục trạng thái hồ sơ", "categories.dossier_statuses"),
    ]
    for code, title, name in categories:
        provider = services.ensure_provider(
            actor, name.replace(".", "-").replace("_", "-"), kind="python", target=name
        )
        made[code] = services.ensure_service(actor, lgsp, code, title=title, provider=provider)
    axis = services.ensure_provider(actor, "exchange-trace", kind="python", target="exchange.trace")
    made["DOCUMENT-TRACE"] = services.ensure_service(
        actor,
        lgsp,
        "DOCUMENT-TRACE",
        title="Theo dõi văn bản liên thông (trục liên thông văn bản)",
        provider=axis,
    )
    connectors = [
        (
            "PAYMENT-STATUS",
            "Tra cứu trạng thái thanh toán (nền tảng thanh toán trực tuyến quốc gia)",
            "payments.status",
        ),
        (
            "POSTAL-TRACKING",
            "Tra cứu hành trình bưu gửi (dịch vụ bưu chính công ích)",
            "postal.tracking",
        ),
        (
            "IDENTITY-DISCOVERY",
            "Cấu hình và khóa công khai của hệ thống định danh và xác thực điện tử",
            "identity.discovery",
        ),
    ]
    for code, title, name in connectors:
        provider = services.ensure_provider(
            actor, name.replace(".", "-"), kind="python", target=name
        )
        made[code] = services.ensure_service(actor, lgsp, code, title=title, provider=provider)
    watcher = services.ensure_provider(
        actor, "lgsp-monitoring", kind="python", target="lgsp.monitoring"
    )
    made["OPERATIONAL-MONITORING"] = services.ensure_service(
        actor,
        lgsp,
        "OPERATIONAL-MONITORING",
        title="Số liệu giám sát vận hành (lượt gọi, thời gian, lỗi)",
        provider=watcher,
    )
    return made
