"""Verification of a signed PDF: one report per signature, in words for people.

For each signature pyHanko's validator checks the integrity (the signed bytes'
digest), the cryptographic signature, the chain built from the signer's
certificate up to one of the operator's trust anchors, the revocation status
(live from the operator's revocation sources, and what the file carries in its
DSS), the timestamp, and what was changed in the file after signing.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import asdict, dataclass
from dataclasses import field as data_field
from typing import Any

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from django.utils.translation import gettext as _

from egov.signatures import trust
from egov.signatures.appearance import signing_time_text
from egov.signatures.checking import check_pdf
from egov.signatures.running import run_coroutine


@dataclass
class SignatureReport:
    field: str
    signer: str
    organisation: str
    title: str
    serial: str
    chain: list[str]
    """Subjects from the signer's certificate to the trust anchor (empty: no chain)."""
    trusted: bool
    anchor: str
    intact: bool
    valid_signature: bool
    signing_time: str
    """What the signer's computer said (not proof), ``hh:mm:ss dd/mm/yyyy +07:00``."""
    timestamp: str
    """The timestamp authority's time (proof of existence), same format."""
    timestamp_ok: bool
    revocation: str
    """``good``, ``revoked`` or ``unknown``."""
    revocation_text: str
    covers_whole_file: bool
    modification: str
    """``none``, ``lta_updates``, ``form_filling``, ``annotations``, ``other``."""
    modification_text: str
    level: str
    problems: list[str] = data_field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok}


@dataclass
class Report:
    signatures: list[SignatureReport]
    notes: list[str] = data_field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.signatures) and all(item.ok for item in self.signatures)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "signatures": [item.as_dict() for item in self.signatures],
            "notes": self.notes,
        }


def _name_part(cert: asn1_x509.Certificate, key: str) -> str:
    value = cert.subject.native.get(key, "")
    return value if isinstance(value, str) else ", ".join(value)


def _short_name(cert: asn1_x509.Certificate) -> str:
    """The certificate's holder as people name it: common name — organisation."""
    name = _name_part(cert, "common_name")
    organisation = _name_part(cert, "organization_name")
    return f"{name} — {organisation}" if organisation and organisation != name else name


def _modification_texts() -> dict[str, str]:
    return {
        "none": _("Nothing was changed after signing."),
        "lta_updates": _(
            "Only validation data (revocation information, timestamps) was added after signing."
        ),
        "form_filling": _(
            "Form fields were filled in or further signatures added after signing; the "
            "content is unchanged."
        ),
        "annotations": _(
            "Comments (annotations) were added after signing; the content is unchanged."
        ),
        "other": _("The document was changed after signing in a way a signature does not allow."),
    }


def _problem_for(indication: Any) -> str:
    """The reason, in words, for a trust problem pyHanko names (AdES sub-indication)."""
    name = getattr(indication, "name", str(indication))
    reasons = {
        "REVOKED": _("The signer's certificate was revoked."),
        "REVOKED_NO_POE": _("The signer's certificate was revoked."),
        "REVOKED_CA_NO_POE": _("A certificate of the issuing authority was revoked."),
        "EXPIRED": _("The signer's certificate had expired when the signature was checked."),
        "OUT_OF_BOUNDS_NO_POE": _(
            "The signer's certificate was not valid (expired or not yet valid) at the signing time."
        ),
        "OUT_OF_BOUNDS_NOT_REVOKED": _(
            "The signer's certificate was not valid (expired or not yet valid) at the signing time."
        ),
        "NOT_YET_VALID": _("The signer's certificate was not yet valid."),
        "NO_CERTIFICATE_CHAIN_FOUND": _(
            "The certificate does not chain up to a trusted root (unknown issuer)."
        ),
        "CERTIFICATE_CHAIN_GENERAL_FAILURE": _(
            "The certificate does not chain up to a trusted root (unknown issuer)."
        ),
        "TRY_LATER": _("The revocation status could not be obtained; try again later."),
        "REVOCATION_OUT_OF_BOUNDS_NO_POE": _(
            "The revocation information is too old for the signing time."
        ),
        "SIG_CONSTRAINTS_FAILURE": _("The certificate is not allowed to sign documents."),
        "CHAIN_CONSTRAINTS_FAILURE": _("The certificate chain breaks a rule of its issuers."),
    }
    return reasons.get(
        name, _("The signer's certificate could not be validated (%(code)s).") % {"code": name}
    )


def _revocation_material(
    reader: Any, leaves: list[asn1_x509.Certificate], pool: list[asn1_x509.Certificate]
) -> tuple[trust.Revocation, list[asn1_x509.Certificate]]:
    """Live revocation data for the signers' certificates plus what the file's DSS holds."""
    from pyhanko.pdf_utils.decode_limits import DecodePurpose
    from pyhanko.sign.validation.dss import DocumentSecurityStore

    certs: list[asn1_x509.Certificate] = []
    crls: list[asn1_crl.CertificateList] = []
    ocsps: list[asn1_ocsp.OCSPResponse] = []
    try:
        dss = DocumentSecurityStore.read_dss(reader)
        certs = list(dss.load_certs())
        for ref in dss.ocsps:
            ocsps.append(
                asn1_ocsp.OCSPResponse.load(ref.get_object().read_data(DecodePurpose.OCSP_RESPONSE))
            )
        for ref in dss.crls:
            crls.append(
                asn1_crl.CertificateList.load(ref.get_object().read_data(DecodePurpose.CRL))
            )
    except Exception:  # no DSS, or an unreadable one: live data only
        certs, crls, ocsps = [], [], []
    live = trust.revocation_for(leaves, [*certs, *pool, *trust.anchors()])
    live.crls.extend(crls)
    live.ocsps.extend(ocsps)
    return live, certs


def verify_pdf(data: bytes, *, name: str = "tai-lieu.pdf") -> Report:
    """The report on every signature of ``data`` (a checked PDF, see ``check_pdf``)."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import async_validate_pdf_signature

    check_pdf(data, name=name)
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    embedded = list(reader.embedded_regular_signatures)
    if not embedded:
        return Report(signatures=[], notes=[_("The file carries no digital signature.")])
    leaves = [sig.signer_cert for sig in embedded]
    pool: list[asn1_x509.Certificate] = []
    for sig in embedded:
        pool.extend(sig.other_embedded_certs)
    revocation, dss_certs = _revocation_material(reader, leaves, pool)
    reports = []
    for sig in embedded:
        context = trust.validation_context([*pool, *dss_certs], revocation)
        try:
            status = run_coroutine(
                async_validate_pdf_signature(
                    sig, signer_validation_context=context, ts_validation_context=context
                )
            )
        except Exception as error:  # a broken signature is a finding
            reports.append(_broken(sig, error))
            continue
        reports.append(_report(sig, status, revocation))
    notes = []
    if revocation.unreachable:
        notes.append(_("Some revocation sources could not be reached; their answers are missing."))
    return Report(signatures=reports, notes=notes)


def _time_text(moment: dt.datetime | None) -> str:
    return signing_time_text(moment) if moment else ""


def _broken(sig: Any, error: Exception) -> SignatureReport:
    cert = sig.signer_cert
    return SignatureReport(
        field=str(sig.field_name),
        signer=_name_part(cert, "common_name"),
        organisation=_name_part(cert, "organization_name"),
        title=_name_part(cert, "title"),
        serial=format(cert.serial_number, "x"),
        chain=[],
        trusted=False,
        anchor="",
        intact=False,
        valid_signature=False,
        signing_time="",
        timestamp="",
        timestamp_ok=False,
        revocation="unknown",
        revocation_text=_("Not checked."),
        covers_whole_file=False,
        modification="other",
        modification_text=_modification_texts()["other"],
        level="",
        problems=[
            _("The signature is damaged and cannot be checked (%(what)s).")
            % {"what": type(error).__name__}
        ],
    )


def _report(sig: Any, status: Any, revocation: trust.Revocation) -> SignatureReport:
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    cert = status.signing_cert
    problems: list[str] = []
    if not status.intact:
        problems.append(
            _(
                "The document was changed after signing: its content no longer matches the "
                "signature."
            )
        )
    elif not status.valid:
        problems.append(_("The signature value does not match the signer's certificate."))
    path = status.validation_path
    chain = []
    anchor = ""
    if path is not None:
        certs = list(path.iter_certs(include_root=True))
        chain = [_short_name(item) for item in reversed(certs)]
        anchor = _short_name(certs[0]) if certs else ""
    if status.intact and status.valid and status.trust_problem_indic is not None:
        problems.append(_problem_for(status.trust_problem_indic))
    elif status.intact and status.valid and path is None:
        problems.append(_problem_for("NO_CERTIFICATE_CHAIN_FOUND"))
    if status.revoked:
        details = status.revocation_details
        revocation_state = "revoked"
        revocation_text = _("Revoked on %(when)s.") % {"when": _time_text(details.revocation_date)}
        message = _("The signer's certificate was revoked.")
        if message not in problems:
            problems.append(message)
    elif status.trusted:
        revocation_state = "good"
        revocation_text = _("Not revoked (checked with the issuer's revocation information).")
    else:
        revocation_state = "unknown"
        revocation_text = _("Unknown.")
    level = _modification_key(status.modification_level)
    if level == "other":
        problems.append(_modification_texts()["other"])
    ts = status.timestamp_validity
    timestamp_ok = bool(ts and ts.intact and ts.valid and ts.trusted)
    if ts is not None and not timestamp_ok:
        problems.append(_("The timestamp cannot be trusted."))
    coverage = status.coverage
    return SignatureReport(
        field=str(sig.field_name),
        signer=_name_part(cert, "common_name"),
        organisation=_name_part(cert, "organization_name"),
        title=_name_part(cert, "title"),
        serial=format(cert.serial_number, "x"),
        chain=chain,
        trusted=bool(status.trusted),
        anchor=anchor,
        intact=bool(status.intact),
        valid_signature=bool(status.valid),
        signing_time=_time_text(status.signer_reported_dt),
        timestamp=_time_text(ts.timestamp) if ts else "",
        timestamp_ok=timestamp_ok,
        revocation=revocation_state,
        revocation_text=revocation_text,
        covers_whole_file=coverage == SignatureCoverageLevel.ENTIRE_FILE,
        modification=level,
        modification_text=_modification_texts()[level],
        level=_pades_level(sig, ts),
        problems=problems,
    )


def _modification_key(level: Any) -> str:
    if level is None:
        return "none"
    return {
        "NONE": "none",
        "LTA_UPDATES": "lta_updates",
        "FORM_FILLING": "form_filling",
        "ANNOTATIONS": "annotations",
    }.get(level.name, "other")


def _pades_level(sig: Any, ts: Any) -> str:
    if ts is None:
        return "PAdES B-B"
    return "PAdES B-T"
