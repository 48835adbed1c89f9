"""Contract types of our own for import-linter (configured in ``pyproject.toml``).

import-linter judges whole modules; two rules of the map need a finer eye, so
these contracts read the source of the modules that import a model module:

``forbidden_names``
    a name of a module (``IdempotentRequest`` of ``egov.dossiers.models``) is used
    only inside its owner package: other apps go through the owner's functions.
``models_written_by_owner``
    an app may read another app's models (querysets, row locks, enums), but the
    manager writes (``objects.create/update/delete/…``) on them happen only in the
    owner app, behind its services.

Test packages and migrations are left out: tests build whole worlds, and
migrations are frozen history.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from importlinter import Contract, ContractCheck, fields, output

ROOT = Path(__file__).resolve().parent.parent.parent

#: Manager and queryset methods that write rows.
WRITE_METHODS = frozenset(
    {"create", "bulk_create", "get_or_create", "update_or_create", "update", "bulk_update"}
    | {"delete"}
)


def _skipped(module: str) -> bool:
    parts = module.split(".")
    return "tests" in parts or "migrations" in parts


def _source(module: str) -> ast.Module | None:
    base = ROOT.joinpath(*module.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return None


def _app_of(module: str) -> str:
    return ".".join(module.split(".")[:2])


def _model_names(tree: ast.Module, models_module: str) -> tuple[dict[str, str], set[str]]:
    """Names bound to classes of ``models_module`` (local name → class name) and the
    local names bound to the module itself."""
    package, _dot, leaf = models_module.rpartition(".")
    names: dict[str, str] = {}
    aliases: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == models_module:
            for alias in node.names:
                names[alias.asname or alias.name] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module == package:
            aliases |= {a.asname or a.name for a in node.names if a.name == leaf}
    return names, aliases


def _used_names(
    tree: ast.Module, names: dict[str, str], aliases: set[str]
) -> Iterator[tuple[str, int]]:
    """``(class name, line)`` for every use of a model of the module."""
    for node in ast.walk(tree):
        if isinstance(node, ast.alias) and node.name in names.values():
            continue
        if isinstance(node, ast.Name) and node.id in names:
            yield names[node.id], node.lineno
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
        ):
            yield node.attr, node.lineno


def _written_models(
    tree: ast.Module, names: dict[str, str], aliases: set[str]
) -> Iterator[tuple[str, int]]:
    """``(class name, line)`` for each manager write rooted at one of the models,
    e.g. ``Dossier.objects.filter(…).update(…)``."""
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in WRITE_METHODS
        ):
            continue
        current: ast.AST = node.func.value
        through_manager = False
        while True:
            if isinstance(current, ast.Call):
                current = current.func
            elif isinstance(current, ast.Attribute):
                if current.attr in {"objects", "_default_manager"}:
                    through_manager = True
                if (
                    isinstance(current.value, ast.Name)
                    and current.value.id in aliases
                    and through_manager
                ):
                    yield current.attr, node.lineno
                    break
                current = current.value
            else:
                break
        if through_manager and isinstance(current, ast.Name) and current.id in names:
            yield names[current.id], node.lineno


class ForbiddenNamesContract(Contract):
    owner = fields.StringField()
    module = fields.StringField()
    names = fields.ListField(subfield=fields.StringField())

    def check(self, graph, verbose: bool) -> ContractCheck:  # type: ignore[no-untyped-def]
        found = []
        wanted = set(self.names)  # type: ignore[call-overload]
        owner = str(self.owner)
        for importer in sorted(graph.find_modules_that_directly_import(str(self.module))):
            if importer == owner or importer.startswith(owner + ".") or _skipped(importer):
                continue
            tree = _source(importer)
            if tree is None:
                continue
            names, aliases = _model_names(tree, str(self.module))
            found += [
                f"{importer}:{line} uses {name}"
                for name, line in _used_names(tree, names, aliases)
                if name in wanted
            ]
        # ``from egov.dossiers.models import IdempotentRequest`` binds the name too.
        return ContractCheck(kept=not found, metadata={"found": sorted(set(found))})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for line in check.metadata["found"]:
            output.print_error(f"-   {line}", bold=False)


class ModelsWrittenByOwnerContract(Contract):
    apps = fields.ListField(subfield=fields.StringField())

    def check(self, graph, verbose: bool) -> ContractCheck:  # type: ignore[no-untyped-def]
        found = []
        for app in self.apps:  # type: ignore[attr-defined]
            models_module = f"{app}.models"
            if models_module not in graph.modules:
                continue
            for importer in sorted(graph.find_modules_that_directly_import(models_module)):
                if _app_of(importer) == app or _skipped(importer):
                    continue
                tree = _source(importer)
                if tree is None:
                    continue
                names, aliases = _model_names(tree, models_module)
                found += [
                    f"{importer}:{line} writes {app}.models.{name}"
                    for name, line in _written_models(tree, names, aliases)
                ]
        return ContractCheck(kept=not found, metadata={"found": sorted(set(found))})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for line in check.metadata["found"]:
            output.print_error(f"-   {line}", bold=False)
