"""An action is one row: the API routes, the page forms and the dispatcher are
built from :data:`egov.dossiers.registry.MOVES`."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from egov.dossiers import services, workflow
from egov.dossiers.models import Dossier
from egov.dossiers.registry import MOVES
from egov.dossiers.services.papers import PaperIn
from egov.dossiers.workflow import Action


def test_every_action_has_one_row_with_its_transitions() -> None:
    assert list(MOVES) == list(Action)
    for action, move in MOVES.items():
        assert move.action == action
        assert move.transitions == workflow.transitions_for(action)
        assert move.label == workflow.ACTION_LABELS[action]


def test_each_route_keeps_its_own_schema_and_operation_id() -> None:
    from egov.api import api

    schema = api.get_openapi_schema()
    for move in MOVES.values():
        operation = schema["paths"][f"/api/v1/dossiers/{{code}}/{move.path}"]["post"]
        assert operation["operationId"] == f"egov_dossiers_api_{move.action.value}"
        assert operation["summary"] == move.summary
        body = operation["requestBody"]["content"]["application/json"]["schema"]
        assert body["$ref"].endswith(f"/{move.schema.__name__}")
        error_422 = operation["responses"][422]["content"]["application/json"]["schema"]
        expected = "IncompleteOut" if move.checks_papers else "ErrorOut"
        assert error_422["$ref"].endswith(f"/{expected}")


def test_perform_dispatches_to_the_rows_service(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[Any, ...]] = []

    def service(actor: Any, dossier: Any, **kwargs: Any) -> str:
        calls.append((actor, dossier, kwargs))
        return "done"

    row = dataclasses.replace(MOVES[Action.STOP], service=service)
    monkeypatch.setitem(MOVES, Action.STOP, row)
    dossier = Dossier(code="X")
    assert services.perform("actor", "stop", dossier, expected_version=3, reason="r") == "done"
    assert calls == [("actor", dossier, {"expected_version": 3, "reason": "r"})]


def test_page_form_becomes_the_services_arguments() -> None:
    move = MOVES[Action.RESULT_READY]
    form = move.form(
        {
            "result_ready-result_names": "Giấy khai sinh\n\n  Trích lục  ",
            "result_ready-note": "xong",
        },
        prefix="result_ready",
    )
    assert form.is_valid(), form.errors
    assert move.form_args(form) == {
        "result_papers": [PaperIn(name="Giấy khai sinh"), PaperIn(name="Trích lục")],
        "note": "xong",
    }
