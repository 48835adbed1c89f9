"""Registry of per-process caches, so tests (and operators' tools) can empty them
all at once. A module that keeps data in process memory registers the function
that forgets it; :func:`clear_process_caches` calls them all."""

from __future__ import annotations

from collections.abc import Callable

_CLEARERS: list[Callable[[], object]] = []


def register(clear: Callable[[], object]) -> Callable[[], object]:
    """Register ``clear`` (usable as a decorator); returns it unchanged."""
    if clear not in _CLEARERS:
        _CLEARERS.append(clear)
    return clear


def clear_process_caches() -> None:
    for clear in list(_CLEARERS):
        clear()
