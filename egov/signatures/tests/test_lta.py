"""PAdES B-LTA: the signature, its validation data (DSS) and a document timestamp
over both; checked by pyHanko's long-term validator with no network (the file's
own revocation data only) and by poppler's pdfsig."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from egov.core.models import AuditEntry
from egov.signatures import services, trust
from egov.signatures.models import RevocationSource
from egov.signatures.tests.conftest import World, one_page_pdf
from egov.signatures.tests.pdfsig import pdfsig, require_tools


def _lta(world: World) -> bytes:
    holder = services.holder_for_agency(world.agency)
    return services.sign_pdf(
        one_page_pdf(), holder=holder, actor=None, level="B-LTA", unit=world.agency
    )


def _dss(reader: object) -> tuple[list, list, list]:
    from asn1crypto import crl, ocsp
    from pyhanko.pdf_utils.decode_limits import DecodePurpose
    from pyhanko.sign.validation.dss import DocumentSecurityStore

    dss = DocumentSecurityStore.read_dss(reader)  # type: ignore[arg-type]
    ocsps = [
        ocsp.OCSPResponse.load(ref.get_object().read_data(DecodePurpose.OCSP_RESPONSE))
        for ref in dss.ocsps
    ]
    crls = [
        crl.CertificateList.load(ref.get_object().read_data(DecodePurpose.CRL)) for ref in dss.crls
    ]
    return list(dss.load_certs()), ocsps, crls


def _offline_context(reader: object) -> Any:
    """Trust the test root; revocation must be known, from the file's DSS only."""
    from pyhanko_certvalidator import ValidationContext

    certs, ocsps, crls = _dss(reader)
    return ValidationContext(
        trust_roots=trust.anchors(),
        other_certs=certs,
        ocsps=ocsps,
        crls=crls,
        allow_fetching=False,
        revocation_mode="hard-fail",
    )


def test_b_lta_document_timestamp_is_valid_and_revocation_data_embedded(world: World) -> None:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp

    signed = _lta(world)
    RevocationSource.objects.update(enabled=False)  # the CA's CRL and OCSP are down
    reader = PdfFileReader(io.BytesIO(signed))
    kinds = [sig.sig_object_type.lstrip("/") for sig in reader.embedded_signatures]
    assert kinds == ["Sig", "DocTimeStamp"]
    signature, doc_timestamp = reader.embedded_signatures

    ts_status = validate_pdf_timestamp(doc_timestamp, validation_context=_offline_context(reader))
    assert ts_status.intact and ts_status.valid and ts_status.trusted, ts_status
    assert doc_timestamp.field_name.endswith("_LTA")
    # It covers the whole signed revision (a last update may add the timestamp
    # authority's own validation data to the DSS).
    assert doc_timestamp.coverage.name in ("ENTIRE_REVISION", "ENTIRE_FILE")

    # The signature validates with revocation checking required and nothing fetched:
    # its status comes from the OCSP answers and CRLs embedded in the DSS.
    context = _offline_context(reader)
    status = validate_pdf_signature(
        signature, signer_validation_context=context, ts_validation_context=context
    )
    assert status.intact and status.valid and status.trusted, status.pretty_print_details()
    assert status.modification_level is not None
    assert status.modification_level.name == "LTA_UPDATES"
    _certs, ocsps, _crls = _dss(reader)
    assert len(ocsps) >= 2  # the signer's and the timestamp authority's certificates
    entry = AuditEntry.objects.filter(action="signatures.signed").get()
    assert entry.changes["level"] == "B-LTA"


def test_without_the_dss_the_same_check_fails(world: World) -> None:
    """The offline check above can fail: a B-T signature has no embedded revocation
    data and no document timestamp, and hard-fail refuses it."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    holder = services.holder_for_agency(world.agency)
    b_t = services.sign_pdf(one_page_pdf(), holder=holder, actor=None)
    reader = PdfFileReader(io.BytesIO(b_t))
    (signature,) = reader.embedded_signatures
    context = ValidationContext(
        trust_roots=trust.anchors(),
        ocsps=[],
        crls=[],
        allow_fetching=False,
        revocation_mode="hard-fail",
    )
    status = validate_pdf_signature(
        signature, signer_validation_context=context, ts_validation_context=context
    )
    assert status.intact and not status.trusted


def test_pdfsig_lists_the_signature_and_the_document_timestamp(
    world: World, tmp_path: Path
) -> None:
    require_tools()
    report = pdfsig(_lta(world), tmp_path)
    assert "Signature #2" in report and "Signature #3" not in report, report
    first, second = report.split("Signature #2:")
    assert "Signature Validation: Signature is Valid." in first, report
    assert "Signature Field Name: Signature1_LTA" in second, report
    assert "Common Name: Demo Timestamp Authority" in second, report
    # poppler 22.12 lists a document timestamp but does not validate its type
    # (ETSI.RFC3161); pyHanko's validator does, in the test above.
