"""The demo ratings and questions load through the services, once."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from egov.dossiers.demo import load_demo_dossiers
from egov.feedback import selectors
from egov.feedback.demo import load_demo_feedback
from egov.feedback.models import Question, QuestionStatus, Rating

pytestmark = pytest.mark.django_db


def test_demo_feedback_is_idempotent() -> None:
    call_command("load_demo_units", verbosity=0)
    call_command("load_demo_accounts", verbosity=0)
    call_command("load_demo_procedures", verbosity=0)
    load_demo_dossiers(count=40)
    report = load_demo_feedback()
    assert not report.skipped, report.skipped
    assert report.questions_created == 12
    assert Rating.objects.count() == report.ratings_created > 0
    assert all(r.rated_at <= timezone.now() for r in Rating.objects.all())
    open_questions = Question.objects.filter(status=QuestionStatus.OPEN)
    assert open_questions.count() == 3
    assert open_questions.filter(due_at__lt=timezone.now()).count() >= 1
    assert selectors.faq(query="khai sinh").count() == 2
    assert selectors.faq(query="ho kinh doanh").exists()

    # Public pages stay light with the province's whole tree in the agency lists.
    client = Client()
    for url in ("/danh-gia/", "/danh-gia/hoi-dap/", "/danh-gia/hoi-dap/hoi/"):
        response = client.get(url)
        assert response.status_code == 200
        assert len(response.content) < 150_000, (url, len(response.content))

    again = load_demo_feedback()
    assert again.questions_created == 0 and again.ratings_created == 0
    assert Question.objects.count() == 12
