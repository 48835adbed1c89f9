"""Who and where a request comes from, for the audit log.

Set once per request by :class:`~egov.core.middleware.RequestContextMiddleware`
and read only by ``core.audit``; services still receive the acting user
explicitly. Commands and tasks run with an empty context.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip_address: str | None = None


_current: ContextVar[RequestContext] = ContextVar("egov_request_context", default=RequestContext())


def current() -> RequestContext:
    return _current.get()


def bind(context: RequestContext):  # type: ignore[no-untyped-def]
    """Install ``context``; returns the token to pass to :func:`reset`."""
    return _current.set(context)


def reset(token) -> None:  # type: ignore[no-untyped-def]
    _current.reset(token)
