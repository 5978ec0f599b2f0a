"""The 包干 grid: who is responsible for which area (assignments), how much of each area is
covered (a summary kept exact on every write), and what a 执委 did (contacts)."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from fulian.audit.models import AuditedModel
from fulian.core.ancestry import AncestryScopedModel
from fulian.core.scoping import PathScopedModel, ScopedQuerySet
from fulian.grid.choices import ContactMode, Mode, RecordStatus
from fulian.orgs.choices import Level

NOTE_MAX_LENGTH = 500
PARTNER_MAX_LENGTH = 50


def active_q(on: datetime.date, prefix: str = "") -> Q:
    """Assignments in force on ``on``: started by then and not ended before it (an end date is
    the last day of responsibility)."""
    return Q(**{f"{prefix}start_date__lte": on}) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": on})
    )


class AssignmentQuerySet(ScopedQuerySet["Assignment"]):
    def active(self, on: datetime.date) -> AssignmentQuerySet:
        return self.filter(active_q(on))


class Assignment(AncestryScopedModel, AuditedModel):
    """One 执委 responsible for one target from ``start_date`` to ``end_date`` (inclusive; open
    while null): a township (包乡镇, by a county 执委), a village (包村, by a township 执委),
    or a group, a household or her whole village (包组到户, by a village 执委). ``post`` is the
    post that gives her the level; ``tier`` is that post's level. The row is placed (``org``
    and ancestry) at its target, so the target's federations see who is responsible for it.
    Ending or changing an assignment never edits the old one away: it ends, and a change
    starts a new one (``previous`` points back)."""

    scope_view_action = "grid.view"
    audit_exclude = frozenset({"created_at", "updated_at", "import_batch", "import_row"})
    # The log shows the level by its name (a plain column, not a choice field).
    audit_labels = {"tier": lambda value: Level(value).label}

    post = models.ForeignKey(
        "people.Post", on_delete=models.PROTECT, related_name="assignments", verbose_name=_("post")
    )
    # Looked up by (person, start_date), (target_org, start_date) and (household, start_date),
    # declared in Meta: no single-column copies of those indexes on a table of a million rows.
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name=_("executive member"),
        db_index=False,
    )
    tier = models.CharField(_("level"), max_length=10)
    target_org = models.ForeignKey(
        "orgs.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("area"),
        db_index=False,
    )
    household = models.ForeignKey(
        "households.Household",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("household"),
        db_index=False,
    )
    mode = models.CharField(_("mode"), max_length=20, choices=Mode.choices)
    # 合力联动: the village grid worker she shares the area with.
    partner = models.CharField(_("shared with (grid worker)"), max_length=PARTNER_MAX_LENGTH, blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    end_reason = models.CharField(_("reason for ending"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=NOTE_MAX_LENGTH, blank=True)
    previous = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("replaces")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # When it last changed (ended, its mode corrected, passed to her next term's post): an undone
    # import must not remove an assignment changed since. Null for rows from before the column.
    updated_at = models.DateTimeField(auto_now=True, null=True)
    # The upload that made it (``fulian.grid.imports``) and its row in the sheet: for the undo.
    import_batch = models.BigIntegerField(null=True, blank=True, editable=False)
    import_row = models.IntegerField(null=True, blank=True, editable=False)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["id"]
        indexes = [
            *AncestryScopedModel.ancestry_indexes("grid_assignment"),
            models.Index(fields=["person", "start_date"], name="grid_assignment_person"),
            models.Index(fields=["target_org", "start_date"], name="grid_assignment_target"),
            models.Index(
                fields=["household", "start_date"],
                name="grid_assignment_household",
                condition=Q(household__isnull=False),
            ),
            # A county's load figures: households per 执委 counted from the index alone (an
            # index-only scan of ~250,000 entries: 40 ms where reading the rows took 160).
            models.Index(
                fields=["county", "person", "start_date", "end_date"],
                name="grid_assignment_county_load",
                condition=Q(household__isnull=False),
            ),
            models.Index(
                fields=["import_batch"], name="grid_assignment_import_batch", condition=Q(import_batch__isnull=False)
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(target_org__isnull=True, household__isnull=False)
                | Q(target_org__isnull=False, household__isnull=True),
                name="grid_assignment_one_target",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="grid_assignment_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.target}"

    @property
    def target(self) -> Any:
        return self.household if self.household_id else self.target_org

    def is_active(self, on: datetime.date) -> bool:
        return self.start_date <= on and (self.end_date is None or self.end_date >= on)


class CoverageCount(AncestryScopedModel):
    """How many current households one place (a village, or a group of it: where households
    are placed) has, how many of them have a responsible 执委 today, and how many were not
    contacted in 90 days. Kept exact by ``fulian.grid.coverage`` inside every write that
    changes them; any organisation's figures are a sum over these (~15,000 rows for a city)."""

    scope_view_action = "grid.view"

    households = models.PositiveIntegerField(_("households"), default=0)
    covered = models.PositiveIntegerField(_("covered households"), default=0)
    uncontacted = models.PositiveIntegerField(_("households not contacted in 90 days"), default=0)
    counted_on = models.DateField(_("counted on"))

    class Meta:
        verbose_name = _("coverage count")
        verbose_name_plural = _("coverage counts")
        indexes = AncestryScopedModel.ancestry_indexes("grid_coveragecount")
        constraints = [models.UniqueConstraint(fields=["org"], name="grid_coveragecount_org")]

    def __str__(self) -> str:
        return f"{self.org_id}: {self.covered}/{self.households}"


class CoverageDay(models.Model):
    """The day the coverage summary was last brought up to date with the calendar (assignments
    that start or end, contacts that pass 90 days). One row."""

    day = models.DateField()

    class Meta:
        verbose_name = _("coverage day")
        verbose_name_plural = _("coverage days")

    def __str__(self) -> str:
        return str(self.day)


class LoadRuleQuerySet(ScopedQuerySet["LoadRule"]):
    pass


class LoadRule(PathScopedModel, AuditedModel):
    """An organisation's expectations of its 执委's load ("1+10+N": each keeps in touch with at
    least ``min_households``); ``max_households`` marks the overloaded. The nearest rule at or
    above an organisation applies."""

    scope_view_action = "grid.view"

    org = models.OneToOneField(
        "orgs.Organisation", on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    min_households = models.PositiveSmallIntegerField(_("at least households each"), default=10)
    max_households = models.PositiveSmallIntegerField(_("at most households each"), null=True, blank=True)

    objects = LoadRuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("load rule")
        verbose_name_plural = _("load rules")

    def __str__(self) -> str:
        return f"{self.org_id}: ≥{self.min_households}"

    @property
    def audit_org(self) -> Any:
        return self.org


class WorkMode(AuditedModel):
    """One of the work modes (工作模式) a duty record is filed under, a list the city federation
    keeps (``fulian.duties``): renamed, reordered, added and retired, never deleted once used."""

    name = models.CharField(_("name"), max_length=30, unique=True)
    name_en = models.CharField(_("name in English"), max_length=60, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("work mode")
        verbose_name_plural = _("work modes")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the reader's language (the English name where one is kept)."""
        from django.utils.translation import get_language

        if self.name_en and not (get_language() or "").startswith("zh"):
            return self.name_en
        return self.name

    @property
    def audit_org(self) -> Any:
        return None


class ContactQuerySet(ScopedQuerySet["Contact"]):
    def counted(self) -> ContactQuerySet:
        """Records that count in figures and reports: confirmed by the level above."""
        return self.filter(status=RecordStatus.CONFIRMED)

    def pending(self) -> ContactQuerySet:
        return self.filter(status=RecordStatus.PENDING)


class Contact(AncestryScopedModel, AuditedModel):
    """What a 执委 did, once — her duty record (履职记录): the work mode, how (``mode``), when,
    the time spent in half hours, with whom (households, their members, and in words), where, a
    short note and photos. The grid's "last contact" reads it; the duties area reviews it (the
    level above confirms or returns it; a confirmed record is locked and corrected only by a new
    record that supersedes it), and the care area's visits build on it. Placed at the household
    it concerns (or, for several, their common village), or at the village or group she names."""

    scope_view_action = "grid.view"
    audit_exclude = frozenset({"created_at", "client_key"})

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="contacts", verbose_name=_("executive member")
    )
    mode = models.CharField(_("how"), max_length=20, choices=ContactMode.choices)
    happened_on = models.DateField(_("when"))
    households = models.ManyToManyField(
        "households.Household", related_name="contacts", blank=True, verbose_name=_("households")
    )
    whom = models.CharField(_("whom"), max_length=200, blank=True)
    location = models.CharField(_("where"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=NOTE_MAX_LENGTH, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # --- the duty record (fulian.duties) ---
    # Null only on contacts recorded before work modes existed.
    work_mode = models.ForeignKey(
        WorkMode,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("work mode"),
        db_index=False,
    )
    # Time spent, in half hours (0.5 h units): sums stay exact integers.
    half_hours = models.PositiveSmallIntegerField(_("time spent (half hours)"), default=0)
    members = models.ManyToManyField(
        "households.HouseholdMember", related_name="contacts", blank=True, verbose_name=_("people")
    )
    status = models.CharField(_("review"), max_length=12, choices=RecordStatus.choices, default=RecordStatus.PENDING)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    return_reason = models.CharField(_("reason for returning"), max_length=200, blank=True)
    # A correction of a confirmed record: the new record points at the one it replaces; once
    # the correction is confirmed the old one is superseded (kept and shown, no longer counted).
    supersedes = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("corrects"),
    )
    correction_reason = models.CharField(_("reason for the correction"), max_length=200, blank=True)
    # The phone's key for one submission: a double tap or a resend on a weak network finds the
    # record already made instead of making a second.
    client_key = models.UUIDField(null=True, blank=True, editable=False)

    objects = ContactQuerySet.as_manager()

    class Meta:
        verbose_name = _("duty record")
        verbose_name_plural = _("duty records")
        ordering = ["-happened_on", "-id"]
        indexes = [
            *AncestryScopedModel.ancestry_indexes("grid_contact", order="happened_on"),
            models.Index(fields=["person", "happened_on"], name="grid_contact_person"),
            # The silent 执委 (``fulian.duties.figures``): whether each has a record, but a returned
            # one, in the last 90 days, answered from this index alone (no visit to the rows).
            models.Index(
                fields=["person", "happened_on"],
                name="grid_contact_person_alive",
                condition=~Q(status=RecordStatus.RETURNED),
            ),
            # Review queues: the few records waiting, by the village of the 执委's home.
            models.Index(
                fields=["township", "happened_on"],
                name="grid_contact_pending_township",
                condition=Q(status=RecordStatus.PENDING),
            ),
            models.Index(fields=["supersedes"], name="grid_contact_supersedes", condition=Q(supersedes__isnull=False)),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "client_key"], name="grid_contact_client_key", condition=Q(client_key__isnull=False)
            ),
            models.CheckConstraint(condition=Q(half_hours__lte=48), name="grid_contact_half_hours_day"),
        ]

    @property
    def hours(self) -> float:
        return self.half_hours / 2

    @property
    def locked(self) -> bool:
        """Confirmed and superseded records are never edited (a correction is a new record)."""
        return self.status in (RecordStatus.CONFIRMED, RecordStatus.SUPERSEDED)

    def __str__(self) -> str:
        return f"{self.person} · {self.get_mode_display()} · {self.happened_on}"


class ContactPhoto(models.Model):
    """A photo of a contact, re-encoded without EXIF (``fulian.core.photos``)."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="photos", verbose_name=_("contact"))
    image = models.ImageField(_("photo"), upload_to="grid/contacts/%Y/%m/")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("contact photo")
        verbose_name_plural = _("contact photos")
        ordering = ["id"]

    def __str__(self) -> str:
        return str(self.image.name)
