"""Staff pages of outgoing documents (/can-bo/van-ban-di/): worklists, the draft
editor, the document page with its approval chain and recipients, and the
outgoing register. Thin: each POST is one service call; refusals become messages
or form errors, and a stale edit keeps what the person typed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from egov.accounts.decorators import staff_required
from egov.core import audit
from egov.core.errors import DomainError
from egov.core.formatting import local
from egov.core.models import Unit
from egov.outgoing import access, chains, selectors, services
from egov.outgoing.body_templates import body_template
from egov.outgoing.errors import StaleDocument
from egov.outgoing.forms import (
    AttachmentForm,
    CommentForm,
    DraftForm,
    RecallForm,
    RegisterFilterForm,
    StepForm,
    UploadForm,
)
from egov.outgoing.models import (
    DeliveryStatus,
    DraftVersion,
    OutgoingDocument,
    Status,
    VersionKind,
)
from egov.outgoing.register_export import register_pdf, register_workbook
from egov.outgoing.rendering import document_pdf
from egov.outgoing.services.common import may_issue


def _add_errors(form: Any, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for key, texts in error.message_dict.items():
        form.add_error(key if key in form.fields else None, texts)


def _document(request: HttpRequest, reference: str) -> OutgoingDocument:
    try:
        document = OutgoingDocument.objects.select_related(
            "agency", "drafting_unit", "author", "approved_by", "issued_by", "replaces"
        ).get(reference=reference)
    except (OutgoingDocument.DoesNotExist, ValidationError, ValueError):
        raise Http404 from None
    if not access.may_see(request.user, document):
        # 404, not 403: whether a document exists is itself not for everyone.
        raise Http404
    return document


def _recipient_units(document: OutgoingDocument | None, agency: Unit | None) -> list[Unit]:
    if agency is None:
        return list(Unit.objects.filter(dissolved_at__isnull=True).exclude(level="internal"))
    return list(selectors.platform_recipient_choices(agency))


# --- worklist ------------------------------------------------------------------------


@staff_required
@require_GET
def worklist(request: HttpRequest) -> HttpResponse:
    user = request.user
    waiting = selectors.waiting_for(user)
    context = {
        "waiting": waiting,
        "drafts": list(selectors.my_drafts(user)[:50]),
        "to_issue": list(selectors.to_issue(user)[:50]),
        "recent": list(selectors.recent(user)),
        "may_draft": access.drafting_units(user).exists(),
        "may_see_register": selectors.issuing_agencies(user).exists(),
    }
    return render(request, "outgoing/worklist.html", context)


# --- new draft -----------------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def new_draft(request: HttpRequest) -> HttpResponse:
    units = list(access.drafting_units(request.user))
    if not units:
        raise PermissionDenied(_("You hold no role in a unit: you cannot draft documents."))
    recipients = _recipient_units(None, None)
    if request.method == "POST" and "use_template" not in request.POST:
        form = DraftForm(request.POST, units=units, recipient_units=recipients)
        if form.is_valid():
            try:
                document = services.create_draft(
                    request.user,
                    drafting_unit=form.unit(),
                    data=form.draft_in(),
                    recipients=form.recipients_in(),
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("The draft was saved (version 1)."))
                return redirect("outgoing:detail", reference=document.reference)
    elif request.method == "POST":
        # "Use the type's template": the same form again, its content filled in.
        data = request.POST.copy()
        data["body"] = body_template(data.get("type_code", ""))
        form = DraftForm(data, units=units, recipient_units=recipients)
        form.errors.clear()
    else:
        form = DraftForm(
            initial={
                "place": access.default_place(),
                "type_code": "cong-van",
                "body": body_template("cong-van"),
            },
            units=units,
            recipient_units=recipients,
        )
    return render(request, "outgoing/new.html", {"form": form})


# --- the document page ----------------------------------------------------------------


def _detail_context(
    request: HttpRequest, document: OutgoingDocument, **forms: Any
) -> dict[str, Any]:
    user = request.user
    steps = (
        chains.steps_of(document.chain)
        if document.chain_id
        else chains.steps_of(chains.chain_for(document.agency, document.type_code))
    )
    step = chains.current_step(document)
    may_edit = access.may_edit(user, document)
    acting = step is not None and chains.may_act_at(user, step, document)
    issuer = may_issue(user, document)
    versions = list(document.versions.select_related("created_by"))
    edit_form = forms.get("edit_form")
    if edit_form is None and may_edit:
        edit_form = DraftForm(
            initial=DraftForm.initial_for(document),
            units=[],
            recipient_units=_recipient_units(document, document.agency),
            editing=document,
        )
    return {
        "document": document,
        "steps": steps,
        "step": step,
        "step_people": list(chains.people_for(step, document)) if step else [],
        "may_edit": may_edit,
        "acting": acting,
        "may_submit": document.status == Status.DRAFTING and may_edit,
        "may_issue": issuer and document.status == Status.APPROVED,
        "may_dispatch": issuer
        and document.status == Status.ISSUED
        and document.recipients.filter(
            delivery__in=[DeliveryStatus.NOT_SENT, DeliveryStatus.FAILED]
        ).exists(),
        "may_recall": document.status == Status.ISSUED and access.may_recall(user, document),
        "may_replace": document.status in (Status.ISSUED, Status.RECALLED)
        and access.may_draft_in(user, document.drafting_unit),
        "edit_form": edit_form,
        "upload_form": forms.get("upload_form")
        or UploadForm(initial={"lock_version": document.lock_version}),
        "attachments": list(document.attachments.all()),
        "attachment_form": AttachmentForm(initial={"lock_version": document.lock_version}),
        "comment_form": forms.get("comment_form") or CommentForm(),
        "step_form": forms.get("step_form")
        or StepForm(initial={"lock_version": document.lock_version}),
        "recall_form": forms.get("recall_form")
        or RecallForm(initial={"lock_version": document.lock_version}),
        "stale": forms.get("stale"),
        "versions": versions,
        "comments": list(document.comments.select_related("author")),
        "events": list(document.events.select_related("actor")),
        "recipients": selectors.recipient_rows(document),
        "replacements": list(document.replacements.all()),
    }


@staff_required
@require_GET
def detail(request: HttpRequest, reference: str) -> HttpResponse:
    document = _document(request, reference)
    if document.is_confidential:
        with_audit(request, document, "outgoing.viewed")
    return render(request, "outgoing/detail.html", _detail_context(request, document))


def with_audit(request: HttpRequest, document: OutgoingDocument, action: str) -> None:
    with transaction.atomic():
        audit.record(actor=request.user, action=action, obj=document, unit=document.agency)


def _version(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("lock_version", ""))
    except ValueError:
        return -1


def _act(
    request: HttpRequest, reference: str, call: Callable[[OutgoingDocument], str]
) -> HttpResponse:
    """Run one service call; its refusal becomes a message on the document page."""
    document = _document(request, reference)
    try:
        done = call(document)
    except StaleDocument as error:
        messages.warning(request, error.message)
    except DomainError as error:
        messages.error(request, error.message)
    except PermissionDenied as error:
        messages.error(request, str(error) or _("You are not allowed to do this."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if done:
            messages.success(request, done)
    return redirect("outgoing:detail", reference=document.reference)


@staff_required
@require_POST
def save(request: HttpRequest, reference: str) -> HttpResponse:
    document = _document(request, reference)
    form = DraftForm(
        request.POST,
        units=[],
        recipient_units=_recipient_units(document, document.agency),
        editing=document,
    )
    stale = None
    if "use_template" in request.POST:
        data = request.POST.copy()
        data["body"] = body_template(data.get("type_code", ""))
        form = DraftForm(
            data,
            units=[],
            recipient_units=_recipient_units(document, document.agency),
            editing=document,
        )
        form.is_valid()
        form.errors.clear()
    elif form.is_valid():
        try:
            services.save_draft(
                request.user,
                document,
                expected_version=form.cleaned_data.get("lock_version") or -1,
                data=form.draft_in(),
                recipients=form.recipients_in(),
                note=form.cleaned_data.get("note", ""),
            )
        except StaleDocument as error:
            # Nothing is lost: the form keeps the typed text; the saved one is shown
            # beside it, and the next save starts from the current version.
            stale = error
            data = request.POST.copy()
            data["lock_version"] = str(error.current)
            form = DraftForm(
                data,
                units=[],
                recipient_units=_recipient_units(document, document.agency),
                editing=document,
            )
            form.is_valid()
        except ValidationError as error:
            _add_errors(form, error)
        except (DomainError, PermissionDenied) as error:
            messages.error(request, getattr(error, "message", None) or str(error))
            return redirect("outgoing:detail", reference=document.reference)
        else:
            messages.success(request, _("Saved as a new version."))
            return redirect("outgoing:detail", reference=document.reference)
    document.refresh_from_db()
    context = _detail_context(request, document, edit_form=form, stale=stale)
    return render(request, "outgoing/detail.html", context, status=409 if stale else 200)


@staff_required
@require_POST
def upload(request: HttpRequest, reference: str) -> HttpResponse:
    document = _document(request, reference)
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            version = services.upload_version(
                request.user,
                document,
                expected_version=form.cleaned_data["lock_version"],
                file=form.cleaned_data["file"],
                note=form.cleaned_data.get("note", ""),
            )
        except ValidationError as error:
            _add_errors(form, error)
        except (DomainError, PermissionDenied) as error:
            messages.error(request, getattr(error, "message", None) or str(error))
            return redirect("outgoing:detail", reference=document.reference)
        else:
            messages.success(request, _("Version %(n)s uploaded.") % {"n": version.number})
            return redirect("outgoing:detail", reference=document.reference)
    context = _detail_context(request, document, upload_form=form)
    return render(request, "outgoing/detail.html", context, status=422)


@staff_required
@require_POST
def comment(request: HttpRequest, reference: str) -> HttpResponse:
    form = CommentForm(request.POST)
    if not form.is_valid():
        document = _document(request, reference)
        return render(
            request,
            "outgoing/detail.html",
            _detail_context(request, document, comment_form=form),
            status=422,
        )

    def call(document: OutgoingDocument) -> str:
        services.add_comment(request.user, document, form.cleaned_data["text"])
        return _("Comment added.")

    return _act(request, reference, call)


@staff_required
@require_POST
def submit(request: HttpRequest, reference: str) -> HttpResponse:
    def call(document: OutgoingDocument) -> str:
        services.submit(
            request.user,
            document,
            expected_version=_version(request),
            note=request.POST.get("note", ""),
        )
        return _("Submitted for approval.")

    return _act(request, reference, call)


@staff_required
@require_POST
def approve(request: HttpRequest, reference: str) -> HttpResponse:
    def call(document: OutgoingDocument) -> str:
        done = services.approve(
            request.user,
            document,
            expected_version=_version(request),
            note=request.POST.get("note", ""),
        )
        if done.status == Status.APPROVED:
            return _("Approved for signing. The records clerk can now issue it.")
        return _("Approved; passed to the next step.")

    return _act(request, reference, call)


@staff_required
@require_POST
def send_back(request: HttpRequest, reference: str) -> HttpResponse:
    def call(document: OutgoingDocument) -> str:
        services.return_draft(
            request.user,
            document,
            expected_version=_version(request),
            note=request.POST.get("note", ""),
        )
        return _("Returned to the drafter.")

    return _act(request, reference, call)


def _dispatch_message(outcome: services.DispatchOutcome) -> str:
    parts = []
    if outcome.delivered:
        parts.append(
            _("delivered to %(n)s agencies on the platform") % {"n": len(outcome.delivered)}
        )
    if outcome.waiting_exchange:
        parts.append(
            _("%(n)s recipients outside the platform wait for the document exchange")
            % {"n": len(outcome.waiting_exchange)}
        )
    if outcome.paper_only:
        parts.append(
            _("confidential: to be sent on paper to %(n)s recipients")
            % {"n": len(outcome.paper_only)}
        )
    if outcome.failed:
        parts.append(_("not delivered to %(names)s") % {"names": ", ".join(outcome.failed)})
    return "; ".join(parts)


@staff_required
@require_POST
def issue(request: HttpRequest, reference: str) -> HttpResponse:
    def call(document: OutgoingDocument) -> str:
        issued = services.issue_document(
            request.user,
            document,
            expected_version=_version(request),
            pin=request.POST.get("pin", ""),
        )
        outcome = services.dispatch_document(request.user, issued)
        if issued.digitally_signed:
            text = _("Issued as %(number)s, signed by the signer and sealed by the agency.") % {
                "number": issued.number_and_symbol
            }
        else:
            text = _("Issued as %(number)s (not digitally signed yet).") % {
                "number": issued.number_and_symbol
            }
        sent = _dispatch_message(outcome)
        return f"{text} {sent.capitalize()}." if sent else text

    return _act(request, reference, call)


@staff_required
@require_POST
def dispatch(request: HttpRequest, reference: str) -> HttpResponse:
    def call(document: OutgoingDocument) -> str:
        outcome = services.dispatch_document(request.user, document)
        return _dispatch_message(outcome).capitalize() or _("Nothing left to send.")

    return _act(request, reference, call)


@staff_required
@require_POST
def recall(request: HttpRequest, reference: str) -> HttpResponse:
    def call(document: OutgoingDocument) -> str:
        outcome = services.recall_document(
            request.user,
            document,
            reason=request.POST.get("reason", ""),
            expected_version=_version(request),
        )
        text = _("The document was recalled.")
        if outcome.registered:
            text += " " + _(
                "%(names)s had already registered it: it stays in their register, marked "
                "recalled, and their records clerk was told."
            ) % {"names": ", ".join(outcome.registered)}
        if outcome.withdrawn:
            text += " " + _("Withdrawn from the queue of: %(names)s.") % {
                "names": ", ".join(outcome.withdrawn)
            }
        return text

    return _act(request, reference, call)


@staff_required
@require_POST
def replace(request: HttpRequest, reference: str) -> HttpResponse:
    document = _document(request, reference)
    try:
        draft = services.create_replacement(request.user, document)
    except (DomainError, PermissionDenied, ValidationError) as error:
        messages.error(request, getattr(error, "message", None) or str(error))
        return redirect("outgoing:detail", reference=document.reference)
    messages.success(request, _("A replacement draft was created."))
    return redirect("outgoing:detail", reference=draft.reference)


# --- files --------------------------------------------------------------------------


def _download(data: bytes, name: str, content_type: str, inline: bool = False) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    # RFC 6266/5987: a Vietnamese file name (01-QĐ-STP.pdf) survives in filename*.
    response["Content-Disposition"] = content_disposition_header(not inline, name) or ""
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@staff_required
@require_GET
def pdf(request: HttpRequest, reference: str) -> HttpResponse:
    document = _document(request, reference)
    with_audit(request, document, "outgoing.pdf_downloaded")
    name = (document.number_and_symbol or "du-thao").replace("/", "-")
    return _download(document_pdf(document), f"{name}.pdf", "application/pdf", inline=True)


@staff_required
@require_GET
def version_file(request: HttpRequest, reference: str, number: int) -> HttpResponse:
    document = _document(request, reference)
    version = DraftVersion.objects.filter(
        document=document, number=number, kind=VersionKind.FILE
    ).first()
    if version is None or not version.file:
        raise Http404
    with_audit(request, document, "outgoing.file_downloaded")
    with version.file.open("rb") as handle:
        data = handle.read()
    return _download(
        data,
        version.file_name or "du-thao",
        version.content_type,
    )


# --- the outgoing register --------------------------------------------------------------


@staff_required
@require_GET
def register(request: HttpRequest) -> HttpResponse:
    agencies = list(selectors.issuing_agencies(request.user))
    if not agencies:
        raise PermissionDenied(_("Only records clerks and leaders read the outgoing register."))
    today = local(timezone.now()).date()
    data = request.GET if "agency" in request.GET else None
    form = RegisterFilterForm(
        data,
        agencies=agencies,
        initial={
            "agency": str(agencies[0].pk),
            "start": today.replace(month=1, day=1),
            "end": today,
        },
    )
    rows: list[selectors.RegisterRow] = []
    if data is None:
        agency, start, end, confidential = agencies[0], today.replace(month=1, day=1), today, False
    elif form.is_valid():
        agency = form.chosen_agency()
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        confidential = form.cleaned_data["confidential"]
    else:
        return render(request, "outgoing/register.html", {"form": form, "rows": rows}, status=422)
    rows = selectors.register_rows(agency, start, end, confidential=confidential)
    export = request.GET.get("format")
    if export in ("pdf", "xlsx"):
        with_register_audit(request, agency, export)
        stem = f"so-van-ban-di-{start:%Y%m%d}-{end:%Y%m%d}"
        if export == "pdf":
            return _download(
                register_pdf(agency, start, end, rows, confidential=confidential),
                f"{stem}.pdf",
                "application/pdf",
            )
        return _download(
            register_workbook(agency, start, end, rows, confidential=confidential),
            f"{stem}.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    query = request.GET.copy()
    query.update({"agency": str(agency.pk), "start": start.isoformat(), "end": end.isoformat()})
    context = {
        "form": form,
        "rows": rows,
        "agency": agency,
        "start": start,
        "end": end,
        "confidential": confidential,
        "query": query.urlencode(),
    }
    return render(request, "outgoing/register.html", context)


def with_register_audit(request: HttpRequest, agency: Unit, export: str) -> None:
    with transaction.atomic():
        audit.record(
            actor=request.user,
            action="outgoing.register_exported",
            object_type="outgoing.register",
            object_id=str(agency.pk),
            object_repr=f"{agency.name} ({export})",
            unit=agency,
        )
