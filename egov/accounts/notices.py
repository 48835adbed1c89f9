"""E-mails to an account's holder about the account itself (not about dossiers).

Sent after the transaction commits, in Vietnamese, and only where the account has an
address; a mail server that is down never undoes or blocks the change. The texts
never repeat a password or anything the account holder did not already know.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from egov.accounts.models import User

log = logging.getLogger(__name__)


def _send(user: User, subject: str, body: str) -> None:
    address = user.email

    def deliver() -> None:
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
        except Exception:  # any mail failure: the notice is best effort
            log.warning("account notice to user %s not sent", user.pk, exc_info=True)

    transaction.on_commit(deliver)


def registration_attempted(user: User) -> None:
    """Someone tried to register again with this account's number."""
    if not user.email:
        return
    with translation.override("vi"):
        subject = _("Someone tried to register an account with your number")
        body = _(
            "Someone tried to register a new account on %(site)s with the number "
            "%(number)s, which already belongs to your account (user name %(username)s). "
            "No new account was created.\n\nIf it was you: sign in with your user name "
            "and password, or through VNeID. If you have forgotten your password, ask "
            "any one-stop desk to set a new one."
        ) % {
            "site": settings.SITE_NAME,
            "number": user.national_id or user.tax_code,
            "username": user.username,
        }
    _send(user, subject, body)


def number_detached(user: User, *, field: str, value: str) -> None:
    """The account lost a number it declared to the person who proved it is theirs."""
    if not user.email:
        return
    with translation.override("vi"):
        subject = _("A number has been removed from your account")
        body = _(
            "The number %(number)s was entered on your account on %(site)s but never "
            "confirmed. Its holder has now proved through the national identity provider "
            "(VNeID) that it is theirs, so it has been removed from your account. Your "
            "account keeps its dossiers and password; its user name is now %(username)s."
            "\n\nIf the number is yours, bring your identity card to a one-stop desk."
        ) % {"number": value, "site": settings.SITE_NAME, "username": user.username}
    _send(user, subject, body)
