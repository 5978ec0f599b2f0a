"""Reads of a campaign used by more than one caller: the progress figures per stage and
organisation, the overdue raters (the reminders, the rater's banner), and the filters of the
campaign's lists, shared by their pages and their exports (``fulian.campaigns.exports``)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

import django_filters
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from fulian.campaigns.choices import (
    EntryStatus,
    NominationSource,
    NominationStatus,
    ObjectionStatus,
    SheetStatus,
    StageStatus,
)
from fulian.campaigns.models import (
    Award,
    Campaign,
    Entry,
    Nomination,
    Objection,
    Publicity,
    RaterAssignment,
    Result,
    ScoreSheet,
    Stage,
)
from fulian.core.ancestry import LEVEL_COLUMNS, within_q
from fulian.core.filters import OrgFilter, ScopedFilterSet, VisibleRowFilter
from fulian.core.scoping import AnyUser, grants_for
from fulian.orgs.choices import Level
from fulian.orgs.models import Organisation
from fulian.people.models import Person

# The level below each (the progress table's rows).
CHILD_LEVEL = {
    Level.PROVINCE: Level.CITY,
    Level.CITY: Level.COUNTY,
    Level.COUNTY: Level.TOWNSHIP,
    Level.TOWNSHIP: Level.VILLAGE,
    Level.VILLAGE: Level.GROUP,
}


def submitted_sheet() -> Exists:
    return Exists(ScoreSheet.objects.filter(assignment=OuterRef("pk"), status=SheetStatus.SUBMITTED))


def overdue_q(on: datetime.date) -> Q:
    """Assignments of a stage still being scored whose deadline has passed (on ``on``), for a
    household still in the running, without a submitted sheet (annotate ``has_sheet`` first)."""
    return Q(
        stage__status=StageStatus.SCORING,
        stage__deadline__lt=on,
        entry__status=EntryStatus.ACTIVE,
        has_sheet=False,
    )


def overdue_assignments(assignments: QuerySet[RaterAssignment], on: datetime.date) -> QuerySet[RaterAssignment]:
    return assignments.annotate(has_sheet=submitted_sheet()).filter(overdue_q(on))


def reminders_for(person: Person, on: datetime.date | None = None) -> QuerySet[RaterAssignment]:
    """The rater's overdue assignments that staff reminded her of (``reminded_at`` set): the
    banner on her list. Her own rows, so no scope beyond the person."""
    from fulian.campaigns.services.common import today

    rows = RaterAssignment.objects.filter(person=person, reminded_at__isnull=False)
    return (
        overdue_assignments(rows, on or today())
        .select_related("stage__campaign", "entry__household")
        .order_by("stage__deadline", "id")
    )


# --- Progress -------------------------------------------------------------------------------


@dataclass
class Figures:
    """One row of the progress table: a stage in one organisation (or the whole)."""

    org: Organisation | None
    nominated: int = 0
    pending: int = 0
    entries: int = 0
    assigned: int = 0
    submitted: int = 0
    missing: int = 0
    overdue: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.submitted / self.assigned) if self.assigned else 0

    def add(self, other: Figures) -> None:
        for name in ("nominated", "pending", "entries", "assigned", "submitted", "missing", "overdue"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class StageProgress:
    stage: Stage
    overdue_possible: bool
    whole: Figures
    rows: list[Figures] = field(default_factory=list)


def home_org(user: AnyUser, campaign: Campaign) -> Organisation | None:
    """Where the user's progress page opens: the campaign's organisation when her reach covers
    it, else her outermost organisation within the campaign's subtree."""
    grants = grants_for(user, "campaigns.view")
    if any(campaign.org.path.startswith(g.path) for g in grants):
        return campaign.org
    inside = sorted((g for g in grants if g.path.startswith(campaign.org.path)), key=lambda g: len(g.path))
    if not inside:
        return None
    return Organisation.objects.get(pk=inside[0].org_id)


def _grouped(rows: QuerySet[Any], column: str, by_stage: bool, **counts: Any) -> dict[tuple[Any, ...], dict[str, int]]:
    keys = ["stage_id", column] if by_stage else [column]
    result: dict[tuple[Any, ...], dict[str, int]] = {}
    for row in rows.order_by().values(*keys).annotate(**counts):
        key = (row["stage_id"], row[column]) if by_stage else (None, row[column])
        result[key] = {name: row[name] for name in counts}
    return result


def campaign_progress(
    campaign: Campaign, org: Organisation, user: AnyUser, on: datetime.date
) -> tuple[list[StageProgress], list[Organisation]]:
    """Each stage's figures for ``org`` and for each organisation of the level below it: a
    constant number of GROUP BY queries on the ancestry columns (nominations, stage results,
    assignments with their sheets), whatever the number of stages, organisations or rows.
    Rows are those the user sees (``visible_to``) within ``org``."""
    child_level = CHILD_LEVEL.get(Level(org.level))
    column = LEVEL_COLUMNS[child_level] if child_level else LEVEL_COLUMNS[org.level]
    children = list(Organisation.objects.filter(parent=org).order_by("code")) if child_level else []
    stages = list(campaign.stages.select_related("publicity").order_by("order"))
    inside = within_q(org)

    nominations = _grouped(
        Nomination.objects.visible_to(user).filter(inside, campaign=campaign).exclude(status=NominationStatus.MERGED),
        column,
        False,
        n=Count("id"),
        pending=Count("id", filter=Q(status=NominationStatus.PENDING)),
    )
    entries = _grouped(
        Result.objects.visible_to(user).filter(inside, stage__campaign=campaign), column, True, n=Count("id")
    )
    late = Q(stage__status=StageStatus.SCORING, stage__deadline__lt=on, entry__status=EntryStatus.ACTIVE)
    assignments = _grouped(
        RaterAssignment.objects.visible_to(user)
        .filter(inside, stage__campaign=campaign)
        .annotate(has_sheet=submitted_sheet()),
        column,
        True,
        n=Count("id"),
        submitted=Count("id", filter=Q(has_sheet=True)),
        overdue=Count("id", filter=late & Q(has_sheet=False)),
    )

    progress = []
    for number, stage in enumerate(stages):
        seen = {key for (stage_id, key) in entries if stage_id == stage.pk} | {
            key for (stage_id, key) in assignments if stage_id == stage.pk
        }
        if number == 0:
            seen |= {key for (_none, key) in nominations}
        # Rows straight at ``org`` (a household of a village in no group): a row of their own.
        loose_key = None if child_level else org.pk
        rows = []
        for child in [*children, *([None] if loose_key in seen else [])]:
            key = child.pk if child is not None else loose_key
            figures = Figures(org=child)
            if number == 0:
                nominated = nominations.get((None, key), {})
                figures.nominated, figures.pending = nominated.get("n", 0), nominated.get("pending", 0)
            figures.entries = entries.get((stage.pk, key), {}).get("n", 0)
            assigned = assignments.get((stage.pk, key), {})
            figures.assigned = assigned.get("n", 0)
            figures.submitted = assigned.get("submitted", 0)
            figures.overdue = assigned.get("overdue", 0)
            figures.missing = figures.assigned - figures.submitted
            rows.append(figures)
        whole = Figures(org=org)
        for figures in rows:
            whole.add(figures)
        progress.append(
            StageProgress(
                stage=stage,
                overdue_possible=stage.status == StageStatus.SCORING and stage.deadline < on,
                whole=whole,
                rows=rows,
            )
        )
    return progress, children


# --- The campaign's lists: one FilterSet each, for the page and its export ------------------


def campaign_filter(field_name: str = "campaign") -> VisibleRowFilter:
    return VisibleRowFilter(
        model=Campaign,
        message=_("No campaign with id %(value)s in your area."),
        label=_("Campaign"),
        required=True,
        field_name=field_name,
    )


class CampaignListFilter(ScopedFilterSet):
    """Rows of one campaign (``campaign``, required: its id, among those the user sees),
    at or below an organisation (``org``)."""

    campaign = campaign_filter()
    org = OrgFilter(help_text=_("Only rows at or below this organisation."))

    class Meta:
        fields: list[str] = []


class StageField(django_filters.NumberFilter):
    """``stage``: a stage (by id) of the campaign filtered on."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Stage"))
        kwargs.setdefault("field_name", "stage_id")
        super().__init__(**kwargs)


class NominationListFilter(CampaignListFilter):
    status = django_filters.ChoiceFilter(choices=NominationStatus.choices, label=_("Status"))
    source = django_filters.ChoiceFilter(choices=NominationSource.choices, label=_("Nominated by"))

    class Meta:
        model = Nomination
        fields: list[str] = []

    def filter_queryset(self, queryset: Any) -> Any:
        return super().filter_queryset(queryset).select_related("org__parent", "household").order_by("id")


class EntryListFilter(CampaignListFilter):
    status = django_filters.ChoiceFilter(choices=EntryStatus.choices, label=_("Status"))
    stage = StageField(label=_("Stage reached"))

    class Meta:
        model = Entry
        fields: list[str] = []

    def filter_queryset(self, queryset: Any) -> Any:
        return super().filter_queryset(queryset).select_related("org__parent", "household", "stage").order_by("id")


SHEET_STATES = [
    ("submitted", _("Sheet submitted")),
    ("missing", _("Sheet missing")),
    ("overdue", _("Overdue")),
]


class AssignmentListFilter(CampaignListFilter):
    """Rater assignments with their sheet's state; ``sheet=overdue``: the overdue list."""

    campaign = campaign_filter("stage__campaign")
    stage = StageField()
    sheet = django_filters.ChoiceFilter(choices=SHEET_STATES, label=_("Sheet"), method="filter_sheet")

    class Meta:
        model = RaterAssignment
        fields: list[str] = []

    def filter_sheet(self, queryset: Any, name: str, value: str) -> Any:
        from fulian.campaigns.services.common import today

        if value == "submitted":
            return queryset.filter(has_sheet=True)
        if value == "missing":
            return queryset.filter(has_sheet=False)
        return queryset.filter(overdue_q(today()))

    def filter_queryset(self, queryset: Any) -> Any:
        rows = queryset.annotate(has_sheet=submitted_sheet())
        return (
            super()
            .filter_queryset(rows)
            .select_related("org__parent", "entry__household", "person", "stage")
            .order_by("id")
        )


class SheetListFilter(CampaignListFilter):
    campaign = campaign_filter("stage__campaign")
    stage = StageField()
    status = django_filters.ChoiceFilter(choices=SheetStatus.choices, label=_("Status"))

    class Meta:
        model = ScoreSheet
        fields: list[str] = []

    def filter_queryset(self, queryset: Any) -> Any:
        return (
            super()
            .filter_queryset(queryset)
            .select_related("org__parent", "entry__household", "rater", "stage")
            .order_by("id")
        )


class ObjectionListFilter(CampaignListFilter):
    campaign = campaign_filter("publicity__stage__campaign")
    publicity = VisibleRowFilter(
        model=Publicity, message=_("No publicity with id %(value)s in your area."), label=_("Publicity")
    )
    status = django_filters.ChoiceFilter(choices=ObjectionStatus.choices, label=_("Status"))

    class Meta:
        model = Objection
        fields: list[str] = []

    def filter_queryset(self, queryset: Any) -> Any:
        return (
            super()
            .filter_queryset(queryset)
            .select_related("org__parent", "entry__household", "publicity__stage")
            .order_by("id")
        )


class AwardListFilter(CampaignListFilter):
    revoked = django_filters.ChoiceFilter(
        choices=[("0", _("Standing")), ("1", _("Revoked"))], label=_("Revoked"), method="filter_revoked"
    )

    class Meta:
        model = Award
        fields: list[str] = []

    def filter_revoked(self, queryset: Any, name: str, value: str) -> Any:
        return queryset.filter(revoked_on__isnull=value == "0")

    def filter_queryset(self, queryset: Any) -> Any:
        return (
            super()
            .filter_queryset(queryset)
            .select_related("org__parent", "household", "stage")
            .order_by("-issued_on", "certificate_no")
        )


# --- A rater's own list ---------------------------------------------------------------------

SCORED_STATUSES = (StageStatus.SCORING, StageStatus.RANKED)


def _submitted() -> Exists:
    return Exists(ScoreSheet.objects.filter(assignment=OuterRef("pk"), status=SheetStatus.SUBMITTED))


def my_assignments(user: AnyUser) -> QuerySet[RaterAssignment]:
    """The user's own assignments (through the people records linked to her account) in
    stages being scored, within what her roles let her score; not yet scored first, then the
    nearest deadline."""
    return (
        RaterAssignment.objects.visible_to(user, "campaigns.score")
        .filter(person__account_id=user.pk, stage__status__in=SCORED_STATUSES)
        .annotate(done=_submitted())
        .select_related("stage__campaign", "entry__household__org")
        .only(
            "pk",
            "stage__deadline",
            "stage__level",
            "stage__campaign__name",
            "stage__campaign__year",
            "entry__household__head_name",
            "entry__household__address",
            "entry__household__org__display_name",
        )
        .order_by("done", "stage__deadline", "pk")
    )


def to_score(user: AnyUser) -> int:
    """How many households the user still has to score (the home page's reminder)."""
    return (
        RaterAssignment.objects.visible_to(user, "campaigns.score")
        .filter(person__account_id=user.pk, stage__status__in=SCORED_STATUSES)
        .exclude(sheets__status=SheetStatus.SUBMITTED)
        .count()
    )
