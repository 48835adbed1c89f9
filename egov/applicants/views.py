"""Pages of the applicant's own space (mounted at ``/ca-nhan/``).

Citizens and businesses only: staff accounts are refused (they have the staff
workspace). Every dossier page looks the dossier up *with its owner* in the query,
so someone else's code answers 404 exactly like a code that does not exist.
Views are thin: reads in :mod:`egov.applicants.selectors`, changes through
:mod:`egov.applicants.services` and :mod:`egov.dossiers.services`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from egov.accounts.decorators import verified_login_required
from egov.accounts.models import AccountKind
from egov.applicants import postal, selectors, services
from egov.applicants.forms import DeliveryForm, StatusFilterForm, SupplementForm, WithdrawForm
from egov.applicants.models import BOOKED_STATES, DeliveryMethod
from egov.dossiers import services as dossier_services
from egov.dossiers.downloads import attachment
from egov.dossiers.errors import IncompleteDossier, StaleDossier, TransitionNotAllowed
from egov.dossiers.form_defaults import DOSSIER_FORM_CODES
from egov.dossiers.models import Dossier, Status
from egov.dossiers.paperforms.context import FormRenderError
from egov.dossiers.workflow import Action

PDF = "application/pdf"


def stale_message() -> str:
    return _(
        "The dossier has just changed (the agency acted on it meanwhile). Check its "
        "current state and act again if still needed."
    )


def applicant_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Signed in (second factor if the account has one) with a citizen or business
    account; staff accounts are refused."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if getattr(request.user, "kind", None) == AccountKind.STAFF:
            raise PermissionDenied(
                _("This space is for citizens and businesses; staff use the staff workspace.")
            )
        return view(request, *args, **kwargs)

    return verified_login_required(wrapper)


def _page_size() -> int:
    from django.conf import settings

    return int(getattr(settings, "APPLICANTS_PAGE_SIZE", 20))


@applicant_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return redirect("applicants:dossiers")


@applicant_required
@require_GET
def dossier_list(request: HttpRequest) -> HttpResponse:
    form = StatusFilterForm(request.GET or None)
    status, needs_action = form.chosen() if form.is_valid() else (None, False)
    qs = selectors.my_dossiers(request.user, status=status, needs_action=needs_action)
    page = Paginator(qs, _page_size()).get_page(request.GET.get("page"))
    counts = selectors.status_counts(request.user)
    waiting = sum(counts.get(s, 0) for s in selectors.ACTION_STATUSES)
    return render(
        request,
        "applicants/dossier_list.html",
        {
            "form": form,
            "page": page,
            "status": status,
            "waiting": waiting,
            "action_statuses": [int(s) for s in selectors.ACTION_STATUSES],
        },
    )


def _detail_context(request: HttpRequest, dossier: Dossier) -> dict[str, Any]:
    user = request.user
    choice, parcel = selectors.delivery_of(dossier)
    return {
        "dossier": dossier,
        "status_label": Status(dossier.status).label,
        "needs_action": dossier.status in selectors.ACTION_STATUSES,
        "timeline": selectors.timeline(dossier),
        "papers": selectors.own_papers(dossier),
        "results": selectors.result_papers(dossier),
        "forms": selectors.forms_for(dossier),
        "apologies": list(dossier.apologies.all()),
        "supplement": selectors.supplement_request(dossier)
        if dossier.status == Status.SUPPLEMENT_REQUESTED
        else None,
        "may_supplement": dossier_services.may_act(user, dossier, Action.RECEIVE_SUPPLEMENT),
        "may_withdraw": dossier_services.may_act(user, dossier, Action.WITHDRAW),
        "pay_url": f"/thanh-toan/ho-so/{dossier.code}/"
        if dossier.status == Status.AWAITING_PAYMENT
        else "",
        "rate_url": f"/danh-gia/ho-so/{dossier.code}/" if dossier.status == Status.RETURNED else "",
        "may_choose_delivery": services.may_choose_delivery(dossier)
        and not (parcel is not None and parcel.state in BOOKED_STATES),
        "choice": choice,
        "parcel": parcel,
        "postal_fee": services.postal_fee(),
    }


@applicant_required
@require_GET
def dossier_detail(request: HttpRequest, code: str) -> HttpResponse:
    dossier = selectors.my_dossier(request.user, code)
    return render(request, "applicants/dossier_detail.html", _detail_context(request, dossier))


@applicant_required
@require_GET
def paper_file(request: HttpRequest, code: str, paper_id: str) -> HttpResponseBase:
    dossier = selectors.my_dossier(request.user, code)
    paper = selectors.downloadable_paper(dossier, int(paper_id))
    return attachment(paper.file)


@applicant_required
@require_GET
def form_pdf(request: HttpRequest, code: str, form_code: str) -> HttpResponse:
    from egov.dossiers.services import issued_form

    dossier = selectors.my_dossier(request.user, code)
    allowed = {c for c, _title in selectors.forms_for(dossier)}
    if form_code not in allowed or form_code not in DOSSIER_FORM_CODES:
        raise Http404
    try:
        # Forms 01–04 are issued signed by the agency (the same file the staff get).
        content, _signed = issued_form(form_code, dossier, actor=request.user)
    except FormRenderError:
        return render(
            request,
            "applicants/message.html",
            {
                "title": _("The form cannot be produced"),
                "message": _("The form cannot be produced at the moment; ask the one-stop desk."),
                "dossier": dossier,
            },
            status=500,
        )
    response = HttpResponse(content, content_type=PDF)
    response["Content-Disposition"] = f'inline; filename="mau-{form_code}-{dossier.code}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


def _detail_url(dossier: Dossier) -> str:
    return reverse("applicants:dossier", kwargs={"code": dossier.code})


def _service_errors(form: Any, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for name, field_errors in error.message_dict.items():
        target = name if name in form.fields else None
        if name.startswith("papers"):
            target = None
        form.add_error(target, field_errors)


@applicant_required
@require_http_methods(["GET", "POST"])
def supplement(request: HttpRequest, code: str) -> HttpResponse:
    dossier = selectors.my_dossier(request.user, code)
    if not dossier_services.may_act(request.user, dossier, Action.RECEIVE_SUPPLEMENT):
        messages.info(request, _("No papers are requested from you for this dossier now."))
        return redirect(_detail_url(dossier))
    asked = selectors.supplement_request(dossier)
    status = 200
    if request.method == "POST":
        form = SupplementForm(request.POST, request.FILES, requested=asked.papers)
        if form.is_valid():
            data = form.cleaned_data
            uploads = [
                services.SupplementUpload(
                    name=paper.name,
                    file=data[paper.key],
                    field=paper.key,
                    required_paper=paper.required_paper,
                    copies=paper.copies,
                    form=paper.form,
                )
                for paper in asked.papers
                if data.get(paper.key)
            ]
            if data.get("other_file"):
                uploads.append(
                    services.SupplementUpload(
                        name=data["other_name"].strip(),
                        file=data["other_file"],
                        field="other_file",
                    )
                )
            try:
                services.answer_supplement(
                    request.user,
                    dossier,
                    expected_version=data["version"],
                    uploads=uploads,
                    note=data.get("note", ""),
                )
            except StaleDossier:
                fresh = selectors.my_dossier(request.user, code)
                if fresh.status != Status.SUPPLEMENT_REQUESTED:
                    messages.warning(request, stale_message())
                    return redirect(_detail_url(fresh))
                dossier = fresh
                asked = selectors.supplement_request(dossier)
                # Keep what was typed, with the current version to send again.
                values = request.POST.copy()
                values["version"] = str(dossier.version)
                form = SupplementForm(values, requested=asked.papers)
                form.is_valid()
                form.add_error(None, stale_message())
                status = 409
            except (TransitionNotAllowed, IncompleteDossier) as error:
                form.add_error(None, error.message)
                status = 409 if isinstance(error, TransitionNotAllowed) else 422
            except ValidationError as error:
                _service_errors(form, error)
                status = 400
            else:
                messages.success(
                    request,
                    _("Your papers were sent. The agency continues processing your dossier."),
                )
                return redirect(_detail_url(dossier))
        else:
            status = 400
    else:
        form = SupplementForm(initial={"version": dossier.version}, requested=asked.papers)
    return render(
        request,
        "applicants/supplement.html",
        {"dossier": dossier, "form": form, "asked": asked},
        status=status,
    )


@applicant_required
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, code: str) -> HttpResponse:
    """Two steps: the reason, then a confirmation page; only the second one acts."""
    dossier = selectors.my_dossier(request.user, code)
    if not dossier_services.may_act(request.user, dossier, Action.WITHDRAW):
        messages.info(request, _("This dossier can no longer be withdrawn."))
        return redirect(_detail_url(dossier))
    status = 200
    confirm = False
    if request.method == "POST":
        form = WithdrawForm(request.POST)
        if form.is_valid():
            if request.POST.get("step") != "confirm":
                confirm = True
            else:
                try:
                    dossier_services.withdraw(
                        request.user,
                        dossier,
                        expected_version=form.cleaned_data["version"],
                        reason=form.cleaned_data["reason"],
                    )
                except StaleDossier:
                    messages.warning(request, stale_message())
                    return redirect(_detail_url(dossier))
                except TransitionNotAllowed as error:
                    messages.error(request, error.message)
                    return redirect(_detail_url(dossier))
                except ValidationError as error:
                    _service_errors(form, error)
                    status = 400
                else:
                    messages.success(request, _("Your dossier was withdrawn."))
                    return redirect(_detail_url(dossier))
        else:
            status = 400
    else:
        form = WithdrawForm(initial={"version": dossier.version})
    return render(
        request,
        "applicants/withdraw.html",
        {"dossier": dossier, "form": form, "confirm": confirm},
        status=status,
    )


@applicant_required
@require_http_methods(["GET", "POST"])
def delivery(request: HttpRequest, code: str) -> HttpResponse:
    dossier = selectors.my_dossier(request.user, code)
    choice, parcel = selectors.delivery_of(dossier)
    locked = parcel is not None and parcel.state in BOOKED_STATES
    if not services.may_choose_delivery(dossier) or locked:
        messages.info(request, _("How to receive the result can no longer be changed."))
        return redirect(_detail_url(dossier))
    status = 200
    if request.method == "POST":
        form = DeliveryForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.choose_delivery(
                    request.user,
                    dossier,
                    method=data["method"],
                    recipient_name=data.get("recipient_name", ""),
                    address=data.get("address", ""),
                    phone=data.get("phone", ""),
                )
            except ValidationError as error:
                _service_errors(form, error)
                status = 400
            else:
                messages.success(request, _("Your choice was saved."))
                return redirect(_detail_url(dossier))
        else:
            status = 400
    else:
        initial: dict[str, Any] = {
            "method": choice.method if choice else DeliveryMethod.DESK,
            "recipient_name": (choice.recipient_name if choice else "") or dossier.applicant_name,
            "address": (choice.address if choice else "") or dossier.applicant_address,
            "phone": (choice.phone if choice else "") or dossier.applicant_phone,
        }
        form = DeliveryForm(initial=initial)
    return render(
        request,
        "applicants/delivery.html",
        {
            "dossier": dossier,
            "form": form,
            "postal_fee": services.postal_fee(),
            "post_offered": postal.post_offered(),
        },
        status=status,
    )
