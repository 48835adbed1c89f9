"""Directive and task tracking (theo dõi chỉ đạo, giao việc; QĐ 672/QĐ-UBND 2019).

A :class:`Task` is work a leader assigns to a lead unit (đơn vị chủ trì), with
cooperating units (đơn vị phối hợp), a deadline and a priority. It comes from an
incoming or outgoing document (referenced by kind + id, read through
:mod:`egov.tasks.sources`), from a meeting conclusion (kết luận cuộc họp), or is
entered by the office. Its life: assigned → (progress reports, extension
requests) → completion reported (with the answering document) → confirmed by the
office (done), or sent back. Every change is a :class:`TaskEvent` and an audit
entry; each person concerned gets a :class:`TaskNotice`.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from egov.core.models import Unit


class Source(models.TextChoices):
    INCOMING = "incoming", _("Incoming document")
    OUTGOING = "outgoing", _("Outgoing document")
    MEETING = "meeting", _("Meeting conclusion")
    OFFICE = "office", _("Entered by the office")


class Priority(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")
    VERY_URGENT = "very_urgent", _("Very urgent")


class TaskStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    REPORTED = "reported", _("Completion reported")
    DONE = "done", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATUSES = (TaskStatus.IN_PROGRESS, TaskStatus.REPORTED)


class Task(models.Model):
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    #: The document the task comes from (``source`` incoming/outgoing).
    document_id = models.PositiveBigIntegerField(_("document"), null=True, blank=True)
    #: The meeting, for a meeting conclusion (free text: its name and date).
    meeting = models.CharField(_("meeting"), max_length=300, blank=True)
    text = models.TextField(_("task"))
    #: The agency whose office tracks the task (the assigning leader's agency).
    office = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("tracking office")
    )
    lead_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("lead unit")
    )
    cooperating_units = models.ManyToManyField(
        Unit, related_name="+", blank=True, verbose_name=_("cooperating units")
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("assigning leader"),
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_on = models.DateField(_("assigned on"))
    due_date = models.DateField(_("deadline"))
    #: The deadline as first set, before any extension.
    original_due_date = models.DateField(_("original deadline"))
    priority = models.CharField(
        _("priority"), max_length=12, choices=Priority.choices, default=Priority.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.IN_PROGRESS
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    completion_reported_on = models.DateField(null=True, blank=True)
    answer_kind = models.CharField(max_length=10, blank=True)
    answer_document_id = models.PositiveBigIntegerField(null=True, blank=True)
    answer_note = models.CharField(max_length=500, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("task")
        ordering = ["due_date", "pk"]
        indexes = [
            models.Index(fields=["lead_unit", "status", "due_date"]),
            models.Index(fields=["office", "status", "due_date"]),
            models.Index(fields=["assigned_by", "assigned_on"]),
            models.Index(fields=["source", "document_id"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="tasks_progress_at_most_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.text[:60]}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today: date) -> bool:
        return self.is_open and self.due_date < today

    @property
    def finished_late(self) -> bool:
        """Done, and the completion was reported after the (extended) deadline."""
        day = self.completion_reported_on or self.completed_on
        return self.status == TaskStatus.DONE and day is not None and day > self.due_date


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a decision")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class ExtensionRequest(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="extensions")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    current_due_date = models.DateField()
    proposed_due_date = models.DateField(_("proposed deadline"))
    reason = models.CharField(_("reason"), max_length=500)
    status = models.CharField(
        max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            # At most one request waiting per task: a double submit cannot open two.
            models.UniqueConstraint(
                fields=["task"],
                condition=Q(status="pending"),
                name="tasks_one_pending_extension",
            )
        ]

    def __str__(self) -> str:
        return f"{self.task_id} → {self.proposed_due_date}"


EVENT_LABELS = {
    "assigned": _("Task assigned"),
    "progress": _("Progress reported"),
    "extension_requested": _("Extension requested"),
    "extension_approved": _("Extension approved"),
    "extension_refused": _("Extension refused"),
    "completion_reported": _("Completion reported"),
    "confirmed": _("Completion confirmed by the office"),
    "sent_back": _("Sent back: not finished"),
}


class TaskEvent(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=30)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    note = models.CharField(max_length=1000, blank=True)
    progress = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.task_id} {self.action}"

    @property
    def label(self) -> str:
        return str(EVENT_LABELS.get(self.action, self.action))


class NoticeKind(models.TextChoices):
    ASSIGNED = "assigned", _("A task was assigned to your unit")
    EXTENSION = "extension", _("An extension was requested")
    DECIDED = "decided", _("An extension request was decided")
    REPORTED = "reported", _("A task was reported completed")
    CONFIRMED = "confirmed", _("A task's completion was confirmed")
    SENT_BACK = "sent_back", _("A task was sent back")
    DUE_SOON = "due_soon", _("A task is due soon")
    OVERDUE = "overdue", _("A task is overdue")


class TaskNotice(models.Model):
    """A notice to one person about a task (shown on the task pages and the dashboard)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=10, choices=NoticeKind.choices)
    #: For due-soon/overdue notices: the deadline they warn about (one notice per deadline).
    due = models.DateField(null=True, blank=True)
    text = models.CharField(max_length=500)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "recipient", "kind", "due"],
                condition=Q(kind__in=["due_soon", "overdue"]),
                name="tasks_deadline_notice_once",
            )
        ]

    def __str__(self) -> str:
        return self.text[:60]


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed, will retry")
    DEAD = "dead", _("Given up")


class TaskMessage(models.Model):
    """One e-mail or SMS about tasks to one staff member, written in the same
    transaction as the notice it carries (or by the monthly summary job) and sent
    later by the job ``tasks.send_messages`` through the notifications app's
    adapters, with retries."""

    #: ``notice:<notice id>:<channel>`` or ``summary:<leader>:<yyyy-mm>:<channel>``:
    #: the same notice or summary is never queued twice.
    key = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=10)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, null=True, blank=True, related_name="messages"
    )
    channel = models.CharField(max_length=10)
    recipient = models.CharField(max_length=254)
    subject = models.CharField(max_length=255, blank=True)
    body = models.TextField()
    status = models.CharField(
        max_length=10, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField()
    last_error = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="tasks_message_due")]

    def __str__(self) -> str:
        return f"{self.kind} {self.channel} → {self.recipient}"
