"""What ``/readyz`` checks before a load balancer sends this server work.

Each check returns ``True`` when its part works and logs why not otherwise; the
endpoint names the failed checks only. ``/healthz`` (liveness) checks none of them.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor

logger = logging.getLogger(__name__)


def database() -> bool:
    """The database answers, and no migration is waiting (a server started on new
    code before ``migrate`` would fail on missing columns)."""
    try:
        connection = connections[DEFAULT_DB_ALIAS]
        executor = MigrationExecutor(connection)
        waiting = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        logger.warning("readiness: database unavailable: %s", exc)
        return False
    if waiting:
        logger.warning("readiness: %d migrations not applied", len(waiting))
        return False
    return True


def cache_works() -> bool:
    key = f"egov:readyz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "1", timeout=10)
        kept = cache.get(key) == "1"
        cache.delete(key)
    except Exception as exc:  # any backend's failure means not ready
        logger.warning("readiness: cache failed: %s", exc)
        return False
    if not kept:
        logger.warning("readiness: the cache does not keep values")
    return kept


def file_store() -> bool:
    name = f"readiness/{uuid.uuid4().hex}.txt"
    try:
        saved = default_storage.save(name, ContentFile(b"ready"))
        default_storage.delete(saved)
    except OSError as exc:
        logger.warning("readiness: file store not writable: %s", exc)
        return False
    return True


CHECKS: list[tuple[str, Callable[[], bool]]] = [
    ("database", database),
    ("cache", cache_works),
    ("file_store", file_store),
]
