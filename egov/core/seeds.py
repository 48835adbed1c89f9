"""Rows the platform cannot work without, declared by each app.

Apps ship some data with their migrations (the standard staff roles, the default
form and notification templates). Emptying the database with ``flush`` — which
the test runner does after every transactional test, and an operator may do on a
demo — removes those rows while the migrations stay applied, so each app also
registers its seeding function here in ``AppConfig.ready()``::

    seeds.register("accounts.roles", ensure_default_roles)

and ``manage.py flush`` puts them back. Seeding functions are idempotent: they
create what is missing and never overwrite a row an operator changed.
"""

from __future__ import annotations

from collections.abc import Callable

_SEEDS: dict[str, Callable[[], object]] = {}


def register(name: str, seed: Callable[[], object]) -> None:
    """Declare a seeding function (registering a name again replaces it)."""
    _SEEDS[name] = seed


def run_all() -> list[str]:
    """Run every registered seeding function, in registration order."""
    for seed in _SEEDS.values():
        seed()
    return list(_SEEDS)
