"""Running pyHanko's coroutines from synchronous Django code.

pyHanko signs and validates with coroutines on an event loop. Django refuses
database access from a thread whose event loop is running, and our calls out
(the TSA, OCSP and remote-signing clients through the platform's client, its call
log, the in-process simulators) use the database. So the loop runs in a worker
thread, and each call out is handed back to the calling thread (which keeps its
database connection and transaction) through :func:`in_caller`.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import queue
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

_BRIDGE: contextvars.ContextVar[_Bridge | None] = contextvars.ContextVar(
    "signatures_bridge", default=None
)
_DONE = object()


class _Bridge:
    def __init__(self) -> None:
        self.jobs: queue.Queue[Any] = queue.Queue()


async def in_caller(work: Callable[[], T]) -> T:
    """Run ``work`` in the thread that called :func:`run_coroutine` (or here, when
    the coroutine is not run by it)."""
    bridge = _BRIDGE.get()
    if bridge is None:
        return work()
    future: concurrent.futures.Future[T] = concurrent.futures.Future()
    bridge.jobs.put((work, future))
    return await asyncio.wrap_future(future)


def run_coroutine(coroutine: Coroutine[Any, Any, T]) -> T:
    bridge = _Bridge()
    outcome: dict[str, Any] = {}

    def worker() -> None:
        _BRIDGE.set(bridge)
        try:
            outcome["value"] = asyncio.run(coroutine)
        except BaseException as error:  # handed to the caller
            outcome["error"] = error
        finally:
            bridge.jobs.put(_DONE)

    thread = threading.Thread(
        target=contextvars.copy_context().run, args=(worker,), name="pyhanko", daemon=True
    )
    thread.start()
    while True:
        item = bridge.jobs.get()
        if item is _DONE:
            break
        work, future = item
        if not future.set_running_or_notify_cancel():
            continue
        try:
            future.set_result(work())
        except BaseException as error:  # raised in the coroutine
            future.set_exception(error)
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
