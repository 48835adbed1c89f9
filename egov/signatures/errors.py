"""Refusals of signing and verification (``core.errors.DomainError``: code, HTTP
status, field, a message for people in Vietnamese through gettext)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from egov.core.errors import DomainError


class SignatureError(DomainError):
    code = "signature_error"
    http_status = 400


class WrongPin(SignatureError):
    code = "wrong_pin"
    field = "pin"

    def __init__(self) -> None:
        super().__init__(_("The token's PIN is wrong. Nothing was signed."))


class PinLocked(SignatureError):
    code = "pin_locked"
    field = "pin"
    http_status = 423

    def __init__(self) -> None:
        super().__init__(
            _(
                "The token is locked after too many wrong PINs. "
                "Ask the certificate's issuer to unlock it."
            )
        )


class TokenMissing(SignatureError):
    code = "token_missing"
    http_status = 409

    def __init__(self) -> None:
        super().__init__(_("The signing token is not connected or was not found."))


class NoSigningKey(SignatureError):
    code = "no_signing_key"
    http_status = 409

    def __init__(self, whose: str) -> None:
        super().__init__(_("%(whose)s has no active signing certificate.") % {"whose": whose})


class CertificateNotUsable(SignatureError):
    code = "certificate_not_usable"
    http_status = 409

    def __init__(self, reason: str) -> None:
        super().__init__(
            _("The signing certificate cannot be used: %(reason)s Nothing was signed.")
            % {"reason": reason}
        )


class RemoteRefused(SignatureError):
    code = "remote_refused"
    http_status = 409

    def __init__(self) -> None:
        super().__init__(_("The signer refused the signing on the phone. Nothing was signed."))


class RemoteTimedOut(SignatureError):
    code = "remote_timeout"
    http_status = 504

    def __init__(self, seconds: int) -> None:
        super().__init__(
            _(
                "The signer did not confirm on the phone within %(seconds)s seconds. "
                "Nothing was signed; start the signing again."
            )
            % {"seconds": seconds}
        )


class OutsideServiceFailed(SignatureError):
    code = "signature_service_unavailable"
    http_status = 503

    def __init__(self, what: str) -> None:
        super().__init__(
            _("%(what)s did not answer properly. Nothing was signed; try again later.")
            % {"what": what}
        )


class BadPdf(SignatureError):
    code = "bad_pdf"
    http_status = 422
    field = "file"


class BadImage(SignatureError):
    code = "bad_image"
    http_status = 422
    field = "image"


class NotAllowed(SignatureError):
    code = "forbidden"
    http_status = 403


class TooManyVerifications(SignatureError):
    code = "too_many_verifications"
    http_status = 429

    def __init__(self, minutes: int) -> None:
        super().__init__(
            _("Too many files were checked from your address. Try again in %(minutes)s minutes.")
            % {"minutes": minutes}
        )
