"""The outside systems of signing (ADR 7 shape: a protocol module over one
``OutsideSystem`` each): the RFC 3161 timestamp authority, revocation sources
(CRL over HTTP, OCSP per RFC 6960) and the remote-signing service (ký số từ xa).

pyHanko's own HTTP clients are not used: they would bypass the call log, the
retries and the in-process simulators.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.utils.translation import gettext as _
from pyhanko.sign.timestamps.api import TimeStamper

from egov.core.integrations.client import OutsideSystem, default_retry
from egov.core.integrations.errors import TransportError
from egov.core.integrations.transport import transport_for
from egov.signatures import errors
from egov.signatures.pki import simulator_url


def _system(name: str, *, retry: bool = True) -> OutsideSystem:
    from egov.core.integrations.client import NO_RETRY

    return OutsideSystem(
        name,
        transport=transport_for(settings.EGOV_SIGNATURES_TRANSPORT),
        timeout=float(settings.EGOV_SIGNATURES_TIMEOUT_SECONDS),
        retry=default_retry() if retry else NO_RETRY,
    )


def tsa_url() -> str:
    return str(settings.EGOV_SIGNATURES_TSA_URL or simulator_url("tsa"))


def remote_callback_url() -> str:
    """The platform's callback endpoint given to the remote-signing service."""
    base = str(settings.EGOV_SIGNATURES_SIMULATOR_BASE_URL).rstrip("/")
    return str(settings.EGOV_SIGNATURES_REMOTE_CALLBACK_URL or f"{base}/chu-ky-so/ky-tu-xa/ket-qua")


def remote_url() -> str:
    return str(settings.EGOV_SIGNATURES_REMOTE_URL or simulator_url("ky-tu-xa/api")).rstrip("/")


class PlatformTimeStamper(TimeStamper):
    """pyHanko's timestamp client speaking RFC 3161 over HTTP through the platform's
    outside-system client. A timestamp request is safe to repeat."""

    def __init__(self, url: str | None = None) -> None:
        super().__init__(include_nonce=True)
        self.url = url or tsa_url()

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        from egov.signatures.running import in_caller

        return await in_caller(lambda: self.request(req))

    def request(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        try:
            response = _system("tsa").post_bytes(
                "timestamp",
                self.url,
                req.dump(),
                "application/timestamp-query",
                headers={"Accept": "application/timestamp-reply"},
                idempotent=True,
            )
        except TransportError:
            raise errors.OutsideServiceFailed(_("The timestamp authority")) from None
        if response.status != 200:
            raise errors.OutsideServiceFailed(_("The timestamp authority"))
        try:
            return tsp.TimeStampResp.load(response.body)
        except ValueError:
            raise errors.OutsideServiceFailed(_("The timestamp authority")) from None


def fetch_crl(url: str) -> asn1_crl.CertificateList | None:
    """The CRL at ``url``, or None when it cannot be had (reported as unknown)."""
    try:
        response = _system("revocation").get("crl", url, headers={"Accept": "application/pkix-crl"})
    except TransportError:
        return None
    if response.status != 200:
        return None
    try:
        loaded = asn1_crl.CertificateList.load(response.body)
        loaded.native  # noqa: B018 - parse it all now, not during validation
    except ValueError:
        return None
    return loaded


def fetch_ocsp(
    url: str, cert: asn1_x509.Certificate, issuer: asn1_x509.Certificate
) -> asn1_ocsp.OCSPResponse | None:
    """An OCSP answer about ``cert`` from the responder at ``url``, or None."""
    from pyhanko_certvalidator.authority import AuthorityWithCert
    from pyhanko_certvalidator.fetchers.common_utils import format_ocsp_request

    request = format_ocsp_request(
        cert, AuthorityWithCert(issuer), certid_hash_algo="sha256", request_nonces=True
    )
    try:
        response = _system("revocation").post_bytes(
            "ocsp", url, request.dump(), "application/ocsp-request", idempotent=True
        )
    except TransportError:
        return None
    if response.status != 200:
        return None
    try:
        answer = asn1_ocsp.OCSPResponse.load(response.body)
        if answer["response_status"].native != "successful":
            return None
    except ValueError:
        return None
    return answer


# --- the remote-signing service ------------------------------------------------------


@dataclass(frozen=True)
class RemoteStatus:
    status: str
    """``pending``, ``confirmed``, ``refused`` or ``expired``."""
    signature: bytes = b""


class RemoteSigningService:
    """The remote-signing API: ``POST {base}/requests`` (account, digest, algorithm,
    description, optional callback_url) → ``{id}``; ``GET {base}/requests/{id}`` →
    status and, once the signer confirmed on the phone, the raw signature (base64); ``GET
    {base}/accounts/{account}/certificate`` → the signer's certificate."""

    def __init__(self, base_url: str | None = None) -> None:
        self.base = (base_url or remote_url()).rstrip("/")

    def _fail(self) -> errors.OutsideServiceFailed:
        return errors.OutsideServiceFailed(_("The remote signing service"))

    def request(
        self,
        account: str,
        digest: bytes,
        algorithm: str,
        description: str,
        callback_url: str = "",
    ) -> str:
        """Ask for a signature; with ``callback_url`` the service also posts the
        signer's answer there (HMAC-signed, see :mod:`egov.signatures.callbacks`)."""
        payload = {
            "account": account,
            "digest": base64.b64encode(digest).decode(),
            "digest_algorithm": algorithm,
            "description": description[:255],
        }
        if callback_url:
            payload["callback_url"] = callback_url
        try:
            response = _system("remote_signing", retry=False).post_json(
                "request", f"{self.base}/requests", payload
            )
            if response.status != 201:
                raise self._fail()
            return str(response.json()["id"])
        except (TransportError, ValueError, KeyError):
            raise self._fail() from None

    def status(self, request_id: str) -> RemoteStatus:
        try:
            response = _system("remote_signing").get("status", f"{self.base}/requests/{request_id}")
            if response.status != 200:
                raise self._fail()
            body = response.json()
            return RemoteStatus(
                status=str(body["status"]),
                signature=base64.b64decode(body.get("signature") or ""),
            )
        except (TransportError, ValueError, KeyError):
            raise self._fail() from None


def post_remote_answer(url: str, request_id: str, status: str, signature: bytes) -> bool:
    """The remote-signing service's callback to the platform (used by the simulator):
    the body HMAC-signed with the shared secret. False when it did not arrive (the
    platform's polling then finds the answer)."""
    from egov.signatures import callbacks

    if not callbacks.enabled():
        return False
    system = OutsideSystem(
        "remote_signing_callback",
        transport=transport_for(settings.EGOV_SIGNATURES_TRANSPORT),
        timeout=float(settings.EGOV_SIGNATURES_TIMEOUT_SECONDS),
        retry=default_retry(),
        signer=callbacks.header_signer(),
    )
    body = {"id": request_id, "status": status, "signature": base64.b64encode(signature).decode()}
    try:
        response = system.post_json("answer", url, body, idempotent=True)
    except TransportError:
        return False
    return response.status in (200, 204)
