"""Pages of ratings and questions (mounted at ``/danh-gia/``).

Public: ``""`` published ratings, ``hoi-dap/`` the FAQ, ``hoi-dap/hoi/`` asking.
Applicant: ``ho-so/<code>/`` rating a returned dossier. Staff: ``can-bo/ho-so/<code>/``
recording a rating given at the desk, ``can-bo/cau-hoi/`` the questions to answer,
``can-bo/nhan-xet/`` comments to moderate. Views are thin: reads from
:mod:`egov.feedback.selectors`, changes through :mod:`egov.feedback.services`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from egov.accounts.decorators import staff_required, verified_login_required
from egov.core.formatting import format_date
from egov.core.middleware import client_ip
from egov.core.models import Unit
from egov.core.periods import parse_period, period_choices
from egov.dossiers.models import Dossier, Status
from egov.feedback import selectors, services
from egov.feedback.antispam import QuestionThrottle
from egov.feedback.errors import FeedbackError
from egov.feedback.forms import (
    AnswerForm,
    FaqFilterForm,
    QuestionForm,
    RatingForm,
    RatingsFilterForm,
)
from egov.feedback.indicators import BY_CODE, INDICATORS, asked_indicators
from egov.feedback.models import Question, QuestionStatus, Rating, RatingSource
from egov.procedures.models import Procedure, ProcedureField

FAQ_PAGE_SIZE = 10
WORKLIST_PAGE_SIZE = 25


# --- rating a dossier ------------------------------------------------------------------------


def _answers_shown(rating: Rating) -> list[tuple[str, str]]:
    shown: list[tuple[str, str]] = []
    for item in asked_indicators():
        value = rating.answers.get(item.code)
        label = next((str(a.label) for a in item.answers if a.value == value), "–")
        shown.append((f"{item.number}. {item.question}", label))
    return shown


def _measured_shown(rating: Rating) -> list[tuple[str, str]]:
    facts = rating.facts or {}
    taken = facts.get("taken_days")
    limit = facts.get("limit_hours")
    rows = [
        (
            str(BY_CODE["total_time"].name),
            _("%(taken)s working days taken (limit: %(limit)s working hours)")
            % {"taken": taken or "–", "limit": limit or "–"},
        ),
        (
            str(BY_CODE["time_per_agency"].name),
            _("%(late)s of %(steps)s steps finished after their own deadline")
            % {"late": facts.get("late_steps", 0), "steps": facts.get("steps", 0)},
        ),
        (str(BY_CODE["agencies"].name), str(facts.get("agencies", "–"))),
        (
            _("Result returned on time"),
            {True: _("Yes"), False: _("No"), None: "–"}[rating.on_time],
        ),
    ]
    return rows


def _rate(request: HttpRequest, code: str, source: str) -> HttpResponse:
    dossier = get_object_or_404(
        Dossier.objects.select_related("procedure_version", "receiving_agency", "receiving_unit"),
        code=code.strip().upper(),
    )
    if not services.may_rate(request.user, dossier, source):
        # Not 403: whether a dossier code exists is not told to those who may not rate it.
        raise Http404
    rating = selectors.rating_of(dossier)
    editable = dossier.status == Status.RETURNED and (
        rating is None or services.may_change(request.user, rating)
    )
    form: RatingForm | None = None
    if editable:
        initial: dict[str, Any] = {}
        if rating is not None:
            initial = {"level": rating.level, "comment": rating.comment, **rating.answers}
        form = RatingForm(request.POST if request.method == "POST" else None, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = services.RatingIn(
                level=form.cleaned_data["level"],
                answers=form.answers(),
                comment=form.cleaned_data["comment"],
            )
            try:
                services.rate_dossier(request.user, dossier, data, source=source)
            except FeedbackError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(
                    request,
                    _("Thank you: your rating was recorded.")
                    if rating is None
                    else _("Your rating was changed."),
                )
                return redirect(request.path)
    elif request.method == "POST":
        messages.error(request, _("This rating can no longer be changed."))
    return render(
        request,
        "feedback/rate.html",
        {
            "base_template": "staff/base.html"
            if source == RatingSource.DESK
            else "public/base.html",
            "desk": source == RatingSource.DESK,
            "dossier": dossier,
            "returned": dossier.status == Status.RETURNED,
            "rating": rating,
            "form": form,
            "answers_shown": _answers_shown(rating) if rating else [],
            "measured_shown": _measured_shown(rating) if rating else [],
            "change_until": services.change_deadline(rating) if rating else None,
        },
    )


@verified_login_required
@require_http_methods(["GET", "POST"])
def rate(request: HttpRequest, code: str) -> HttpResponse:
    return _rate(request, code, RatingSource.ONLINE)


@staff_required
@require_http_methods(["GET", "POST"])
def desk_rate(request: HttpRequest, code: str) -> HttpResponse:
    return _rate(request, code, RatingSource.DESK)


# --- published ratings -----------------------------------------------------------------------


def ratings(request: HttpRequest) -> HttpResponse:
    periods = period_choices()
    form = RatingsFilterForm(
        request.GET or None, agencies=selectors.rating_agencies(), periods=periods
    )
    unit: Unit | None = None
    period = parse_period("")
    if form.is_bound and form.is_valid():
        unit = form.cleaned_data["agency"]
        period = parse_period(form.cleaned_data["period"]) or period
    assert period is not None
    sort = request.GET.get("sort", "count")
    if sort not in selectors.SORT_KEYS:
        sort = "count"
    descending = request.GET.get("dir", "desc" if sort != "name" else "asc") != "asc"
    table = selectors.ratings_table(unit, period, sort=sort, descending=descending)
    columns = [
        ("name", _("Agency")),
        ("count", _("Ratings")),
        ("very_satisfied", _("Very satisfied")),
        ("satisfied", _("Satisfied or better")),
        ("unsatisfied", _("Not satisfied")),
        ("on_time", _("Returned on time")),
        ("index", _("Indicator index")),
    ]
    headers = []
    for key, label in columns:
        active = key == sort
        next_dir = "asc" if active and descending else "desc"
        if not active and key == "name":
            next_dir = "asc"
        query = request.GET.copy()
        query["sort"], query["dir"] = key, next_dir
        headers.append(
            {
                "key": key,
                "label": label,
                "url": "?" + query.urlencode(),
                "aria_sort": ("descending" if descending else "ascending") if active else None,
            }
        )
    return render(
        request,
        "feedback/ratings.html",
        {
            "form": form,
            "table": table,
            "headers": headers,
            "indicators": INDICATORS,
            "comments": selectors.published_comments(unit, period),
        },
    )


# --- questions and FAQ ------------------------------------------------------------------------


def faq(request: HttpRequest) -> HttpResponse:
    fields = list(ProcedureField.objects.order_by("name").values_list("code", "name"))
    form = FaqFilterForm(
        request.GET or None, fields=fields, agencies=selectors.rating_agencies().order_by("path")
    )
    filters = {"query": "", "procedure": "", "field_code": "", "agency": ""}
    if form.is_bound and form.is_valid():
        agency = form.cleaned_data["agency"]
        filters.update(
            query=form.cleaned_data["q"],
            field_code=form.cleaned_data["field"],
            agency=agency.code if agency else "",
        )
    procedure_code = request.GET.get("thu-tuc", "").strip()[:30]
    procedure = Procedure.objects.filter(national_code=procedure_code).first()
    if procedure is not None:
        filters["procedure"] = procedure.national_code
    page = Paginator(selectors.faq(**filters), FAQ_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "feedback/faq.html",
        {
            "form": form,
            "page": page,
            "procedure": procedure,
            "procedure_name": _procedure_name(procedure),
            "filtered": any(filters.values()),
        },
    )


def _procedure_name(procedure: Procedure | None) -> str:
    if procedure is None:
        return ""
    version = services._version_of(procedure)
    return version.name if version else procedure.national_code


@require_http_methods(["GET", "POST"])
def ask(request: HttpRequest) -> HttpResponse:
    code = (request.GET.get("thu-tuc") or request.POST.get("thu-tuc") or "").strip()[:30]
    procedure = Procedure.objects.filter(national_code=code).first() if code else None
    agencies: Any = services.procedure_agencies(procedure) if procedure else []
    if not agencies:
        agencies = selectors.rating_agencies().order_by("path")
    signed_in = request.user.is_authenticated
    form = QuestionForm(
        request.POST if request.method == "POST" else None,
        agencies=agencies,
        signed_in=signed_in,
        initial={"agency": agencies[0].code}
        if isinstance(agencies, list) and len(agencies) == 1
        else None,
    )
    throttle = QuestionThrottle(client_ip(request), signed_in=signed_in)
    retry = throttle.retry_after()
    status = 200
    if request.method == "POST":
        if retry is not None:
            status = 429
            form.is_valid()
            form.add_error(
                None,
                _("Too many questions came from your network. Try again in %(minutes)s minutes.")
                % {"minutes": max(1, -(-retry // 60))},
            )
        elif form.is_valid():
            throttle.count()
            if form.is_spam():
                # Say nothing a bot could learn from: same answer as a real question.
                messages.success(request, _("Your question was sent."))
                return redirect("feedback:faq")
            data = services.QuestionIn(
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
                phone=form.cleaned_data["phone"],
                procedure=procedure,
                agency=form.cleaned_data["agency"],
                may_publish=form.cleaned_data["publish_ok"],
            )
            try:
                question = services.ask_question(request.user if signed_in else None, data)
            except FeedbackError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(
                    request,
                    _(
                        "Your question was sent to %(agency)s. The answer is due by "
                        "%(date)s; you will find it in the questions and answers once "
                        "published, and by e-mail if you gave an address."
                    )
                    % {
                        "agency": question.agency.name,
                        "date": format_date(question.due_at),
                    },
                )
                return redirect("feedback:faq")
    response = render(
        request,
        "feedback/ask.html",
        {
            "form": form,
            "procedure": procedure,
            "procedure_name": _procedure_name(procedure),
            "signed_in": signed_in,
        },
        status=status,
    )
    if status == 429 and retry is not None:
        response["Retry-After"] = str(retry)
    return response


# --- staff: questions and comments ----------------------------------------------------------


@staff_required
def questions(request: HttpRequest) -> HttpResponse:
    answered = request.GET.get("tab") == "answered"
    if not selectors.answerable_agencies(request.user).exists():
        raise PermissionDenied(_("You hold no role that answers questions."))
    qs = selectors.question_worklist(request.user, answered=answered)
    page = Paginator(qs, WORKLIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "feedback/staff_questions.html",
        {
            "page": page,
            "answered": answered,
            "open_count": selectors.question_worklist(request.user).count(),
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    question = get_object_or_404(Question.objects.select_related("agency", "procedure"), pk=pk)
    if not selectors.may_answer(request.user, question.agency):
        raise Http404
    initial = {
        "answer": question.answer,
        "publish": question.is_published
        if question.status == QuestionStatus.ANSWERED
        else question.may_publish,
    }
    form = AnswerForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_question(
                request.user,
                question,
                answer=form.cleaned_data["answer"],
                publish=form.cleaned_data["publish"],
            )
        except FeedbackError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("The answer was saved."))
            return redirect("feedback:questions")
    now = timezone.now()
    return render(
        request,
        "feedback/staff_answer.html",
        {
            "question": question,
            "form": form,
            "is_overdue": question.status == QuestionStatus.OPEN and question.due_at < now,
        },
    )


@staff_required
def comments(request: HttpRequest) -> HttpResponse:
    agencies = selectors.answerable_agencies(request.user)
    if not agencies.exists():
        raise PermissionDenied(_("You hold no role that answers questions."))
    qs = (
        Rating.objects.filter(agency__in=agencies)
        .exclude(comment="")
        .select_related("agency", "dossier")
        .order_by("comment_published", "-rated_at")
    )
    page = Paginator(qs, WORKLIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "feedback/staff_comments.html", {"page": page})


@staff_required
@require_POST
def moderate(request: HttpRequest, pk: int) -> HttpResponse:
    rating = get_object_or_404(Rating.objects.select_related("agency"), pk=pk)
    try:
        services.moderate_comment(request.user, rating, publish=request.POST.get("publish") == "1")
    except FeedbackError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Saved."))
    return redirect(reverse("feedback:comments"))
