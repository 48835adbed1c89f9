"""The source checks behind our own import contracts see what they must."""

from __future__ import annotations

import ast

from tests.architecture.contracts import _model_names, _used_names, _written_models

SOURCE = """
from egov.dossiers.models import Dossier, IdempotentRequest as Claim, Status
from egov.dossiers import models

def f(pk):
    Dossier.objects.select_for_update().get(pk=pk)          # a lock: allowed
    Dossier.objects.filter(status=Status.RECEIVED).count()  # a read
    Dossier.objects.filter(pk=pk).update(status=2)          # a write
    models.DossierEvent.objects.create(dossier_id=pk)       # a write through the module
    Claim.objects.filter(key="k").first()
"""


def _tree() -> tuple[ast.Module, dict[str, str], set[str]]:
    tree = ast.parse(SOURCE)
    names, aliases = _model_names(tree, "egov.dossiers.models")
    return tree, names, aliases


def test_manager_writes_on_another_apps_models_are_found_reads_and_locks_are_not() -> None:
    tree, names, aliases = _tree()
    assert sorted(_written_models(tree, names, aliases)) == [
        ("Dossier", 8),
        ("DossierEvent", 9),
    ]


def test_a_forbidden_name_is_found_under_its_alias() -> None:
    tree, names, aliases = _tree()
    assert ("IdempotentRequest", 10) in set(_used_names(tree, names, aliases))
