"""Errors of the outside-systems layer.

:class:`IntegrationError` is the base every adapter's own error may wrap; it is
defined here (not in a project-wide error module) so this layer stands alone.
"""

from __future__ import annotations


class IntegrationError(Exception):
    """An outside system could not be used as asked."""


class TransportError(IntegrationError):
    """The other side could not be reached, or did not answer in time.

    ``sent`` says whether the request may have reached the other side: a refused
    connection or an unknown host never did, so even a call that is not idempotent
    may be tried again; a timeout after sending may have had its effect.
    """

    def __init__(self, message: str, *, timeout: bool = False, sent: bool = True) -> None:
        super().__init__(message)
        self.timeout = timeout
        self.sent = sent
