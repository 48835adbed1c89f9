"""Demo data, loaded by ``manage.py load_demo`` from loaders the apps declare.

``core`` knows none of the domain apps (ADR 6): each app registers, in
``AppConfig.ready()``, the loader of its demo data and the loaders it needs to
have run first::

    demo_loaders.register("feedback", load, after=("dossiers",))

A loader is called with the command's output stream and must be idempotent
(running ``load_demo`` again refreshes the data instead of duplicating it). The
order is explicit: every loader runs after those named in ``after``; among loaders
ready at the same time, the one registered first (``INSTALLED_APPS`` order) runs
first, so the order is the same on every run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

Loader = Callable[[Any], object]


@dataclass(frozen=True)
class DemoLoader:
    name: str
    load: Loader
    after: tuple[str, ...]


_LOADERS: dict[str, DemoLoader] = {}


class DemoOrderError(Exception):
    """A loader needs one that nobody registered, or loaders need each other."""


def register(name: str, load: Loader, *, after: Sequence[str] = ()) -> None:
    """Declare the demo loader ``name`` (registering a name again replaces it)."""
    _LOADERS[name] = DemoLoader(name, load, tuple(after))


def unregister(name: str) -> None:
    _LOADERS.pop(name, None)


def ordered(loaders: Sequence[DemoLoader] | None = None) -> list[DemoLoader]:
    """The loaders, each after the ones it names (registration order breaks ties)."""
    pending = list(_LOADERS.values() if loaders is None else loaders)
    names = {loader.name for loader in pending}
    for loader in pending:
        unknown = [name for name in loader.after if name not in names]
        if unknown:
            raise DemoOrderError(f"demo loader {loader.name!r} needs unknown {unknown}")
    done: list[DemoLoader] = []
    finished: set[str] = set()
    while pending:
        ready = next((x for x in pending if all(n in finished for n in x.after)), None)
        if ready is None:
            cycle = ", ".join(loader.name for loader in pending)
            raise DemoOrderError(f"demo loaders wait for each other: {cycle}")
        pending.remove(ready)
        done.append(ready)
        finished.add(ready.name)
    return done
