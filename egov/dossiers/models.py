"""One-stop dossiers (hồ sơ thủ tục hành chính) and everything recorded about them.

Statuses and channels use the codes the national public-service portal syncs
(see docs: domain brief). Every change goes through ``dossiers.services``; the
``version`` column lets two clerks acting at once be told the dossier changed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.IntegerChoices):
    SUBMITTED = 1, _("Submitted online (Mới đăng ký)")
    RECEIVED = 2, _("Received (Được tiếp nhận)")
    REFUSED = 3, _("Not received (Không được tiếp nhận)")
    PROCESSING = 4, _("Being processed (Đang xử lý)")
    SUPPLEMENT_REQUESTED = 5, _("Supplement requested (Yêu cầu bổ sung giấy tờ)")
    AWAITING_PAYMENT = 6, _("Awaiting taxes and fees (Yêu cầu thực hiện nghĩa vụ tài chính)")
    WITHDRAWN = 7, _("Withdrawn by the applicant (Công dân yêu cầu rút hồ sơ)")
    STOPPED = 8, _("Processing stopped (Dừng xử lý)")
    RESULT_READY = 9, _("Result ready (Đã xử lý xong)")
    RETURNED = 10, _("Result returned (Đã trả kết quả)")


#: Statuses in which the applicant must act: the deadline clock stops.
PAUSED_STATUSES = frozenset({Status.SUPPLEMENT_REQUESTED, Status.AWAITING_PAYMENT})
#: Statuses after which nothing more happens to a dossier.
FINAL_STATUSES = frozenset({Status.REFUSED, Status.WITHDRAWN, Status.STOPPED, Status.RETURNED})


class Channel(models.IntegerChoices):
    DESK = 1, _("At the desk (trực tiếp)")
    ONLINE = 2, _("Online (trực tuyến)")
    POST = 3, _("By public postal service (bưu chính công ích)")


class Timeliness(models.TextChoices):
    """How the result came compared with the appointment (set when it is ready)."""

    EARLY = "early", _("Early (trước hạn)")
    ON_TIME = "on_time", _("On time (đúng hạn)")
    LATE = "late", _("Late (quá hạn)")


class PaperOrigin(models.TextChoices):
    """Where a paper's content came from (the once-only principle, index 766 group 4)."""

    NONE = "", _("Paper only (not digitised)")
    DESK_SCAN = "desk_scan", _("Digitised at the desk (số hoá tại bộ phận một cửa)")
    UPLOAD = "upload", _("Uploaded by the applicant (tải lên)")
    WALLET = "wallet", _("Taken from the applicant's wallet (kho giấy tờ)")
    NATIONAL_STORE = "national_store", _("Taken from the national document store (kho DVCQG)")
    LOOKUP = "lookup", _("From a database lookup (khai thác cơ sở dữ liệu)")
    PREFILLED = "prefilled", _("Pre-filled e-form (biểu mẫu điền sẵn)")


#: Origins that reuse data the State already holds (index 766, 4.3).
REUSED_ORIGINS = (
    PaperOrigin.WALLET,
    PaperOrigin.NATIONAL_STORE,
    PaperOrigin.LOOKUP,
    PaperOrigin.PREFILLED,
)


class Dossier(models.Model):
    code = models.CharField(_("dossier code"), max_length=40, unique=True)
    procedure_version = models.ForeignKey(
        "procedures.ProcedureVersion",
        verbose_name=_("procedure"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    receiving_agency = models.ForeignKey(
        "core.Unit",
        verbose_name=_("receiving agency"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    receiving_unit = models.ForeignKey(
        "core.Unit",
        verbose_name=_("one-stop unit"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    channel = models.PositiveSmallIntegerField(_("channel"), choices=Channel.choices)
    status = models.PositiveSmallIntegerField(_("status"), choices=Status.choices, db_index=True)

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applicant account"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dossiers",
    )
    applicant_name = models.CharField(_("applicant"), max_length=255)
    applicant_id_number = models.CharField(_("ID number or tax code"), max_length=14, blank=True)
    applicant_address = models.CharField(_("address"), max_length=500, blank=True)
    applicant_phone = models.CharField(_("phone"), max_length=20, blank=True)
    applicant_email = models.EmailField(_("e-mail"), blank=True)

    submitted_at = models.DateTimeField(_("submitted at"))
    received_at = models.DateTimeField(_("received at"), null=True, blank=True, db_index=True)
    due_at = models.DateTimeField(_("appointment (due)"), null=True, blank=True, db_index=True)
    original_due_at = models.DateTimeField(_("first appointment"), null=True, blank=True)
    paused_at = models.DateTimeField(_("clock stopped at"), null=True, blank=True)
    remaining_seconds = models.BigIntegerField(
        _("working time left when stopped (s)"), null=True, blank=True
    )
    resolved_at = models.DateTimeField(_("result ready at"), null=True, blank=True, db_index=True)
    returned_at = models.DateTimeField(_("result returned at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    current_step = models.ForeignKey(
        "procedures.ProcessStep",
        verbose_name=_("current step"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    current_unit = models.ForeignKey(
        "core.Unit",
        verbose_name=_("unit handling it"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    current_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person handling it"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    step_due_at = models.DateTimeField(_("step due"), null=True, blank=True)
    # Position of the current step in the dossier's process (1-based); set also when
    # the process is the built-in default one, which has no ProcessStep rows.
    step_position = models.PositiveSmallIntegerField(_("step number"), null=True, blank=True)
    # Role code of the current step, copied so worklists can filter without a join.
    current_role = models.CharField(_("acting role"), max_length=40, blank=True)
    # While another agency handles a step (liên thông): the unit to answer back to.
    consult_origin_unit = models.ForeignKey(
        "core.Unit",
        verbose_name=_("consulting unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # While the clock is stopped (5, 6): the status to go back to when it restarts.
    status_before_pause = models.PositiveSmallIntegerField(
        _("status before the clock stopped"), choices=Status.choices, null=True, blank=True
    )
    payment_requested = models.BigIntegerField(
        _("taxes and fees requested (đồng)"), null=True, blank=True
    )
    timeliness = models.CharField(
        _("timeliness"), max_length=10, choices=Timeliness.choices, blank=True
    )
    fee_amount = models.BigIntegerField(_("fees (đồng)"), default=0)
    #: The applicant signed in with VNeID (the national identity provider) when submitting.
    applicant_vneid = models.BooleanField(_("applicant authenticated with VNeID"), default=False)
    #: How many times a supplement was asked for (index 766: more than one counts as late).
    supplement_requests = models.PositiveSmallIntegerField(_("supplement requests"), default=0)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        indexes = [
            models.Index(fields=["receiving_agency", "received_at"]),
            models.Index(fields=["current_unit", "status"]),
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["receiving_unit", "status"]),
            # The statistics' roll-up job finds the dossiers changed since its
            # watermark, then rebuilds their submission months.
            models.Index(fields=["updated_at"]),
            models.Index(fields=["submitted_at"]),
            # The statistics of a running period count the dossiers open now live:
            # those not resolved nor closed (a partial index, a few per cent of the
            # table), plus any stamped in the future (closed_at, resolved_at).
            models.Index(
                fields=["receiving_agency"],
                name="dossiers_open_idx",
                condition=models.Q(resolved_at__isnull=True, closed_at__isnull=True),
            ),
            models.Index(fields=["closed_at"]),
        ]

    def __str__(self) -> str:
        return self.code


class DossierPaper(models.Model):
    """A paper handed in (or to be handed in) with the dossier."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="papers")
    required_paper = models.ForeignKey(
        "procedures.RequiredPaper",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=500)
    copies = models.PositiveSmallIntegerField(_("copies"), default=1)
    form = models.CharField(_("form"), max_length=20, blank=True)
    file = models.FileField(_("file"), upload_to="dossiers/%Y/%m/", blank=True)
    received = models.BooleanField(_("received"), default=True)
    is_result = models.BooleanField(_("result document"), default=False)
    #: A draft of the result (dự thảo) handed on with the dossier for the leader to
    #: sign: internal, never the applicant's paper nor their result.
    is_draft = models.BooleanField(_("draft of the result"), default=False)
    origin = models.CharField(
        _("origin"), max_length=20, choices=PaperOrigin.choices, blank=True, default=""
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("dossier paper")
        verbose_name_plural = _("dossier papers")
        ordering = ["dossier", "id"]

    def __str__(self) -> str:
        return self.name


class DossierEvent(models.Model):
    """One step in a dossier's history: a status change or a handover between people
    and units. The control sheet (form 06) is generated from these rows."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("time"), db_index=True)
    action = models.CharField(_("action"), max_length=40)
    from_status = models.PositiveSmallIntegerField(null=True, blank=True, choices=Status.choices)
    to_status = models.PositiveSmallIntegerField(choices=Status.choices)
    from_unit = models.ForeignKey(
        "core.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_unit = models.ForeignKey(
        "core.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    step = models.ForeignKey(
        "procedures.ProcessStep", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    step_due_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("dossier event")
        verbose_name_plural = _("dossier events")
        ordering = ["dossier", "at", "id"]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.action}"


class ApologyLetter(models.Model):
    """Form 04: apology and new appointment for a dossier that will be late."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="apologies")
    reason = models.TextField(_("reason"))
    previous_due_at = models.DateTimeField(_("previous appointment"))
    new_due_at = models.DateTimeField(_("new appointment"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issuing_unit = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(_("issued at"))
    #: When the letter was issued as an official document (the one-stop bridge):
    #: its number and symbol and its (signed) PDF, sent to the applicant.
    number = models.CharField(_("number and symbol"), max_length=60, blank=True)
    file = models.FileField(_("letter"), upload_to="dossiers/%Y/%m/", blank=True)

    class Meta:
        verbose_name = _("apology letter")
        verbose_name_plural = _("apology letters")
        ordering = ["dossier", "issued_at"]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.issued_at:%d/%m/%Y}"


class FormTemplate(models.Model):
    """The text of a one-stop form (01–07, TT 03/2025/TT-VPCP), editable by an operator.

    ``body`` is a Django template rendered with the dossier's data into the A4 PDF.
    """

    code = models.CharField(_("form number"), max_length=4, unique=True)
    title = models.CharField(_("title"), max_length=255)
    body = models.TextField(_("template"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("form template")
        verbose_name_plural = _("form templates")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class IdempotentRequest(models.Model):
    """A create request already answered, so a retry with the same
    ``Idempotency-Key`` gets the same dossier instead of a second one."""

    key = models.CharField(max_length=255)
    scope = models.CharField(max_length=150, help_text="who sent it (user id) and the route")
    request_hash = models.CharField(max_length=64)
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="dossiers_idempotency_key")
        ]

    def __str__(self) -> str:
        return self.key


# --- statistics roll-ups (egov.dossiers.services.rollups writes them, stats read them)


class RollupCounts(models.Model):
    """The additive figures of a group of dossiers for one day (or month).

    Flows count events that happened on the day: received (by channel), result
    ready (in time, early), handed back, withdrawn, refused, stopped. Stocks are
    kept as changes: ``open_delta`` / ``overdue_delta`` are how many dossiers start
    (+) or stop (−) being in progress / overdue at the day's local midnight, so the
    dossiers in progress at a midnight are the sum of the changes of every day up
    to and including that day. See ``egov/dossiers/stats/rollup_figures.py``.
    """

    receiving_agency = models.ForeignKey(
        "core.Unit",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    receiving_unit = models.ForeignKey(
        "core.Unit",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    new_desk = models.IntegerField(default=0)
    new_online = models.IntegerField(default=0)
    new_post = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)
    resolved_in_time = models.IntegerField(default=0)
    resolved_early = models.IntegerField(default=0)
    returned = models.IntegerField(default=0)
    withdrawn = models.IntegerField(default=0)
    refused = models.IntegerField(default=0)
    stopped = models.IntegerField(default=0)
    open_delta = models.IntegerField(default=0)
    overdue_delta = models.IntegerField(default=0)

    class Meta:
        abstract = True


class DossierRollupDay(RollupCounts):
    """Figures per local day of the dossiers submitted in one month (``part``, its
    first day). A month's rows are rebuilt together, from that month's dossiers
    only: a change to a dossier never needs to know which days it counted in
    before."""

    procedure_version = models.ForeignKey(
        "procedures.ProcedureVersion",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    part = models.DateField()
    day = models.DateField()

    class Meta:
        verbose_name = _("daily statistics roll-up")
        verbose_name_plural = _("daily statistics roll-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["part", "day", "receiving_agency", "receiving_unit", "procedure_version"],
                name="dossiers_rollupday_unique",
            )
        ]
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"{self.day} {self.receiving_unit_id} {self.procedure_version_id}"


class DossierRollupMonth(RollupCounts):
    """The sums of the daily rows of one calendar month (``month``, its first day),
    whatever month the dossiers were submitted in: a year is twelve of these. Twice:
    per procedure version, and once more for all versions together (``procedure_version``
    empty), the few rows the figures per agency read."""

    procedure_version = models.ForeignKey(
        "procedures.ProcedureVersion",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        related_name="+",
    )
    month = models.DateField()

    class Meta:
        verbose_name = _("monthly statistics roll-up")
        verbose_name_plural = _("monthly statistics roll-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "receiving_agency", "receiving_unit", "procedure_version"],
                name="dossiers_rollupmonth_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%m/%Y} {self.receiving_unit_id} {self.procedure_version_id}"


class RollupWatermark(models.Model):
    """How far the roll-ups have been kept current: every dossier changed (its
    ``updated_at``) before ``value`` is counted in them. The row is also the lock
    that keeps two runs from rebuilding at once."""

    name = models.CharField(max_length=40, unique=True)
    value = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("roll-up watermark")
        verbose_name_plural = _("roll-up watermarks")

    def __str__(self) -> str:
        return f"{self.name} {self.value}"


class SignedForm(models.Model):
    """A one-stop form carrying legal weight (01–04) as issued: signed once with the
    receiving agency's key and kept, so every later download is the same file.

    A form is kept per *version of its content*: ``fingerprint`` is the SHA-256 of
    what the form says (its rendered text, heading, date and lookup address), so a
    state change or an edited template that changes the form makes a new signed
    version, and an unchanged form is never signed twice.
    """

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="signed_forms")
    code = models.CharField(_("form number"), max_length=4)
    fingerprint = models.CharField(_("content fingerprint"), max_length=64)
    pdf = models.BinaryField(_("signed form"), editable=False)
    signed_at = models.DateTimeField(_("signed at"))

    class Meta:
        verbose_name = _("signed form")
        verbose_name_plural = _("signed forms")
        ordering = ["dossier", "code", "signed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "code", "fingerprint"], name="signed_form_once_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.code} {self.fingerprint[:12]}"
