"""What the documents app registers into the foundation's registries at start-up."""

from __future__ import annotations


def register_all() -> None:
    from egov.core import background, seeds
    from egov.documents import jobs
    from egov.documents.doctypes import ensure_document_types

    seeds.register("documents.types", ensure_document_types)
    background.register("documents.ocr", jobs.recognise_pending, every_seconds=5)
    background.register("documents.deadlines", jobs.send_deadline_notices, every_seconds=900)
