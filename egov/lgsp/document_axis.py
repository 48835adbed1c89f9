"""The document exchange published on the integration platform: the trace of one
document (every edXML message and status the platform sent or received for it),
asked for by its DocumentId — ``GET /lgsp/r1/…/DOCUMENT-TRACE/v1/<DocumentId>``.

The exchange app owns the messages; this provider only asks it
(:func:`egov.exchange.selectors.trace`)."""

from __future__ import annotations

from urllib.parse import unquote

from egov.exchange import selectors as exchange_selectors
from egov.lgsp.providers import ProviderAnswer, ProviderCall, register

NAME = "exchange.trace"


def trace_provider(call: ProviderCall) -> ProviderAnswer:
    document_id = unquote(call.path.strip("/"))
    if not document_id:
        return ProviderAnswer.of_json(
            {
                "code": "document_id_required",
                "message": "Hãy nêu mã văn bản (DocumentId) sau tên dịch vụ.",
                "field": "document_id",
            },
            400,
        )
    messages = exchange_selectors.trace(document_id)
    if not messages:
        return ProviderAnswer.of_json(
            {
                "code": "not_found",
                "message": "Không có văn bản liên thông với mã này.",
                "field": "document_id",
            },
            404,
        )
    return ProviderAnswer.of_json({"document_id": document_id, "messages": messages})


def register_provider() -> None:
    register(NAME, trace_provider)
