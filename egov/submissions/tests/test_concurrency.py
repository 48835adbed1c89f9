"""Two requests submitting the same draft at the same moment make one dossier
(PostgreSQL: real row locks; SQLite serialises writers anyway)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from egov.dossiers.models import Dossier
from egov.dossiers.tests.factories import World
from egov.submissions import services
from egov.submissions.models import Draft

from .test_services import ready_draft

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def test_simultaneous_submits_of_one_draft_make_one_dossier(world: World) -> None:
    citizen = world.staff.citizen
    draft = ready_draft(world)
    seen = Draft.objects.get(pk=draft.pk).version
    barrier = threading.Barrier(4)
    results: list[Any] = []

    def submit() -> None:
        try:
            barrier.wait()
            results.append(services.submit_draft(citizen, draft.pk, expected_version=seen))
        except Exception as exc:  # pragma: no cover - shown in the assertion
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(isinstance(result, tuple) for result in results), results
    assert sorted(created for _dossier, created in results) == [False, False, False, True]
    assert len({dossier.pk for dossier, _created in results}) == 1
    assert Dossier.objects.count() == 1
