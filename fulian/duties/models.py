"""Duties: the 她代表 requests followed to an answer, and the annual 述职 report and
assessment. The duty record itself is the grid's contact (``fulian.grid.models.Contact``): one
model of "what a 执委 did"; its review lives in ``fulian.duties.services.review``."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fulian.audit.models import AuditedModel
from fulian.core.ancestry import AncestryScopedModel
from fulian.core.scoping import PathScopedModel, ScopedQuerySet
from fulian.duties.choices import (
    OPEN_STATUSES,
    Category,
    Grade,
    ItemSection,
    Measure,
    RequestKind,
    RequestStatus,
    RunStatus,
    Satisfaction,
    StepKind,
    Urgency,
)

TEXT_MAX_LENGTH = 1000
NOTE_MAX_LENGTH = 500


def _user_field(label: Any = None, related_name: str = "+") -> Any:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name=related_name,
        db_index=False,
        verbose_name=label or _("by"),
    )


class RequestQuerySet(ScopedQuerySet["Request"]):
    def open(self) -> RequestQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, on: datetime.date) -> RequestQuerySet:
        """Not yet answered by their deadline."""
        return self.filter(status__in=OPEN_STATUSES, due_on__lt=on)


class Request(AncestryScopedModel, AuditedModel):
    """A need or suggestion (诉求/建议) a 她代表 took from a woman or household she represents,
    followed to an answer and the woman's satisfaction. Placed where it came from (the
    household's place, or the 她代表's organisation), so every level above sees it; ``holder``
    is the federation that has it now (her own, or a level above after escalation). Nothing is
    deleted: each step is a :class:`RequestStep`."""

    scope_view_action = "duties.view"
    audit_exclude = frozenset({"created_at", "client_key"})

    representative = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        related_name="requests",
        verbose_name=_("her representative (她代表)"),
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=12, choices=RequestKind.choices, default=RequestKind.NEED)
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    household = models.ForeignKey(
        "households.Household",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requests",
        verbose_name=_("household"),
        db_index=False,
    )
    member = models.ForeignKey(
        "households.HouseholdMember",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requests",
        verbose_name=_("person"),
        db_index=False,
    )
    whom = models.CharField(_("whom"), max_length=100, blank=True)
    description = models.TextField(_("description"), max_length=TEXT_MAX_LENGTH)
    status = models.CharField(_("status"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.RECORDED)
    holder = models.ForeignKey(
        "orgs.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("held by"), db_index=False
    )
    assignee = _user_field(_("assigned to"))
    recorded_on = models.DateField(_("recorded on"))
    due_on = models.DateField(_("answer due by"))
    answer = models.TextField(_("answer"), max_length=TEXT_MAX_LENGTH, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    satisfaction = models.CharField(_("satisfaction"), max_length=12, choices=Satisfaction.choices, blank=True)
    # 不满意 reopens a request once; a second 不满意 closes it as it stands.
    reopened = models.BooleanField(_("reopened"), default=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    client_key = models.UUIDField(null=True, blank=True, editable=False)
    created_by = _user_field()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("request")
        verbose_name_plural = _("requests")
        ordering = ["-id"]
        indexes = [
            *AncestryScopedModel.ancestry_indexes("duties_request"),
            models.Index(fields=["representative", "-id"], name="duties_request_rep"),
            models.Index(fields=["holder", "status"], name="duties_request_holder"),
            models.Index(fields=["assignee", "status"], name="duties_request_assignee"),
            # Overdue lists: open requests by deadline.
            models.Index(fields=["due_on"], name="duties_request_due", condition=Q(status__in=OPEN_STATUSES)),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["representative", "client_key"],
                name="duties_request_client_key",
                condition=Q(client_key__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_category_display()} · {self.get_status_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, on: datetime.date) -> bool:
        return self.is_open and self.due_on < on


class RequestStep(models.Model):
    """One step of a request, append-only: who did what, when, with a note (an update, the
    answer, a reason), and where it went (escalation) or to whom (assignment)."""

    request = models.ForeignKey(Request, on_delete=models.PROTECT, related_name="steps", verbose_name=_("request"))
    kind = models.CharField(_("step"), max_length=10, choices=StepKind.choices)
    actor = _user_field()
    at = models.DateTimeField(_("at"), auto_now_add=True)
    note = models.TextField(_("note"), max_length=TEXT_MAX_LENGTH, blank=True)
    from_org = models.ForeignKey(
        "orgs.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    to_org = models.ForeignKey(
        "orgs.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    assignee = _user_field(_("assigned to"))
    satisfaction = models.CharField(_("satisfaction"), max_length=12, choices=Satisfaction.choices, blank=True)

    class Meta:
        verbose_name = _("request step")
        verbose_name_plural = _("request steps")
        ordering = ["request", "id"]

    def __str__(self) -> str:
        return f"{self.request_id} · {self.get_kind_display()}"


class RequestPhoto(models.Model):
    """A photo of a request (with the record, or with a step), re-encoded without EXIF."""

    request = models.ForeignKey(Request, on_delete=models.PROTECT, related_name="photos", verbose_name=_("request"))
    step = models.ForeignKey(
        RequestStep, on_delete=models.PROTECT, null=True, blank=True, related_name="photos", db_index=False
    )
    image = models.ImageField(_("photo"), upload_to="duties/requests/%Y/%m/")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("request photo")
        verbose_name_plural = _("request photos")
        ordering = ["id"]

    def __str__(self) -> str:
        return str(self.image.name)


# --- the annual assessment -----------------------------------------------------------------


class SchemeQuerySet(ScopedQuerySet["Scheme"]):
    pass


class Scheme(PathScopedModel, AuditedModel):
    """An assessment scheme for one year, kept by a federation (the city's applies below it
    unless a county keeps its own): a base of points for the basics, bonus items and
    deductions, the grade thresholds and the cap on the share of 优秀 per organisation. It
    freezes once assessments are computed from it; a change is next year's scheme."""

    scope_view_action = "duties.view"

    org = models.ForeignKey(
        "orgs.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    name = models.CharField(_("name"), max_length=100)
    excellent_min = models.DecimalField(_("excellent from"), max_digits=5, decimal_places=1, default=90)
    competent_min = models.DecimalField(_("competent from"), max_digits=5, decimal_places=1, default=70)
    basic_min = models.DecimalField(_("basically competent from"), max_digits=5, decimal_places=1, default=60)
    excellent_share = models.PositiveSmallIntegerField(_("at most excellent (percent)"), default=20)

    objects = SchemeQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessment scheme")
        verbose_name_plural = _("assessment schemes")
        ordering = ["-year", "id"]
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="duties_scheme_org_year")]

    def __str__(self) -> str:
        return f"{self.year} {self.name}"

    @property
    def audit_org(self) -> Any:
        return self.org


class SchemeItem(AuditedModel):
    """One line of a scheme: ``points`` for each unit of what it measures, up to ``max_points``
    (a deduction takes its points away, down to its own maximum)."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="items", verbose_name=_("scheme"))
    section = models.CharField(_("section"), max_length=10, choices=ItemSection.choices)
    name = models.CharField(_("name"), max_length=100)
    measure = models.CharField(_("counts"), max_length=12, choices=Measure.choices)
    points = models.DecimalField(_("points per unit"), max_digits=5, decimal_places=1)
    max_points = models.DecimalField(_("at most"), max_digits=5, decimal_places=1)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("assessment item")
        verbose_name_plural = _("assessment items")
        ordering = ["scheme", "position", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_org(self) -> Any:
        return self.scheme.org


class AssessmentQuerySet(ScopedQuerySet["Assessment"]):
    pass


class Assessment(AncestryScopedModel, AuditedModel):
    """One 执委's assessment for a year: the score from her records and her reviewers'
    entries, the grade after the cap on 优秀, and whether 不称职 flags her for the next 换届.
    Placed at her organisation."""

    scope_view_action = "duties.view"
    audit_exclude = frozenset({"computed_at"})

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="assessments", verbose_name=_("executive member")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("scheme"))
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=1, default=0)
    grade = models.CharField(_("grade"), max_length=12, choices=Grade.choices, blank=True)
    # Each item's units and points, as computed: {"<item id>": {"units": n, "points": "12.0"}}.
    details = models.JSONField(_("details"), default=dict, blank=True)
    # 优秀 by score but over the organisation's cap: graded 称职, and said so.
    capped = models.BooleanField(_("over the cap on excellent"), default=False)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["-year", "-score", "id"]
        indexes = [*AncestryScopedModel.ancestry_indexes("duties_assessment", order="year")]
        constraints = [models.UniqueConstraint(fields=["person", "year"], name="duties_assessment_person_year")]

    def __str__(self) -> str:
        return f"{self.person} · {self.year} · {self.score}"

    @property
    def flagged(self) -> bool:
        """不称职: to be looked at before the next 换届."""
        return self.grade == Grade.INCOMPETENT


class Entry(AuditedModel):
    """A reviewer's entry for an item that is not counted from records (meetings attended, a
    deduction for a fault): the units, with a note."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="entries", verbose_name=_("assessment")
    )
    item = models.ForeignKey(SchemeItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("item"))
    units = models.DecimalField(_("units"), max_digits=6, decimal_places=1)
    note = models.CharField(_("note"), max_length=NOTE_MAX_LENGTH, blank=True)
    entered_by = _user_field()
    entered_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("assessment entry")
        verbose_name_plural = _("assessment entries")
        constraints = [models.UniqueConstraint(fields=["assessment", "item"], name="duties_entry_one_per_item")]

    def __str__(self) -> str:
        return f"{self.item} · {self.units}"

    @property
    def audit_org(self) -> Any:
        return self.assessment.org


# --- the annual 述职 report ---------------------------------------------------------------


class ReportQuerySet(ScopedQuerySet["Report"]):
    pass


class Report(AncestryScopedModel, AuditedModel):
    """A 执委's duty report (述职报告) for a year: the figures generated from her records
    (``figures``, refreshed on each generation) and the narrative she writes or edits."""

    scope_view_action = "duties.view"
    audit_exclude = frozenset({"figures", "generated_at"})

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="duty_reports", verbose_name=_("executive member")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    narrative = models.TextField(_("in her words"), max_length=5000, blank=True)
    generated_at = models.DateTimeField(_("generated at"), null=True, blank=True)
    narrative_at = models.DateTimeField(_("written at"), null=True, blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("duty report")
        verbose_name_plural = _("duty reports")
        ordering = ["-year", "id"]
        indexes = [*AncestryScopedModel.ancestry_indexes("duties_report", order="year")]
        constraints = [models.UniqueConstraint(fields=["person", "year"], name="duties_report_person_year")]

    def __str__(self) -> str:
        return f"{self.person} · {self.year}"


class ReportRunQuerySet(ScopedQuerySet["ReportRun"]):
    pass


class ReportRun(PathScopedModel):
    """Generating the year's reports (and assessments) for an organisation's 执委, in the
    background (``fulian.duties.tasks``); its progress and its failure show on the page."""

    scope_view_action = "duties.view"

    org = models.ForeignKey(
        "orgs.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(_("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    total = models.PositiveIntegerField(_("executive members"), default=0)
    done = models.PositiveIntegerField(_("done"), default=0)
    message = models.CharField(_("message"), max_length=NOTE_MAX_LENGTH, blank=True)
    requested_by = _user_field()
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ReportRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("report generation")
        verbose_name_plural = _("report generations")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.org} · {self.year} · {self.get_status_display()}"

    @property
    def is_busy(self) -> bool:
        return self.status in (RunStatus.QUEUED, RunStatus.RUNNING)


# --- figures kept current on write --------------------------------------------------------


class ModeMonthQuerySet(ScopedQuerySet["ModeMonth"]):
    pass


class ModeMonth(AncestryScopedModel):
    """Confirmed duty records and their half hours, per place, month and work mode: the
    figures "by work mode per month" of a county or the city are a sum over these (a city has
    ~1,500 places × 12 months × 7 modes) instead of a GROUP BY over a million records. Kept
    exact by ``fulian.duties.counting`` inside every confirmation and supersession; rebuilt by
    ``manage.py refresh_duty_counts`` after rows are written in bulk (the demo, the bench)."""

    scope_view_action = "duties.view"

    month = models.DateField(_("month"))
    work_mode = models.ForeignKey(
        "grid.WorkMode", on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    records = models.IntegerField(_("records"), default=0)
    half_hours = models.IntegerField(_("half hours"), default=0)

    objects = ModeMonthQuerySet.as_manager()

    class Meta:
        verbose_name = _("records by work mode and month")
        verbose_name_plural = _("records by work mode and month")
        indexes = AncestryScopedModel.ancestry_indexes("duties_modemonth", order="month")
        # One row per key; records without a work mode (contacts from before modes) have their
        # own (a NULL is distinct from another in a unique index).
        constraints = [
            models.UniqueConstraint(
                fields=["org", "month", "work_mode"],
                name="duties_modemonth_key",
                condition=Q(work_mode__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["org", "month"], name="duties_modemonth_key_no_mode", condition=Q(work_mode__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.org_id} · {self.month:%Y-%m} · {self.work_mode_id}: {self.records}"
