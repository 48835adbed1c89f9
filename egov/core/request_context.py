"""Who and where a request comes from, for the audit log.

Set once per request by :class:`~egov.core.middleware.RequestContextMiddleware`
and read only by ``core.audit``; services still receive the acting user
explicitly. Commands and tasks run with an empty context.
"""

from __future__ import annotations

from contextvars import ContextVar, Token
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip_address: str | None = None


_EMPTY = RequestContext()
_current: ContextVar[RequestContext | None] = ContextVar("egov_request_context", default=None)


def current() -> RequestContext:
    return _current.get() or _EMPTY


def bind(context: RequestContext) -> Token[RequestContext | None]:
    """Install ``context``; returns the token to pass to :func:`reset`."""
    return _current.set(context)


def reset(token: Token[RequestContext | None]) -> None:
    _current.reset(token)
