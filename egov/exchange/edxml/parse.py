"""Reading edXML liberally: what other vendors' software sends differs from the
letter of QCVN 102:2016 (``shared/docs/documents.md``, Exchange). Each accepted
variation is reported as a warning; a message that cannot be understood raises
:class:`Unparseable` with the reason (the caller keeps it in quarantine).

Elements are matched by local name wherever they stand, so a missing or foreign
namespace, unqualified children and an ``AttachmentEncoded`` outside the envelope
are all read.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
import uuid
from dataclasses import dataclass, field

from lxml import etree

from egov.exchange.edxml.model import (
    KNOWN_STATUS_CODES,
    NS,
    Attachment,
    Business,
    BusinessType,
    Message,
    Organization,
    ResponseFor,
    StaffInfo,
    StatusMessage,
    TraceHeader,
)

VN = dt.timezone(dt.timedelta(hours=7))
#: Agency identifier codes: the pre-2025 form (000.00.00.H33) and the dotted post-2025 one.
ORGAN_ID = re.compile(r"^(\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}|[A-Z]\d{2}(\.\d{2,3})*)$")
GATEWAY_ID = re.compile(r"^[a-z][a-z0-9]*(\.[a-z0-9]+)+$")
DOCUMENT_ID = re.compile(r"^(?P<organ>[^,]+),(?P<date>\d{4}/\d{2}/\d{2}),(?P<code>.+)$")
MAX_BYTES = 50 * 1024 * 1024


class Unparseable(ValueError):
    """The message cannot be understood; ``str()`` is the reason."""


@dataclass
class Parsed:
    kind: str  # "message" or "status"
    message: Message | None = None
    status: StatusMessage | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def document_id(self) -> str:
        if self.message is not None:
            return self.message.document_id
        assert self.status is not None
        return self.status.response_for.document_id


def _local(node: etree._Element) -> str:
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


def _child(node: etree._Element | None, name: str) -> etree._Element | None:
    if node is None:
        return None
    for child in node:
        if _local(child) == name:
            return child
    return None


def _children(node: etree._Element | None, name: str) -> list[etree._Element]:
    if node is None:
        return []
    return [child for child in node if _local(child) == name]


def _find(root: etree._Element, name: str) -> etree._Element | None:
    for node in root.iter():
        if _local(node) == name:
            return node
    return None


def _text(node: etree._Element | None, name: str) -> str:
    found = _child(node, name)
    return (found.text or "").strip() if found is not None else ""


class _Reader:
    def __init__(self) -> None:
        self.warnings: list[str] = []

    def warn(self, text: str) -> None:
        if text not in self.warnings:
            self.warnings.append(text)

    # --- values ---------------------------------------------------------------------

    def date(self, value: str, where: str) -> dt.date | None:
        value = value.strip()
        if not value:
            return None
        for pattern, note in (("%Y-%m-%d", ""), ("%Y/%m/%d", "yyyy/MM/dd")):
            try:
                parsed = dt.datetime.strptime(value[:10], pattern).date()
            except ValueError:
                continue
            if note:
                self.warn(f"{where}: date written as {note}")
            return parsed
        self.warn(f"{where}: unreadable date “{value[:40]}” ignored")
        return None

    def moment(self, value: str, where: str) -> dt.datetime | None:
        value = value.strip()
        if not value:
            return None
        try:
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            try:
                parsed = dt.datetime.strptime(value, "%Y/%m/%d %H:%M:%S")
            except ValueError:
                self.warn(f"{where}: unreadable timestamp “{value[:40]}” ignored")
                return None
            self.warn(f"{where}: timestamp written as yyyy/MM/dd HH:mm:ss")
        if parsed.tzinfo is None:
            self.warn(f"{where}: timestamp without a time zone, read as +07:00")
            parsed = parsed.replace(tzinfo=VN)
        return parsed

    def integer(self, value: str, where: str, default: int = 0) -> int:
        value = value.strip()
        if not value:
            return default
        try:
            return int(value)
        except ValueError:
            self.warn(f"{where}: “{value[:20]}” is not a number, {default} used")
            return default

    def organ_id(self, value: str, where: str) -> str:
        value = value.strip()
        if not value or value.lower() == "null":
            self.warn(f"{where}: OrganId is missing (“{value or ''}”)")
            return ""
        if ORGAN_ID.match(value):
            return value
        if GATEWAY_ID.match(value):
            self.warn(f"{where}: OrganId “{value}” is a gateway id, not an agency code")
            return value
        self.warn(f"{where}: OrganId “{value[:40]}” is not in a known form")
        return value[:40]

    # --- blocks ---------------------------------------------------------------------

    def organization(self, node: etree._Element, where: str) -> Organization:
        organ_id = self.organ_id(_text(node, "OrganId"), where)
        name = _text(node, "OrganName")
        if not name:
            self.warn(f"{where}: no OrganName")
        return Organization(
            organ_id=organ_id,
            organ_name=name,
            organization_in_charge=_text(node, "OrganizationInCharge"),
            organ_add=_text(node, "OrganAdd"),
            email=_text(node, "Email"),
            telephone=_text(node, "Telephone"),
            fax=_text(node, "Fax"),
            website=_text(node, "Website"),
        )

    def staff(self, node: etree._Element | None) -> StaffInfo | None:
        if node is None:
            return None
        return StaffInfo(
            department=_text(node, "Department"),
            staff=_text(node, "Staff"),
            email=_text(node, "Email"),
            mobile=_text(node, "Mobile"),
        )

    def document_id(self, value: str, where: str) -> str:
        value = value.strip()
        if not value:
            raise Unparseable(f"{where}: no DocumentId")
        if DOCUMENT_ID.match(value):
            return value
        try:
            uuid.UUID(value)
        except ValueError:
            self.warn(f"{where}: DocumentId “{value[:60]}” is in no known form")
        else:
            self.warn(f"{where}: DocumentId is a bare UUID")
        return value[:500]

    def response_for(self, node: etree._Element, where: str) -> ResponseFor:
        return ResponseFor(
            organ_id=self.organ_id(_text(node, "OrganId"), where),
            code=_text(node, "Code"),
            promulgation_date=self.date(_text(node, "PromulgationDate"), where),
            document_id=self.document_id(_text(node, "DocumentId"), where),
        )


def _root(data: bytes) -> etree._Element:
    if not data or not data.strip():
        raise Unparseable("empty message")
    if len(data) > MAX_BYTES:
        raise Unparseable(f"message larger than {MAX_BYTES // (1024 * 1024)} MB")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    try:
        return etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as error:
        raise Unparseable(f"not well-formed XML: {error}") from None


def parse(data: bytes) -> Parsed:
    """Read a received message (document or status)."""
    root = _root(data)
    reader = _Reader()
    envelope = root if _local(root) == "edXMLEnvelope" else _find(root, "edXMLEnvelope")
    if envelope is None:
        raise Unparseable(f"no edXMLEnvelope (root element is “{_local(root)[:40]}”)")
    if etree.QName(envelope).namespace != NS:
        reader.warn("edXMLEnvelope is not in the QCVN 102:2016 namespace")
    if envelope is not root:
        reader.warn(f"edXMLEnvelope is wrapped in “{_local(root)[:40]}”")
    header = _child(envelope, "edXMLHeader")
    if header is None:
        raise Unparseable("no edXMLHeader")
    status = _child(header, "Status")
    if status is None:
        status = _find(envelope, "Status")
    if _child(header, "MessageHeader") is None and status is not None:
        return _status(reader, status)
    head = _child(header, "MessageHeader")
    if head is None:
        raise Unparseable("no MessageHeader and no Status in edXMLHeader")
    return _message(reader, root, envelope, header, head)


def _status(reader: _Reader, node: etree._Element) -> Parsed:
    answer = _child(node, "ResponseFor")
    if answer is None:
        raise Unparseable("status without ResponseFor")
    sender = _child(node, "From")
    code = _text(node, "StatusCode")
    if len(code) == 1 and code.isdigit():
        reader.warn(f"StatusCode “{code}” without its leading zero")
        code = f"0{code}"
    if code not in KNOWN_STATUS_CODES:
        raise Unparseable(f"unknown StatusCode “{code[:10]}”")
    moment = reader.moment(_text(node, "Timestamp"), "Status")
    if moment is None:
        reader.warn("Status: no Timestamp, the time of arrival is used")
        moment = dt.datetime.now(VN)
    status = StatusMessage(
        response_for=reader.response_for(answer, "ResponseFor"),
        sender=reader.organization(sender, "From") if sender is not None else Organization(""),
        code=code,
        timestamp=moment,
        description=_text(node, "Description"),
        staff=reader.staff(_child(node, "StaffInfo")),
    )
    if sender is None:
        reader.warn("Status: no From")
    return Parsed(kind="status", status=status, warnings=reader.warnings)


def _message(
    reader: _Reader,
    root: etree._Element,
    envelope: etree._Element,
    header: etree._Element,
    head: etree._Element,
) -> Parsed:
    sender_node = _child(head, "From")
    if sender_node is None:
        raise Unparseable("MessageHeader without From")
    recipients: list[Organization] = []
    for index, node in enumerate(_children(head, "To"), start=1):
        org = reader.organization(node, f"To[{index}]")
        if any(r.organ_id == org.organ_id for r in recipients):
            reader.warn(f"To[{index}]: recipient {org.organ_id} listed twice (kept once)")
            continue
        recipients.append(org)
    if not recipients:
        raise Unparseable("MessageHeader without To")
    subject = _text(head, "Subject")
    if not subject:
        raise Unparseable("MessageHeader without Subject")
    if len(subject) > 500:
        reader.warn("Subject longer than 500 characters (cut)")
        subject = subject[:500]
    code = _child(head, "Code")
    info = _child(head, "PromulgationInfo")
    kind = _child(head, "DocumentType")
    signer = _child(head, "SignerInfo")
    other = _child(head, "OtherInfo")
    places = [(p.text or "").strip() for p in _children(_child(head, "ToPlaces"), "Place")]
    traces_node = _child(header, "TraceHeaderList")
    if traces_node is None:
        traces_node = _find(envelope, "TraceHeaderList")
    traces = []
    for index, node in enumerate(_children(traces_node, "TraceHeader"), start=1):
        organ = _text(node, "OrganId")
        stamp = _text(node, "Timestamp")
        if not organ or not stamp:
            reader.warn(f"TraceHeader[{index}]: OrganId or Timestamp missing")
        traces.append(
            TraceHeader(
                organ_id=reader.organ_id(organ, f"TraceHeader[{index}]") if organ else "",
                timestamp=reader.moment(stamp, f"TraceHeader[{index}]"),
            )
        )
    business_node = _child(traces_node, "Bussiness")
    if business_node is None:
        business_node = _child(traces_node, "Business")
    if business_node is not None and _local(business_node) == "Business":
        reader.warn("“Business” block spelled the dictionary way (standard: Bussiness)")
    business = Business()
    if business_node is None:
        reader.warn("no Bussiness block: read as a new document")
    else:
        raw_type = _text(business_node, "BussinessDocType") or _text(
            business_node, "BusinessDocType"
        )
        number = reader.integer(raw_type, "BussinessDocType", 0)
        try:
            kind_value = BusinessType(number)
        except ValueError:
            raise Unparseable(f"unknown BussinessDocType “{raw_type[:10]}”") from None
        business = Business(
            business_type=kind_value,
            reason=_text(business_node, "BussinessDocReason"),
            document_id=_text(business_node, "DocumentId"),
            paper=reader.integer(_text(business_node, "Paper"), "Paper", 0),
            staff=reader.staff(_child(business_node, "StaffInfo")),
        )
    responses = [
        reader.response_for(node, "ResponseFor") for node in _children(head, "ResponseFor")
    ]
    message = Message(
        sender=reader.organization(sender_node, "From"),
        recipients=tuple(recipients),
        document_id=reader.document_id(_text(head, "DocumentId"), "MessageHeader"),
        subject=subject,
        code_number=_text(code, "CodeNumber"),
        code_notation=_text(code, "CodeNotation"),
        place=_text(info, "Place"),
        promulgation_date=reader.date(_text(info, "PromulgationDate"), "PromulgationDate"),
        doc_type=reader.integer(_text(kind, "Type"), "Type", 1),
        type_detail=reader.integer(_text(kind, "TypeDetail"), "TypeDetail", 0),
        type_name=_text(kind, "TypeName"),
        content=_text(head, "Content"),
        signer_competence=_text(signer, "Competence"),
        signer_position=_text(signer, "Position"),
        signer_name=_text(signer, "FullName"),
        due_date=reader.date(_text(head, "DueDate"), "DueDate"),
        priority=reader.integer(_text(other, "Priority"), "Priority", 0),
        sphere=_text(other, "SphereOfPromulgation"),
        typer_notation=_text(other, "TyperNotation"),
        promulgation_amount=reader.integer(
            _text(other, "PromulgationAmount"), "PromulgationAmount", 1
        ),
        page_amount=reader.integer(_text(other, "PageAmount"), "PageAmount", 1),
        direction=_text(other, "Direction").lower() in ("true", "1"),
        appendixes=tuple(
            (a.text or "").strip() for a in _children(_child(other, "Appendixes"), "Appendix")
        ),
        steering_type=reader.integer(_text(head, "SteeringType"), "SteeringType", 0),
        to_places=tuple(p for p in places if p),
        response_for=tuple(responses),
        traces=tuple(traces),
        business=business,
        attachments=tuple(_attachments(reader, root, envelope)),
    )
    return Parsed(kind="message", message=message, warnings=reader.warnings)


def _cid(value: str) -> str:
    value = value.strip()
    return value[4:] if value.lower().startswith("cid:") else value


def _attachments(
    reader: _Reader, root: etree._Element, envelope: etree._Element
) -> list[Attachment]:
    manifest = {}
    for ref in _children(_child(_child(envelope, "edXMLBody"), "edXMLManifest"), "Reference"):
        raw = _text(ref, "ContentId")
        if raw and not raw.lower().startswith("cid:"):
            reader.warn(f"manifest ContentId “{raw[:40]}” without the cid: prefix")
        manifest[_cid(raw)] = ref
    encoded = _child(envelope, "AttachmentEncoded")
    if encoded is None:
        encoded = _find(root, "AttachmentEncoded")
        if encoded is not None:
            reader.warn("AttachmentEncoded outside edXMLEnvelope")
    found: list[Attachment] = []
    for index, node in enumerate(_children(encoded, "Attachment"), start=1):
        if any(
            etree.QName(c).namespace != NS for c in node if _local(c) != "ContentTransferEncoded"
        ):
            reader.warn("attachment children without the standard's namespace")
        content_id = _cid(_text(node, "ContentId"))
        ref = manifest.get(content_id)
        if ref is None:
            reader.warn(f"attachment {index} (“{content_id[:40]}”) is not in the manifest")
        payload = "".join(_text(node, "ContentTransferEncoded").split())
        try:
            data = base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError):
            raise Unparseable(f"attachment {index}: content is not base64") from None
        name = _text(node, "AttachmentName") or (
            _text(ref, "AttachmentName") if ref is not None else ""
        )
        if len(name) > 200:
            reader.warn(f"attachment {index}: name longer than 200 characters (cut)")
        found.append(
            Attachment(
                content_id=f"cid:{content_id}",
                name=(name or f"tep-{index}")[:200],
                content_type=_text(node, "ContentType")
                or (_text(ref, "ContentType") if ref is not None else "")
                or "application/octet-stream",
                data=data,
                description=_text(ref, "Description") if ref is not None else "",
            )
        )
    missing = set(manifest) - {_cid(a.content_id) for a in found}
    if missing:
        reader.warn(f"{len(missing)} manifest reference(s) without an attachment")
    return found
