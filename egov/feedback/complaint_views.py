"""Pages of the complaint channel: sending, following, the published answers with
likes and dislikes, and the agency's worklist and complaint page."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from egov.accounts.decorators import staff_required
from egov.core.middleware import client_ip
from egov.feedback import complaint_selectors, complaints, selectors
from egov.feedback.antispam import ComplaintThrottle, VoteThrottle
from egov.feedback.complaint_forms import (
    AskMoreForm,
    ClassifyForm,
    ComplaintAnswerForm,
    ComplaintForm,
    PublishedFilterForm,
    RefuseForm,
    ReplyForm,
    TrackForm,
)
from egov.feedback.complaint_models import Complaint, ComplaintStatus
from egov.feedback.complaint_rules import MOVES
from egov.feedback.errors import FeedbackError, InvalidFeedback
from egov.procedures.models import Procedure

PAGE_SIZE = 10
WORKLIST_PAGE_SIZE = 25
VOTER_COOKIE = "pakn_voter"


def _agencies() -> Any:
    return selectors.rating_agencies().order_by("path")


# --- sending --------------------------------------------------------------------------------


@never_cache  # the answer shows the follow-up key
@require_http_methods(["GET", "POST"])
def send(request: HttpRequest) -> HttpResponse:
    signed_in = request.user.is_authenticated
    form = ComplaintForm(
        request.POST if request.method == "POST" else None,
        agencies=_agencies(),
        signed_in=signed_in,
        initial={"nonce": secrets.token_urlsafe(16)},
    )
    throttle = ComplaintThrottle(client_ip(request), signed_in=signed_in)
    status = 200
    if request.method == "POST":
        retry = throttle.retry_after()
        if retry is not None:
            status = 429
            form.is_valid()
            form.add_error(
                None,
                _("Too many messages came from your network. Try again in %(minutes)s minutes.")
                % {"minutes": max(1, -(-retry // 60))},
            )
        elif form.is_valid():
            throttle.count()
            if form.is_spam():
                return render(request, "feedback/complaint_sent.html", {"spam": True})
            data = form.cleaned_data
            code = (data["procedure_code"] or "").strip()
            procedure = Procedure.objects.filter(national_code=code).first() if code else None
            try:
                if code and procedure is None:
                    raise InvalidFeedback(
                        _("No procedure has this code; check it on the procedure's page."),
                        "procedure_code",
                    )
                sent = complaints.send_complaint(
                    request.user if signed_in else None,
                    complaints.ComplaintIn(
                        about=data["about"],
                        title=data["title"],
                        body=data["body"],
                        name=data["name"],
                        email=data["email"],
                        phone=data["phone"],
                        address=data["address"],
                        sender_kind=data["sender_kind"],
                        procedure=procedure,
                        agency=data["agency"],
                        dossier_code=data["dossier_code"],
                        dossier_id_number=data["dossier_id_number"],
                        official_name=data["official_name"],
                        may_publish=data["publish_ok"],
                        idempotency_key=data["nonce"],
                    ),
                )
            except FeedbackError as exc:
                field = {"procedure": "procedure_code"}.get(exc.field or "", exc.field)
                form.add_error(field if field in form.fields else None, exc.message)
            else:
                return render(
                    request,
                    "feedback/complaint_sent.html",
                    {"complaint": sent.complaint, "token": sent.token, "created": sent.created},
                )
    response = render(
        request,
        "feedback/complaint_send.html",
        {"form": form, "signed_in": signed_in},
        status=status,
    )
    if status == 429:
        response["Retry-After"] = str(throttle.seconds_left)
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def track(request: HttpRequest, code: str) -> HttpResponse:
    """The sender's page: with their account, or the follow-up key (never in the URL)."""
    complaint = complaint_selectors.by_code(code)
    user = request.user
    is_sender = bool(
        complaint is not None
        and user.is_authenticated
        and complaint.sender_id is not None
        and complaint.sender_id == user.pk
    )
    key = (request.POST.get("key") or "").strip()
    allowed = is_sender or (complaint is not None and complaints.token_matches(complaint, key))
    track_form = TrackForm(request.POST if request.method == "POST" and not allowed else None)
    reply_form: ReplyForm | None = None
    if request.method == "POST" and not allowed and track_form.is_valid():
        # The same words whether the code or the key is wrong.
        track_form.add_error("key", _("This code and follow-up key do not match."))
    if allowed and complaint is not None and complaint.status == ComplaintStatus.MORE_INFO:
        posted = request.method == "POST" and "reply" in request.POST
        reply_form = ReplyForm(request.POST if posted else None, initial={"key": key})
        if posted and reply_form.is_valid():
            try:
                complaints.reply_more(user, complaint, reply_form.cleaned_data["reply"], token=key)
            except FeedbackError as exc:
                reply_form.add_error(None, exc.message)
            else:
                messages.success(request, _("Thank you: your information was sent to the agency."))
                complaint.refresh_from_db()
                reply_form = None
    return render(
        request,
        "feedback/complaint_track.html",
        {
            "code": code,
            "complaint": complaint if allowed else None,
            "track_form": track_form,
            "reply_form": reply_form,
            "key": key,
        },
    )


# --- published answers ----------------------------------------------------------------------


def _voter_key(request: HttpRequest) -> tuple[str, str | None]:
    """``u:<id>`` for a signed-in person, else ``b:<hash of the browser's cookie>``;
    the second value is a new cookie to set."""
    if request.user.is_authenticated:
        return f"u:{request.user.pk}", None
    cookie = request.COOKIES.get(VOTER_COOKIE, "")
    new = None
    if len(cookie) < 20 or len(cookie) > 64:
        cookie = new = secrets.token_urlsafe(24)
    return "b:" + hashlib.sha256(cookie.encode()).hexdigest()[:64], new


def published(request: HttpRequest) -> HttpResponse:
    form = PublishedFilterForm(request.GET or None, agencies=_agencies())
    query, agency = "", None
    if form.is_bound and form.is_valid():
        query, agency = form.cleaned_data["q"], form.cleaned_data["agency"]
    qs = complaint_selectors.published(query=query, agency=agency)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "feedback/complaint_published.html",
        {"form": form, "page": page, "filtered": bool(query or agency)},
    )


@require_POST
def vote(request: HttpRequest, code: str) -> HttpResponse:
    complaint = complaint_selectors.by_code(code)
    if complaint is None or complaint.status != ComplaintStatus.PUBLISHED:
        raise Http404
    throttle = VoteThrottle(client_ip(request))
    voter, new_cookie = _voter_key(request)
    if throttle.retry_after() is not None:
        messages.error(request, _("Too many votes came from your network. Try again later."))
    else:
        throttle.count()
        value = {"like": 1, "dislike": -1}.get(request.POST.get("value", ""), 0)
        try:
            complaints.vote(complaint, voter, value)
        except FeedbackError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Thank you: your vote was recorded."))
    response = redirect(reverse("pakn:published") + f"#pakn-{complaint.code}")
    if new_cookie:
        response.set_cookie(
            VOTER_COOKIE,
            new_cookie,
            max_age=3 * 365 * 24 * 3600,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response


# --- staff ----------------------------------------------------------------------------------


@staff_required
def worklist(request: HttpRequest) -> HttpResponse:
    if not selectors.answerable_agencies(request.user).exists():
        raise PermissionDenied(_("You hold no role that handles feedback."))
    tab = request.GET.get("tab", "todo")
    if tab not in complaint_selectors.TABS:
        tab = "todo"
    qs = complaint_selectors.worklist(request.user, tab=tab)
    page = Paginator(qs, WORKLIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "feedback/complaint_worklist.html",
        {
            "page": page,
            "tab": tab,
            "counts": complaint_selectors.worklist_counts(request.user),
        },
    )


STAFF_FORMS: dict[str, Any] = {
    "classify": ClassifyForm,
    "refuse": RefuseForm,
    "ask_more": AskMoreForm,
    "answer": ComplaintAnswerForm,
    "publish": None,
}


def _perform(request: HttpRequest, complaint: Complaint, action: str, form: Any) -> None:
    raw = request.POST.get("version", "")
    # A form without a readable version is treated as stale, never as "any version".
    version = int(raw) if raw.isdigit() and len(raw) < 10 else -1
    if action == "classify":
        complaints.classify(request.user, complaint, form.cleaned_data["category"], version=version)
    elif action == "refuse":
        complaints.refuse(request.user, complaint, form.cleaned_data["reason"], version=version)
    elif action == "ask_more":
        complaints.ask_more(request.user, complaint, form.cleaned_data["request"], version=version)
    elif action == "answer":
        complaints.answer(request.user, complaint, form.cleaned_data["answer"], version=version)
    elif action == "publish":
        complaints.publish(request.user, complaint, version=version)


@staff_required
@require_http_methods(["GET", "POST"])
def staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = get_object_or_404(
        Complaint.objects.select_related("agency", "procedure", "dossier", "repeat_of"), pk=pk
    )
    if not complaints.may_handle(request.user, complaint):
        raise Http404
    action = request.POST.get("action", "") if request.method == "POST" else ""
    forms: dict[str, Any] = {}
    for name, form_class in STAFF_FORMS.items():
        if form_class is None or complaint.status not in MOVES[name].sources:
            continue
        initial = {}
        if name == "classify":
            initial = {"category": complaint.category}
        elif name == "answer":
            initial = {"answer": complaint.answer}
        bound = request.POST if action == name else None
        forms[name] = form_class(bound, initial=initial, prefix=name)
    if action in STAFF_FORMS:
        form = forms.get(action)
        if form is not None or action == "publish":
            if form is None or form.is_valid():
                try:
                    _perform(request, complaint, action, form)
                except FeedbackError as exc:
                    if form is not None:
                        form.add_error(None, exc.message)
                    else:
                        messages.error(request, exc.message)
                else:
                    messages.success(request, _("Saved."))
                    return redirect("pakn:staff_detail", pk=complaint.pk)
        else:
            messages.error(request, _("This step is no longer possible for this feedback."))
    now = timezone.now()
    return render(
        request,
        "feedback/complaint_staff.html",
        {
            "c": complaint,
            "forms": forms,
            "may_publish_step": complaint.status in MOVES["publish"].sources,
            "is_overdue": complaint.current_due_at is not None and complaint.current_due_at < now,
        },
    )
