"""Outside systems that carry notifications: an SMS gateway and e-mail.

:class:`SmsGateway` is the interface; :class:`HttpSmsGateway` speaks the simple
brandname-SMS JSON API that Vietnamese gateways offer (and that the local
simulator in :mod:`egov.notifications.simulator` implements)::

    POST <EGOV_SMS_API_URL>
    X-Api-Key: <EGOV_SMS_API_KEY>
    {"brandname": "KIENGIANG", "phone": "84912345678", "message": "…",
     "unicode": false, "ref": "egov-42"}

    200 {"code": "00", "message_id": "…", "segments": 1, "encoding": "GSM-7"}
    400 {"code": "400", "message": "…"}    invalid number or text: not retried
    401 {"code": "401", "message": "…"}    wrong API key
    5xx                                    gateway trouble: retried

``ref`` is our notification's id: a gateway that sees a ``ref`` again answers with
the first message's id instead of sending twice, so a retry after a timeout does
not duplicate the SMS.

Calls go through :class:`egov.core.integrations.OutsideSystem` (system ``sms``,
transport ``EGOV_SMS_TRANSPORT``). The outbox retries failed messages with its
own backoff (:mod:`egov.notifications.worker`), so one send makes one attempt.
"""

from __future__ import annotations

import re
import smtplib
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.message import make_msgid
from django.utils.module_loading import import_string

from egov.core.integrations import NO_RETRY, OutsideSystem, Transport, TransportError, transport_for
from egov.notifications import sms

_MOBILE = re.compile(r"^0([35789]\d{8})$")


class SendError(Exception):
    """A message could not be handed over. ``permanent``: retrying cannot help."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


def sms_number(phone: str) -> str | None:
    """``0912 345 678`` / ``+84912345678`` → ``84912345678``; ``None`` for numbers
    that cannot receive SMS (landlines such as 0297 3862 123)."""
    digits = re.sub(r"[^\d+]", "", phone or "")
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    match = _MOBILE.match(digits)
    return f"84{match.group(1)}" if match else None


class SmsGateway(Protocol):
    def send(self, *, phone: str, text: str, ref: str) -> str:
        """Hand one SMS to the gateway; return its message id or raise SendError."""
        ...


class HttpSmsGateway:
    """The brandname-SMS JSON API over HTTP(S)."""

    def __init__(
        self,
        *,
        url: str | None = None,
        api_key: str | None = None,
        brandname: str | None = None,
        timeout: float | None = None,
        transport: Transport | None = None,
    ) -> None:
        self.url = url or settings.EGOV_SMS_API_URL
        self.api_key = api_key if api_key is not None else settings.EGOV_SMS_API_KEY
        self.brandname = brandname or settings.EGOV_SMS_BRANDNAME
        self.timeout = timeout if timeout is not None else settings.EGOV_SMS_TIMEOUT_SECONDS
        self.transport = transport or transport_for(settings.EGOV_SMS_TRANSPORT)

    def send(self, *, phone: str, text: str, ref: str) -> str:
        payload = {
            "brandname": self.brandname,
            "phone": phone,
            "message": text,
            "unicode": not sms.is_gsm7(text),
            "ref": ref,
        }
        system = OutsideSystem(
            "sms", transport=self.transport, timeout=self.timeout, retry=NO_RETRY
        )
        try:
            response = system.post_json(
                "send", self.url, payload, headers={"X-Api-Key": self.api_key}, idempotent=True
            )
        except TransportError as error:
            if error.timeout:
                raise SendError(f"SMS gateway did not answer within {self.timeout} s") from None
            raise SendError(f"SMS gateway unreachable: {error}") from None
        try:
            data: dict[str, Any] = response.json()
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        if response.status == 200 and data.get("code") == "00" and data.get("message_id"):
            return str(data["message_id"])
        detail = str(data.get("message") or response.reason or "")[:300]
        raise SendError(
            f"SMS gateway answered HTTP {response.status}: {detail}",
            permanent=response.status in (400, 422),
        )


def get_sms_gateway() -> SmsGateway:
    gateway: SmsGateway = import_string(settings.EGOV_SMS_GATEWAY)()
    return gateway


class EmailSender:
    """E-mail through Django's configured backend (EMAIL_BACKEND)."""

    def send(self, *, to: str, subject: str, body: str, ref: str) -> str:
        domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or None
        message_id = make_msgid(idstring=ref.replace("@", "-"), domain=domain)
        message = EmailMessage(
            subject=subject,
            body=body,
            to=[to],
            headers={"Message-ID": message_id, "X-Egov-Notification": ref},
        )
        try:
            message.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as error:
            raise SendError(f"recipient refused: {error}", permanent=True) from None
        except (smtplib.SMTPException, OSError) as error:
            raise SendError(f"mail server: {error}") from None
        return message_id
