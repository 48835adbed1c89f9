"""What the documents app registers into the foundation's registries at start-up."""

from __future__ import annotations

from typing import Any


def register_all() -> None:
    from django.utils.translation import gettext_lazy

    from egov.core import background, demo_loaders, seeds, staff_dashboard, staff_menu
    from egov.documents import jobs, selectors, services
    from egov.documents.access import keeps_registers, may_see_incoming
    from egov.documents.doctypes import ensure_document_types

    seeds.register("documents.types", ensure_document_types)
    background.register("documents.ocr", jobs.recognise_pending, every_seconds=5)
    background.register("documents.signatures", services.check_pending_signatures, every_seconds=5)
    background.register("documents.deadlines", jobs.send_deadline_notices, every_seconds=900)
    staff_menu.register(
        "documents.incoming",
        label=gettext_lazy("Incoming documents"),
        url_name="documents:queue",
        order=15,
        visible=may_see_incoming,
        current_namespace="documents",
    )
    staff_menu.register(
        "documents.register_book",
        label=gettext_lazy("Incoming register"),
        url_name="documents:register_book",
        order=16,
        visible=keeps_registers,
        current_view="documents:register_book",
    )
    # Every notice of the documents' mechanism (incoming assignments and returns,
    # deadlines, outgoing drafts to approve or sent back) waits on the staff home
    # until read on the incoming hub, which lists them with their links.
    staff_dashboard.register_waiting(
        "documents.unread_notices",
        label=gettext_lazy("Unread document notices"),
        order=19,
        count=selectors.unread_notice_count,
        url_name="documents:queue",
    )

    def load(out: Any) -> None:
        from egov.documents.demo import load_demo_documents

        out.write(f"Documents: {load_demo_documents()}")

    demo_loaders.register("documents", load, after=("core.units", "accounts"))
