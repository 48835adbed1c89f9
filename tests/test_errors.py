"""Domain errors map themselves: one JSON body in the API, one page for pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory

from egov.core.errors import DomainError, DomainErrorMiddleware, answer_for
from egov.dossiers.errors import IdempotencyKeyReused, IncompleteDossier, MissingPaper, StaleDossier
from egov.feedback.errors import InvalidFeedback
from egov.payments.services import PaymentNotPossible
from egov.submissions.errors import StaleDraft


def test_each_apps_refusals_carry_their_status_code_and_field() -> None:
    assert answer_for(StaleDossier(expected=1, current=2))[0] == 409  # type: ignore[index]
    assert answer_for(StaleDraft(expected=1, current=2))[0] == 409  # type: ignore[index]
    assert answer_for(PaymentNotPossible("no"))[:2] == (
        409,
        {"code": "payment_not_possible", "message": "no", "field": None},
    )
    assert answer_for(InvalidFeedback("bad", "comment")) == (
        422,
        {"code": "invalid", "message": "bad", "field": "comment"},
    )
    status, body = answer_for(IdempotencyKeyReused())  # type: ignore[misc]
    assert (status, body["code"], body["field"]) == (
        422,
        "idempotency_key_reused",
        "Idempotency-Key",
    )
    missing = MissingPaper(7, "Tờ khai", 1, 0, "original", "missing")
    status, body = answer_for(IncompleteDossier([missing]))  # type: ignore[misc]
    assert status == 422
    assert body["field"] == "papers"
    assert body["missing"][0]["required_paper"] == 7


def test_djangos_refusals_get_the_same_body() -> None:
    assert answer_for(PermissionDenied("Không được."))[1] == {  # type: ignore[index]
        "code": "forbidden",
        "message": "Không được.",
        "field": None,
    }
    assert answer_for(ValidationError({"amount": "Quá lớn."})) == (
        422,
        {"code": "invalid", "message": "Quá lớn.", "field": "amount"},
    )
    assert answer_for(ValueError("not a refusal")) is None


@pytest.mark.django_db
def test_pages_show_an_unhandled_refusal_escaped_with_its_status() -> None:
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    request.session = {}  # type: ignore[assignment]
    middleware = DomainErrorMiddleware(lambda request: None)  # type: ignore[arg-type, return-value]
    refusal = DomainError("<b>Hồ sơ</b> đã khóa", http_status=409)
    response: Any = middleware.process_exception(request, refusal)
    assert response.status_code == 409
    html = response.content.decode()
    assert "&lt;b&gt;Hồ sơ&lt;/b&gt; đã khóa" in html
    assert "<b>Hồ sơ</b>" not in html
    assert middleware.process_exception(request, ValueError("x")) is None
