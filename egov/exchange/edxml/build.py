"""Writing edXML strictly: every message we send follows the standard's element
order and is validated against our schema (``edxml.xsd``) before it leaves."""

from __future__ import annotations

import base64
import datetime as dt
from functools import cache
from pathlib import Path

from lxml import etree

from egov.exchange.edxml.model import (
    DS,
    NS,
    Message,
    Organization,
    ResponseFor,
    StaffInfo,
    StatusMessage,
)

VN = dt.timezone(dt.timedelta(hours=7))
_SCHEMA = Path(__file__).with_name("edxml.xsd")


class InvalidMessage(ValueError):
    """What we were about to send does not follow our schema of the standard."""


@cache
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(_SCHEMA)))


def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


def _add(parent: etree._Element, name: str, text: object = None) -> etree._Element:
    child = etree.SubElement(parent, _q(name))
    if text is not None:
        child.text = _text(text)
    return child


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=VN)
        return moment.astimezone(VN).replace(microsecond=0).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _organization(parent: etree._Element, name: str, org: Organization) -> None:
    node = _add(parent, name)
    _add(node, "OrganId", org.organ_id)
    if org.organization_in_charge:
        _add(node, "OrganizationInCharge", org.organization_in_charge)
    _add(node, "OrganName", org.organ_name)
    for tag, value in (
        ("OrganAdd", org.organ_add),
        ("Email", org.email),
        ("Telephone", org.telephone),
        ("Fax", org.fax),
        ("Website", org.website),
    ):
        if value:
            _add(node, tag, value)


def _staff(parent: etree._Element, staff: StaffInfo | None) -> None:
    if staff is None:
        return
    node = _add(parent, "StaffInfo")
    for tag, value in (
        ("Department", staff.department),
        ("Staff", staff.staff),
        ("Email", staff.email),
        ("Mobile", staff.mobile),
    ):
        if value:
            _add(node, tag, value)


def _response_for(parent: etree._Element, item: ResponseFor) -> None:
    node = _add(parent, "ResponseFor")
    _add(node, "OrganId", item.organ_id)
    _add(node, "Code", item.code)
    if item.promulgation_date:
        _add(node, "PromulgationDate", item.promulgation_date)
    _add(node, "DocumentId", item.document_id)


def _signature_placeholder(header: etree._Element) -> None:
    # signxml puts an enveloped signature where this placeholder stands.
    etree.SubElement(header, f"{{{DS}}}Signature", Id="placeholder", nsmap={"ds": DS})


def message_tree(message: Message, *, placeholder: bool = True) -> etree._Element:
    """The envelope of a document message (unsigned; with the signature's place)."""
    root = etree.Element(_q("edXMLEnvelope"), nsmap={None: NS})
    header = _add(root, "edXMLHeader")
    head = _add(header, "MessageHeader")
    _organization(head, "From", message.sender)
    seen: set[str] = set()
    for recipient in message.recipients:
        if recipient.organ_id in seen:
            raise InvalidMessage(f"recipient {recipient.organ_id} is listed twice")
        seen.add(recipient.organ_id)
        _organization(head, "To", recipient)
    _add(head, "DocumentId", message.document_id)
    code = _add(head, "Code")
    _add(code, "CodeNumber", message.code_number)
    _add(code, "CodeNotation", message.code_notation)
    info = _add(head, "PromulgationInfo")
    _add(info, "Place", message.place)
    _add(info, "PromulgationDate", message.promulgation_date or dt.date.today())
    kind = _add(head, "DocumentType")
    _add(kind, "Type", message.doc_type)
    _add(kind, "TypeDetail", message.type_detail)
    _add(kind, "TypeName", message.type_name)
    _add(head, "Subject", message.subject)
    _add(head, "Content", message.content)
    signer = _add(head, "SignerInfo")
    _add(signer, "Competence", message.signer_competence)
    _add(signer, "Position", message.signer_position)
    _add(signer, "FullName", message.signer_name)
    if message.due_date:
        _add(head, "DueDate", message.due_date)
    other = _add(head, "OtherInfo")
    _add(other, "Priority", message.priority)
    _add(other, "SphereOfPromulgation", message.sphere)
    _add(other, "TyperNotation", message.typer_notation)
    _add(other, "PromulgationAmount", message.promulgation_amount)
    _add(other, "PageAmount", message.page_amount)
    _add(other, "Direction", message.direction)
    if message.appendixes:
        appendixes = _add(other, "Appendixes")
        for item in message.appendixes:
            _add(appendixes, "Appendix", item)
    _add(head, "SteeringType", message.steering_type)
    places = _add(head, "ToPlaces")
    for place in message.to_places:
        _add(places, "Place", place)
    for answer in message.response_for:
        _response_for(head, answer)
    traces = _add(header, "TraceHeaderList")
    for trace in message.traces:
        node = _add(traces, "TraceHeader")
        _add(node, "OrganId", trace.organ_id)
        _add(node, "Timestamp", trace.timestamp or dt.datetime.now(VN))
    business = _add(traces, "Bussiness")
    _add(business, "BussinessDocType", int(message.business.business_type))
    _add(business, "BussinessDocReason", message.business.reason)
    if message.business.document_id:
        _add(business, "DocumentId", message.business.document_id)
    _add(business, "Paper", message.business.paper)
    _staff(business, message.business.staff)
    if placeholder:
        _signature_placeholder(header)
    body = _add(root, "edXMLBody")
    manifest = _add(body, "edXMLManifest")
    for attachment in message.attachments:
        ref = _add(manifest, "Reference")
        _add(ref, "ContentId", attachment.content_id)
        _add(ref, "ContentType", attachment.content_type)
        _add(ref, "Description", attachment.description)
        _add(ref, "AttachmentName", attachment.name)
    if message.attachments:
        encoded = _add(root, "AttachmentEncoded")
        for attachment in message.attachments:
            node = _add(encoded, "Attachment")
            _add(node, "ContentId", attachment.content_id)
            _add(node, "AttachmentName", attachment.name)
            _add(node, "ContentType", attachment.content_type)
            _add(node, "ContentTransferEncoded", base64.b64encode(attachment.data).decode("ascii"))
    return root


def status_tree(status: StatusMessage, *, placeholder: bool = True) -> etree._Element:
    root = etree.Element(_q("edXMLEnvelope"), nsmap={None: NS})
    header = _add(root, "edXMLHeader")
    node = _add(header, "Status")
    _response_for(node, status.response_for)
    _organization(node, "From", status.sender)
    _add(node, "StatusCode", status.code)
    _add(node, "Description", status.description)
    _add(node, "Timestamp", status.timestamp)
    _staff(node, status.staff)
    if placeholder:
        _signature_placeholder(header)
    return root


def validate(root: etree._Element) -> None:
    """Refuse what does not follow our schema, with the schema's first complaint."""
    checker = schema()
    if not checker.validate(root):
        error = checker.error_log.last_error
        raise InvalidMessage(f"line {error.line}: {error.message}" if error else "invalid")


def serialize(root: etree._Element) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def build_message(message: Message) -> bytes:
    """The unsigned message, validated (signing happens in :mod:`.dsig`)."""
    root = message_tree(message, placeholder=False)
    validate(root)
    return serialize(root)


def build_status(status: StatusMessage) -> bytes:
    root = status_tree(status, placeholder=False)
    validate(root)
    return serialize(root)
