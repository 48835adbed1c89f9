"""Pages of online submission: the step-by-step journey, drafts, the document
wallet, and the operators' form editor. Thin: every change is a service call."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    QueryDict,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from egov.accounts.decorators import second_factor_step, staff_required
from egov.accounts.models import AccountKind
from egov.accounts.permissions import Perm, has_perm_in_unit
from egov.core.formatting import format_amount
from egov.core.templatetags.egov_format import ddmmyyyy
from egov.dossiers.downloads import attachment
from egov.dossiers.errors import IncompleteDossier, TransitionNotAllowed
from egov.procedures.models import OnlineLevel, Procedure
from egov.procedures.selectors import current_versions, get_procedure, published_version
from egov.submissions import schema as form_schema
from egov.submissions import selectors, services
from egov.submissions.agency_choice import group_agencies, likely_agency
from egov.submissions.confirmation import confirmation_for, receipt_pdf
from egov.submissions.declaration import answer_sections
from egov.submissions.errors import DraftClosed, StaleDraft
from egov.submissions.forms import (
    AgencyForm,
    ApplicantForm,
    DraftVersionMixin,
    PapersForm,
    SchemaEditForm,
    WalletUploadForm,
)
from egov.submissions.models import Draft, DraftStatus, Step, WalletDocument

SLUGS = {
    Step.AGENCY: "co-quan",
    Step.APPLICANT: "nguoi-nop",
    Step.DECLARATION: "to-khai",
    Step.PAPERS: "giay-to",
    Step.REVIEW: "kiem-tra",
}
STEP_OF_SLUG = {slug: step for step, slug in SLUGS.items()}


def applicant_required(
    view: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    """Signed in with a citizen or business account; staff get a clear refusal."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if getattr(user, "kind", None) not in (AccountKind.CITIZEN, AccountKind.BUSINESS):
            return render(
                request,
                "submissions/refused.html",
                {
                    "message": _(
                        "Online submission is for citizens and businesses. Staff accounts "
                        "cannot submit dossiers here: sign in with a citizen or business account."
                    )
                },
                status=403,
            )
        step = second_factor_step(user)
        if step:
            return HttpResponseRedirect(f"{step}?{urlencode({'next': request.get_full_path()})}")
        return view(request, *args, **kwargs)

    return wrapper


def step_url(draft: Draft, step: str) -> str:
    return reverse("submissions:step", args=[draft.pk, SLUGS[Step(step)]])


def _nav(draft: Draft, current: str) -> list[dict[str, Any]]:
    return [
        {
            "label": Step(step).label,
            "url": step_url(draft, step),
            "current": step == current,
            "number": index,
        }
        for index, step in enumerate(selectors.steps_of(draft), start=1)
    ]


def _next(draft: Draft, step: str) -> str:
    steps = selectors.steps_of(draft)
    index = steps.index(step)
    return steps[min(index + 1, len(steps) - 1)]


def _previous(draft: Draft, step: str) -> str | None:
    steps = selectors.steps_of(draft)
    index = steps.index(step)
    return steps[index - 1] if index > 0 else None


def _own_draft(request: HttpRequest, pk: int) -> Draft:
    try:
        return selectors.draft_for(request.user, pk)
    except Draft.DoesNotExist:
        raise Http404 from None


# --- start ---------------------------------------------------------------------------------


@applicant_required
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, national_code: str) -> HttpResponse:
    procedure = get_procedure(national_code)
    version = published_version(procedure) if procedure is not None else None
    if version is None:
        raise Http404(_("No procedure in force with this code."))
    context: dict[str, Any] = {"version": version, "procedure": procedure}
    if version.online_level < OnlineLevel.PARTLY_ONLINE:
        return render(request, "submissions/not_online.html", context)
    agencies = selectors.agencies_for(version)
    form = _agency_form(request, agencies, agency=None, draft_version=1)
    if form.is_bound and form.is_valid():
        try:
            draft = services.start_draft(request.user, version, agency=form.cleaned_data["agency"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect(step_url(draft, Step.APPLICANT))
    context.update(
        form=form,
        agencies=form.grouped.count(),
        areas_data=form.grouped.as_data(),
        drafts=[
            {"draft": d, "url": step_url(d, d.current_step)}
            for d in selectors.drafts_of(request.user)
            if d.procedure_version_id == version.pk
        ],
    )
    return render(request, "submissions/start.html", context)


# --- the steps -----------------------------------------------------------------------------


def _rebind_with_version(request: HttpRequest, draft: Draft) -> QueryDict:
    data = request.POST.copy()
    data["draft_version"] = str(draft.version)
    return data


@applicant_required
@require_http_methods(["GET", "POST"])
def step(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    draft = _own_draft(request, pk)
    if draft.status == DraftStatus.SUBMITTED:
        return redirect("submissions:done", pk=draft.pk)
    current = STEP_OF_SLUG.get(slug)
    if current is None or current not in selectors.steps_of(draft):
        raise Http404
    if current == Step.REVIEW:
        return _review(request, draft)
    handler = {
        Step.AGENCY: _agency_step,
        Step.APPLICANT: _applicant_step,
        Step.DECLARATION: _declaration_step,
        Step.PAPERS: _papers_step,
    }[current]
    return handler(request, draft, current)


def _after_save(request: HttpRequest, draft: Draft, current: str) -> HttpResponse:
    if "later" in request.POST:
        messages.success(request, _("Your draft is saved. You can come back to it at any time."))
        return redirect("submissions:drafts")
    return redirect(step_url(draft, _next(draft, current)))


def _render_step(
    request: HttpRequest, draft: Draft, current: str, template: str, **context: Any
) -> HttpResponse:
    previous = _previous(draft, current)
    context.update(
        draft=draft,
        version=draft.procedure_version,
        steps=_nav(draft, current),
        step=current,
        step_label=Step(current).label,
        back_url=step_url(draft, previous) if previous else None,
    )
    return render(request, template, context, status=context.pop("status", 200))


def _save(
    request: HttpRequest, draft: Draft, form: Any, current: str, **changes: Any
) -> HttpResponse | None:
    """Save a step; None (and the form carrying the error) when refused."""
    try:
        services.save_draft(
            request.user,
            draft,
            expected_version=form.cleaned_data["draft_version"],
            step=_next(draft, current),
            **changes,
        )
    except StaleDraft as exc:
        fresh = _own_draft(request, draft.pk)
        form.data = _rebind_with_version(request, fresh)
        form.add_error(None, exc.message)
        return None
    except DraftClosed:
        return redirect("submissions:done", pk=draft.pk)
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return None
    return _after_save(request, draft, current)


def _agency_form(
    request: HttpRequest, agencies: Any, *, agency: int | None, draft_version: int
) -> AgencyForm:
    """The agency form, bound to a POST that saves (not to the "Choose" button,
    which only shows the agencies of the district picked without JavaScript);
    pre-selected from the draft, the latest dossier or the citizen's address."""
    grouped = group_agencies(agencies)
    initial: dict[str, Any] = {"draft_version": draft_version, "agency": agency}
    if request.method == "POST" and "choose_area" not in request.POST:
        return AgencyForm(request.POST, agencies=agencies, grouped=grouped, initial=initial)
    if request.method == "POST":
        area = request.POST.get("area", "")
        initial["draft_version"] = request.POST.get("draft_version", draft_version)
    elif (known := grouped.area_of(agency)) is not None:
        area = known.key
    else:
        address = selectors.prefill_applicant(request.user).get("address", "")
        area, initial["agency"] = likely_agency(request.user, grouped, address)
    return AgencyForm(agencies=agencies, grouped=grouped, area=area, initial=initial)


def _agency_step(request: HttpRequest, draft: Draft, current: str) -> HttpResponse:
    agencies = selectors.agencies_for(draft.procedure_version)
    form = _agency_form(request, agencies, agency=draft.agency_id, draft_version=draft.version)
    if form.is_bound and form.is_valid():
        done = _save(request, draft, form, current, agency=form.cleaned_data["agency"])
        if done is not None:
            return done
    return _render_step(
        request,
        draft,
        current,
        "submissions/step_agency.html",
        form=form,
        areas_data=form.grouped.as_data(),
    )


def _applicant_step(request: HttpRequest, draft: Draft, current: str) -> HttpResponse:
    verified = selectors.verified_fields(request.user)
    initial = {"draft_version": draft.version, **(draft.applicant or {})}
    if request.method == "POST":
        form = ApplicantForm(request.POST, initial=initial, verified=verified)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "draft_version"}
            done = _save(request, draft, form, current, applicant=data)
            if done is not None:
                return done
    else:
        form = ApplicantForm(initial=initial, verified=verified)
    return _render_step(request, draft, current, "submissions/step_applicant.html", form=form)


def _declaration_form(draft: Draft, data: Any = None, initial: Any = None) -> Any:
    schema, layout = selectors.schema_of(draft)
    cls = form_schema.form_class(schema, layout)
    combined = type("DeclarationStepForm", (cls, DraftVersionMixin), {})
    if initial is None:
        initial = form_schema.initial_from(draft.answers, schema)
    return combined(data, initial={**initial, "draft_version": draft.version})


def _with_applicant_details(request: HttpRequest, draft: Draft, section_key: str) -> Any:
    """The declaration as typed so far (not saved, not checked), with the fields of
    ``section_key`` filled from the applicant step: the "use the applicant's
    details" button, which works without JavaScript."""
    posted = _declaration_form(draft)
    typed = {
        name: field.widget.value_from_datadict(request.POST, request.FILES, posted.add_prefix(name))
        for name, field in posted.fields.items()
        if name != "draft_version"
    }
    applicant = draft.applicant or {}
    for section, _fields in posted.sections():
        if section.key == section_key:
            for name, source in section.copy_from_applicant:
                if applicant.get(source):
                    typed[name] = applicant[source]
    return _declaration_form(draft, initial=typed)


def _declaration_step(request: HttpRequest, draft: Draft, current: str) -> HttpResponse:
    if request.method == "POST" and request.POST.get("copy_applicant"):
        form = _with_applicant_details(request, draft, request.POST["copy_applicant"])
        return _render_step(
            request,
            draft,
            current,
            "submissions/step_declaration.html",
            form=form,
            applicant_known=True,
            applicant_copies=_applicant_copies(draft, form),
        )
    form = _declaration_form(draft, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        done = _save(request, draft, form, current, answers=form.answers())
        if done is not None:
            return done
    return _render_step(
        request,
        draft,
        current,
        "submissions/step_declaration.html",
        form=form,
        applicant_known=bool((draft.applicant or {}).get("name")),
        applicant_copies=_applicant_copies(draft, form),
    )


def _applicant_copies(draft: Draft, form: Any) -> dict[str, dict[str, str]]:
    """{section key: {field: value}} the "use the applicant's details" buttons put
    in place, for the page's script (the button alone asks the server)."""
    applicant = draft.applicant or {}
    return {
        section.key: {
            name: str(applicant[source])
            for name, source in section.copy_from_applicant
            if applicant.get(source)
        }
        for section, _fields in form.sections()
        if section.copy_from_applicant
    }


def _papers_step(request: HttpRequest, draft: Draft, current: str) -> HttpResponse:
    papers = selectors.papers_to_upload(draft)
    declared = [
        p for p in selectors.papers_of(draft.procedure_version) if selectors.filled_online(draft, p)
    ]
    wallet = list(selectors.wallet_of(request.user))
    kwargs: dict[str, Any] = {"papers": papers, "wallet": wallet}
    if request.method == "POST":
        form = PapersForm(
            request.POST,
            request.FILES,
            attached=selectors.files_by_paper(draft),
            initial={"draft_version": draft.version},
            **kwargs,
        )
        if form.is_valid():
            try:
                saved, errors = services.save_papers(
                    request.user,
                    draft,
                    expected_version=form.cleaned_data["draft_version"],
                    uploads=form.uploads(),
                    wallet_picks=form.wallet_picks(),
                )
            except StaleDraft as exc:
                form.data = _rebind_with_version(request, _own_draft(request, draft.pk))
                form.add_error(None, exc.message)
            except DraftClosed:
                return redirect("submissions:done", pk=draft.pk)
            else:
                attached = selectors.files_by_paper(saved)
                missing = [p for p in papers if not p.is_optional and p.pk not in attached]
                if not errors and "later" in request.POST:
                    return _after_save(request, saved, current)
                if not errors and not missing:
                    services.save_draft(
                        request.user, saved, expected_version=saved.version, step=Step.REVIEW
                    )
                    return _after_save(request, saved, current)
                data = request.POST.copy()
                data["draft_version"] = str(saved.version)
                form = PapersForm(data, attached=attached, initial={}, **kwargs)
                form.is_valid()
                for paper_id, message in errors.items():
                    form.add_error(f"paper_{paper_id}", message)
                for paper in missing:
                    if paper.pk not in errors:
                        form.add_error(
                            f"paper_{paper.pk}",
                            _("Upload this paper, or take it from your wallet."),
                        )
                draft = saved
    else:
        form = PapersForm(
            attached=selectors.files_by_paper(draft),
            initial={"draft_version": draft.version},
            **kwargs,
        )
    return _render_step(
        request, draft, current, "submissions/step_papers.html", form=form, declared=declared
    )


def _summary(draft: Draft) -> dict[str, Any]:
    schema, layout = selectors.schema_of(draft)
    answers = answer_sections(schema, layout, draft.answers or {})
    files = selectors.files_by_paper(draft)
    papers = [
        {
            "paper": paper,
            "file": files.get(paper.pk),
            "filled_online": selectors.filled_online(draft, paper),
        }
        for paper in selectors.papers_of(draft.procedure_version)
    ]
    fee = services.fee_of(draft)
    applicant_labels = [
        ("name", _("Full name")),
        ("id_number", _("Citizen ID number (CCCD) or tax code")),
        ("date_of_birth", _("Date of birth")),
        ("address", _("Place of residence")),
        ("phone", _("Phone")),
        ("email", _("Email")),
    ]
    return {
        "answers": answers,
        "papers": papers,
        "applicant_rows": [
            {"label": label, "value": ddmmyyyy((draft.applicant or {}).get(key, ""))}
            for key, label in applicant_labels
        ],
        "fee": fee,
        "fee_text": format_amount(fee) if fee else "",
        "problems": selectors.problems(draft),
        "urls": {step: step_url(draft, step) for step in selectors.steps_of(draft)},
    }


def _review(request: HttpRequest, draft: Draft) -> HttpResponse:
    error = ""
    if request.method == "POST":
        try:
            expected = int(request.POST.get("draft_version", ""))
        except ValueError:
            expected = draft.version
        try:
            services.submit_draft(request.user, draft, expected_version=expected)
        except StaleDraft as exc:
            error = exc.message
        except IncompleteDossier as exc:
            error = exc.message
        except (TransitionNotAllowed, PermissionDenied) as exc:
            error = str(exc)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            return redirect("submissions:done", pk=draft.pk)
        draft = _own_draft(request, draft.pk)
    return _render_step(
        request,
        draft,
        Step.REVIEW,
        "submissions/step_review.html",
        error=error,
        status=409 if error else 200,
        **_summary(draft),
    )


@applicant_required
def done(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _own_draft(request, pk)
    if draft.status != DraftStatus.SUBMITTED:
        return redirect(step_url(draft, draft.current_step))
    return render(
        request,
        "submissions/done.html",
        {"draft": draft, "facts": confirmation_for(draft)},
    )


@applicant_required
def receipt(request: HttpRequest, pk: int) -> HttpResponse:
    """The PDF receipt of a submitted draft, for its owner only."""
    draft = _own_draft(request, pk)
    if draft.status != DraftStatus.SUBMITTED:
        raise Http404
    facts = confirmation_for(draft)
    response = HttpResponse(receipt_pdf(facts), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="xac-nhan-nop-{facts.code}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- drafts --------------------------------------------------------------------------------


@applicant_required
def drafts(request: HttpRequest) -> HttpResponse:
    rows = [
        {"draft": draft, "url": step_url(draft, draft.current_step)}
        for draft in selectors.drafts_of(request.user)
    ]
    return render(request, "submissions/drafts.html", {"rows": rows})


@applicant_required
@require_POST
def delete_draft(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _own_draft(request, pk)
    try:
        services.delete_draft(request.user, draft)
    except DraftClosed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The draft was deleted."))
    return redirect("submissions:drafts")


# --- wallet --------------------------------------------------------------------------------


@applicant_required
@require_http_methods(["GET", "POST"])
def wallet(request: HttpRequest) -> HttpResponse:
    form = WalletUploadForm()
    if request.method == "POST":
        form = WalletUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                document, created = services.upload_to_wallet(
                    request.user, form.cleaned_data["file"]
                )
            except ValidationError as exc:
                form.add_error("file", exc.messages[0])
            else:
                if created:
                    messages.success(request, _("The paper was added to your wallet."))
                else:
                    messages.info(
                        request,
                        _("This paper is already in your wallet as “%(name)s”.")
                        % {"name": document.name},
                    )
                return redirect("submissions:wallet")
    documents = selectors.wallet_of(request.user)
    return render(
        request,
        "submissions/wallet.html",
        {"documents": documents, "form": form},
        status=422 if form.errors else 200,
    )


def _own_document(request: HttpRequest, pk: int) -> WalletDocument:
    return get_object_or_404(WalletDocument, pk=pk, owner=request.user)


@applicant_required
def wallet_download(request: HttpRequest, pk: int) -> FileResponse:
    document = _own_document(request, pk)
    return attachment(document.file, document.name, document.content_type)


@applicant_required
@require_POST
def wallet_delete(request: HttpRequest, pk: int) -> HttpResponse:
    document = _own_document(request, pk)
    services.delete_wallet_document(request.user, document)
    messages.success(request, _("The paper was removed from your wallet."))
    return redirect("submissions:wallet")


# --- the operators' form editor ------------------------------------------------------------


def _require_editor(request: HttpRequest) -> None:
    if not has_perm_in_unit(request.user, Perm.OPERATE_PLATFORM, None):
        raise PermissionDenied(_("Only the catalogue's operators may edit declaration forms."))


@staff_required
def schema_list(request: HttpRequest) -> HttpResponse:
    _require_editor(request)
    versions = current_versions().filter(online_level__gte=OnlineLevel.PARTLY_ONLINE)
    schemas = {
        row.procedure_id: row
        for row in form_schema_rows([version.procedure_id for version in versions])
    }
    rows = [
        {"version": version, "schema": schemas.get(version.procedure_id)} for version in versions
    ]
    return render(request, "submissions/schema_list.html", {"rows": rows})


def form_schema_rows(procedure_ids: list[int]) -> list[Any]:
    from egov.submissions.models import FormSchema

    return list(FormSchema.objects.filter(procedure_id__in=procedure_ids, is_current=True))


@staff_required
@require_http_methods(["GET", "POST"])
def schema_edit(request: HttpRequest, national_code: str) -> HttpResponse:
    _require_editor(request)
    procedure = get_object_or_404(Procedure, national_code=national_code)
    version = published_version(procedure)
    current = selectors.current_schema(procedure)
    initial = {
        "schema": json.dumps(
            current.schema if current else form_schema.GENERIC_SCHEMA, ensure_ascii=False, indent=2
        ),
        "layout": json.dumps(current.layout if current else {}, ensure_ascii=False, indent=2),
    }
    preview_schema: Any = current.schema if current else form_schema.GENERIC_SCHEMA
    preview_layout: Any = current.layout if current else {}
    if request.method == "POST":
        form = SchemaEditForm(request.POST, initial=initial)
        if form.is_valid():
            preview_schema = form.cleaned_data["schema"]
            preview_layout = form.cleaned_data["layout"]
            if "save" in request.POST:
                row, created = services.save_form_schema(
                    request.user,  # type: ignore[arg-type]
                    procedure,
                    schema=preview_schema,
                    layout=preview_layout,
                )
                if created:
                    messages.success(
                        request, _("Saved as version %(n)s of the form.") % {"n": row.number}
                    )
                else:
                    messages.info(request, _("Nothing changed."))
                return redirect("submissions:schema-edit", national_code=national_code)
    else:
        form = SchemaEditForm(initial=initial)
    preview = form_schema.form_class(preview_schema, preview_layout)(prefix="preview")
    return render(
        request,
        "submissions/schema_edit.html",
        {
            "procedure": procedure,
            "version": version,
            "current": current,
            "form": form,
            "preview": preview,
            "status": 422 if form.errors else 200,
        },
        status=422 if form.errors else 200,
    )
