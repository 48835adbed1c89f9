"""The demo PKI's services, served by the platform while ``EGOV_SIMULATORS`` and
``EGOV_SIGNATURES_DEMO_PKI`` are on (under ``/chu-ky-so/mo-phong/``):

- ``tsa``: an RFC 3161 timestamp authority (the demo TSA's key, pyHanko's TSA);
- ``ocsp`` and ``crl``: the demo CA's revocation status (RFC 6960, RFC 5280);
- ``ky-tu-xa/api/…``: a remote-signing service holding each account's key, and
  ``ky-tu-xa/dien-thoai/``: the simulated phone where the signer confirms or
  refuses (the signed-in person's own requests; operators see every account's).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from egov.accounts.decorators import staff_required
from egov.accounts.permissions import Perm, has_perm_in_unit
from egov.signatures.models import RemoteStatus, SimulatedRemoteRequest

if TYPE_CHECKING:
    from cryptography.hazmat.primitives import hashes

#: How long the simulated service keeps a request open for the signer.
REQUEST_LIFETIME = dt.timedelta(minutes=5)


def _hash(name: str) -> hashes.HashAlgorithm | None:
    """The digest algorithm a remote request names; ``None`` for one not offered."""
    from cryptography.hazmat.primitives import hashes

    return {"sha256": hashes.SHA256(), "sha512": hashes.SHA512()}.get(name)


def _enabled() -> None:
    if not (getattr(settings, "EGOV_SIMULATORS", False) and settings.EGOV_SIGNATURES_DEMO_PKI):
        raise Http404("simulators are off")


def _service(view: Any) -> Any:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        _enabled()
        try:
            return view(request, *args, **kwargs)
        except FileNotFoundError:
            return HttpResponse("the test PKI is missing: run manage.py make_test_pki", status=503)

    return csrf_exempt(wrapper)


# --- timestamp authority, OCSP, CRL ---------------------------------------------------


@_service
@require_POST
def tsa(request: HttpRequest) -> HttpResponse:
    from asn1crypto import keys as asn1_keys
    from asn1crypto import tsp
    from asn1crypto import x509 as asn1_x509
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    from egov.signatures import pki

    _root, ca, authority = pki.load_authorities()
    try:
        query = tsp.TimeStampReq.load(request.body)
        query.native  # noqa: B018 - parse it all
    except ValueError:
        return HttpResponse(status=400)
    assert authority.key is not None
    stamper = DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(authority.der),
        tsa_key=asn1_keys.PrivateKeyInfo.load(pki.private_der(authority.key)),
        certs_to_embed=SimpleCertificateStore.from_certs([asn1_x509.Certificate.load(ca.der)]),
    )
    answer = stamper.request_tsa_response(query)
    return HttpResponse(answer.dump(), content_type="application/timestamp-reply")


@_service
@require_POST
def ocsp(request: HttpRequest) -> HttpResponse:
    from egov.signatures import pki

    _root, ca, _tsa = pki.load_authorities()
    return HttpResponse(
        pki.ocsp_response_der(request.body, ca), content_type="application/ocsp-response"
    )


@_service
@require_GET
def crl(request: HttpRequest) -> HttpResponse:
    from egov.signatures import pki

    _root, ca, _tsa = pki.load_authorities()
    return HttpResponse(pki.crl_der(ca), content_type="application/pkix-crl")


# --- remote signing: the service's API ------------------------------------------------


def _answer(http_status: int, **body: Any) -> JsonResponse:
    return JsonResponse(body, status=http_status)


@_service
@require_POST
def remote_request(request: HttpRequest) -> HttpResponse:
    from egov.signatures import pki

    try:
        payload = json.loads(request.body or b"{}")
        account = str(payload["account"])
        digest = base64.b64decode(str(payload["digest"]), validate=True)
        algorithm = str(payload.get("digest_algorithm") or "sha256")
    except (ValueError, KeyError, TypeError):
        return _answer(400, code="bad_request", message="account, digest (base64) required")
    chosen = _hash(algorithm)
    if chosen is None or len(digest) != chosen.digest_size:
        return _answer(400, code="bad_digest", message="unsupported digest")
    if pki.load_remote_signer(account) is None:
        return _answer(404, code="unknown_account", message="no such account")
    row = SimulatedRemoteRequest.objects.create(
        account=account,
        digest=digest.hex(),
        digest_algorithm=algorithm,
        description=str(payload.get("description") or "")[:255],
        callback_url=str(payload.get("callback_url") or "")[:500],
        expires_at=timezone.now() + REQUEST_LIFETIME,
    )
    return _answer(201, id=str(row.id), expires_at=row.expires_at.isoformat())


@_service
@require_GET
def remote_status(request: HttpRequest, request_id: str) -> HttpResponse:
    row = SimulatedRemoteRequest.objects.filter(pk=request_id).first()
    if row is None:
        return _answer(404, code="unknown_request", message="no such request")
    status = row.status
    if status == RemoteStatus.PENDING and row.expires_at < timezone.now():
        status = "expired"
    signature = base64.b64encode(bytes(row.signature)).decode() if status == "confirmed" else ""
    return _answer(200, status=status, signature=signature)


def confirm(row: SimulatedRemoteRequest, *, accept: bool) -> None:
    """The signer's answer on the phone: the service signs the digest with the
    account's key, or records the refusal; then posts the answer to the request's
    callback address, if it gave one (after the answer is kept)."""
    answered = _answer_on_phone(row, accept=accept)
    if answered is not None and answered.callback_url:
        from egov.signatures.outside import post_remote_answer

        post_remote_answer(
            answered.callback_url, str(answered.pk), answered.status, bytes(answered.signature)
        )


def _answer_on_phone(row: SimulatedRemoteRequest, *, accept: bool) -> SimulatedRemoteRequest | None:
    from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils

    from egov.signatures import pki

    with transaction.atomic():
        row = SimulatedRemoteRequest.objects.select_for_update().get(pk=row.pk)
        if row.status != RemoteStatus.PENDING or row.expires_at < timezone.now():
            return None
        if not accept:
            row.status = RemoteStatus.REFUSED
            row.save(update_fields=["status"])
            return row
        signer = pki.load_remote_signer(row.account)
        if signer is None or not isinstance(signer.key, rsa.RSAPrivateKey):
            return None
        algorithm = _hash(row.digest_algorithm)
        assert algorithm is not None  # checked when the request was made
        row.signature = signer.key.sign(
            bytes.fromhex(row.digest), padding.PKCS1v15(), utils.Prehashed(algorithm)
        )
        row.status = RemoteStatus.CONFIRMED
        row.save(update_fields=["status", "signature"])
        return row


# --- remote signing: the simulated phone ---------------------------------------------


def _phone_accounts(request: HttpRequest) -> list[str] | None:
    """Accounts whose requests this person sees: all (None) for operators."""
    if has_perm_in_unit(request.user, Perm.OPERATE_PLATFORM, None):
        return None
    return [request.user.get_username()]


@staff_required
@require_http_methods(["GET", "POST"])
def phone(request: HttpRequest) -> HttpResponse:
    _enabled()
    accounts = _phone_accounts(request)
    pending = SimulatedRemoteRequest.objects.filter(
        status=RemoteStatus.PENDING, expires_at__gte=timezone.now()
    ).order_by("-created_at")
    if accounts is not None:
        pending = pending.filter(account__in=accounts)
    if request.method == "POST":
        row = (
            pending.filter(pk=str(request.POST.get("request") or "")).first()
            if request.POST.get("request")
            else None
        )
        if row is None:
            raise Http404("no such pending request")
        accept = request.POST.get("answer") == "confirm"
        confirm(row, accept=accept)
        messages.success(
            request, _("You confirmed the signing.") if accept else _("You refused the signing.")
        )
        return redirect("signatures:phone")
    return render(request, "signatures/phone.html", {"pending": list(pending[:20])})
