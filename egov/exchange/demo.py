"""Demo data of the exchange: the outgoing demo's documents go through the
simulated axis, a document from the Office of the Government arrives (and one
unreadable message waits in the quarantine). Idempotent."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from egov.core.integrations.transport import InProcessTransport


def load_demo_exchange() -> str:
    from egov.exchange.axis import Axis, AxisError
    from egov.exchange.models import Quarantine
    from egov.exchange.services import agencies, inbox, outbox

    if not (settings.EGOV_EXCHANGE_SECRET and getattr(settings, "EGOV_SIMULATORS", False)):
        return "skipped (no axis secret or simulators off)"
    axis = Axis(transport=InProcessTransport())
    try:
        known = agencies.sync(axis)
    except AxisError as error:
        return f"skipped ({error})"
    queued = outbox.collect()
    sent = outbox.send_due(axis)
    _arrival(axis)
    polled = inbox.poll(axis)
    if not Quarantine.objects.filter(axis_id="demo-broken").exists():
        inbox.quarantine(
            b"<edXMLEnvelope><edXMLHeader><MessageHeader><From><OrganId>vxp.saas.03",
            "not well-formed XML: the message was cut off",
            axis_id="demo-broken",
            sender="vxp.saas.03",
        )
    return (
        f"{known} agencies on the axis, {queued} queued, {sent.sent} sent, "
        f"{len(polled.outcomes)} received"
    )


def _arrival(axis: object) -> None:
    """A document from the Office of the Government to the province's People's
    Committee, signed with a key of its own (so: untrusted here, but accepted)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    from egov.core.models import Unit
    from egov.exchange.edxml import build, dsig
    from egov.exchange.edxml.model import Message, Organization, document_id_for
    from egov.exchange.models import ExchangeMessage

    province = Unit.objects.get_root_nodes().exclude(code="").first()
    if province is None:
        return
    day = dt.date.today()
    document_id = document_id_for("000.00.00.G22", day, "1234/VPCP-KSTT")
    if ExchangeMessage.objects.filter(document_id=document_id).exists():
        return
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Văn phòng Chính phủ (demo)")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    message = Message(
        sender=Organization("000.00.00.G22", "Văn phòng Chính phủ"),
        recipients=(Organization(province.code, province.name),),
        document_id=document_id,
        subject="Về việc đẩy mạnh liên thông văn bản điện tử năm 2027",
        code_number="1234",
        code_notation="VPCP-KSTT",
        place="Hà Nội",
        promulgation_date=day,
        type_name="Công văn",
        signer_position="Bộ trưởng, Chủ nhiệm",
        signer_name="Trần Văn Sơn",
        to_places=(province.name,),
    )
    data = dsig.sign(build.message_tree(message), key, [cert])
    axis.send(  # type: ignore[attr-defined]
        sender="000.00.00.G22",
        recipient=province.code,
        message_type="edoc",
        body=data,
        send_key=f"demo-{document_id}",
    )
