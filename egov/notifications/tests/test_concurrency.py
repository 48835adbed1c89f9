"""Two (or more) workers never send the same notification twice (PostgreSQL:
``SELECT … FOR UPDATE SKIP LOCKED``; skipped on SQLite, which serialises writers)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from django.core import mail
from django.test import Client

from egov.accounts.default_roles import ensure_default_roles
from egov.core.workcalendar import invalidate_calendar
from egov.dossiers.tests.factories import World, applicant, build_world, receive
from egov.dossiers.tests.test_concurrency import postgres_only, run_threads
from egov.notifications.adapters import HttpSmsGateway
from egov.notifications.defaults import ensure_default_templates
from egov.notifications.models import Notification, NotificationStatus, SimulatedSms
from egov.notifications.tests.transport import DjangoClientAdapter, session_to_this_site
from egov.notifications.worker import send_due

from .conftest import SIMULATOR_URL


@pytest.fixture
def pg_world(transactional_db: None, settings: object) -> Iterator[World]:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # type: ignore[attr-defined]
    settings.EGOV_SIMULATORS = True  # type: ignore[attr-defined]
    ensure_default_roles()
    ensure_default_templates()
    invalidate_calendar()
    yield build_world()
    invalidate_calendar()


@postgres_only
def test_four_workers_send_each_notification_exactly_once(pg_world: World) -> None:
    for index in range(30):
        receive(
            pg_world,
            applicant=applicant(name=f"Người nộp {index}", phone=f"09123{index:05d}"),
        )
    total = Notification.objects.count()
    sms_total = Notification.objects.filter(channel="sms").count()
    assert (total, sms_total) == (60, 30)
    mail.outbox = []
    calls: list[int] = []
    claimed: list[int] = []
    lock = threading.Lock()

    def worker(index: int) -> None:
        session = session_to_this_site(Client())
        gateway = HttpSmsGateway(url=SIMULATOR_URL, timeout=30, session=session)
        mine: list[int] = []
        while True:
            report = send_due(3, sms_gateway=gateway)
            if not report.claimed:
                break
            mine.extend(report.ids)
        adapter = session.get_adapter(SIMULATOR_URL)
        assert isinstance(adapter, DjangoClientAdapter)
        with lock:
            calls.append(adapter.calls)
            claimed.extend(mine)

    _results, errors = run_threads(4, worker)
    assert errors == []
    assert sorted(claimed) == sorted(Notification.objects.values_list("pk", flat=True))
    assert len(set(claimed)) == total  # no row claimed twice
    assert sum(calls) == sms_total  # one gateway request per SMS
    assert len(mail.outbox) == total - sms_total
    assert set(Notification.objects.values_list("status", "attempts")) == {
        (NotificationStatus.SENT, 1)
    }
    assert SimulatedSms.objects.count() == sms_total
