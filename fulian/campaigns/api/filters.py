"""The filters of the campaigns' API lists. A campaign, stage, entry or person named in a filter
is looked up among the caller's; anything else is a 400 naming the filter."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from fulian.campaigns.choices import (
    CampaignKind,
    CampaignStatus,
    Decision,
    EntryStatus,
    NominationSource,
    NominationStatus,
    ObjectionStatus,
    Outcome,
    SheetStatus,
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
    Rubric,
    ScoreSheet,
    Stage,
)
from fulian.core.filters import OrgFilter, ScopedFilterSet, StrictBooleanFilter, VisibleRowFilter
from fulian.orgs.choices import Level
from fulian.people.models import Person


def visible_stages(user: Any, action: str | None = None) -> QuerySet[Stage]:
    """The stages of the campaigns ``user`` sees (a stage is scoped by its campaign)."""
    return Stage.objects.filter(campaign__in=Campaign.objects.visible_to(user, action))


class StageRowFilter(VisibleRowFilter):
    """``stage``: a stage of a campaign the caller sees, by id."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Stage id"))
        super().__init__(model=Stage, message=_("No stage with id %(value)s in your area."), **kwargs)

    def _visible(self, request: Any) -> QuerySet[Any]:
        return visible_stages(self.parent.user)


def _campaign(**kwargs: Any) -> VisibleRowFilter:
    return VisibleRowFilter(
        model=Campaign, message=_("No campaign with id %(value)s in your area."), label=_("Campaign id"), **kwargs
    )


def _entry() -> VisibleRowFilter:
    return VisibleRowFilter(model=Entry, message=_("No entry with id %(value)s in your area."), label=_("Entry id"))


def _org(help_text: Any) -> OrgFilter:
    return OrgFilter(help_text=help_text)


class CampaignFilter(ScopedFilterSet):
    """Campaigns the caller sees (of her subtree and of the federations above it), newest year
    first."""

    year = django_filters.NumberFilter(label=_("Year"), min_value=2000, max_value=2100)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=CampaignKind.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=CampaignStatus.choices)

    class Meta:
        model = Campaign
        fields: list[str] = []


class RubricFilter(ScopedFilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=CampaignKind.choices)

    class Meta:
        model = Rubric
        fields: list[str] = []


class NominationFilter(ScopedFilterSet):
    campaign = _campaign()
    status = django_filters.ChoiceFilter(label=_("Status"), choices=NominationStatus.choices)
    source = django_filters.ChoiceFilter(label=_("Nominated by"), choices=NominationSource.choices)
    org = _org(_("Nominations at or below this organisation (id or division code)."))

    class Meta:
        model = Nomination
        fields: list[str] = []


class EntryFilter(ScopedFilterSet):
    campaign = _campaign()
    stage = StageRowFilter(help_text=_("Entries that reached this stage (and are there now)."))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=EntryStatus.choices)
    org = _org(_("Entries at or below this organisation (id or division code)."))

    class Meta:
        model = Entry
        fields: list[str] = []


class ResultFilter(ScopedFilterSet):
    stage = StageRowFilter()
    entry = _entry()
    proposed = StrictBooleanFilter(label=_("Proposed for promotion"))
    decision = django_filters.ChoiceFilter(label=_("Adjustment"), choices=Decision.choices)
    outcome = django_filters.ChoiceFilter(label=_("Outcome"), choices=Outcome.choices)
    org = _org(_("Results at or below this organisation (id or division code)."))

    class Meta:
        model = Result
        fields: list[str] = []


class RaterAssignmentFilter(ScopedFilterSet):
    """``mine=true``: the caller's own assignments (a 执委's list on her phone)."""

    stage = StageRowFilter()
    entry = _entry()
    person = VisibleRowFilter(
        model=Person, message=_("No person with id %(value)s in your area."), label=_("Rater's person id")
    )
    mine = StrictBooleanFilter(label=_("Mine"), method="filter_mine", help_text=_("true: only my own assignments."))
    scored = StrictBooleanFilter(
        label=_("Scored"), method="filter_scored", help_text=_("true: with a submitted sheet; false: still to score.")
    )
    org = _org(_("Assignments at or below this organisation (id or division code)."))

    class Meta:
        model = RaterAssignment
        fields: list[str] = []

    def filter_mine(self, queryset: Any, name: str, value: bool | None) -> Any:
        if value is None:
            return queryset
        own = {"person__account": self.user} if self.user.is_authenticated else {"pk__in": []}
        return queryset.filter(**own) if value else queryset.exclude(**own)

    def filter_scored(self, queryset: Any, name: str, value: bool | None) -> Any:
        return queryset if value is None else queryset.filter(scored=value)


class ScoreSheetFilter(ScopedFilterSet):
    stage = StageRowFilter()
    entry = _entry()
    assignment = VisibleRowFilter(
        model=RaterAssignment,
        message=_("No rater assignment with id %(value)s in your area."),
        label=_("Rater assignment id"),
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=SheetStatus.choices)
    org = _org(_("Sheets at or below this organisation (id or division code)."))

    class Meta:
        model = ScoreSheet
        fields: list[str] = []


class PublicityFilter(ScopedFilterSet):
    campaign = _campaign(field_name="stage__campaign")

    class Meta:
        model = Publicity
        fields: list[str] = []


class ObjectionFilter(ScopedFilterSet):
    publicity = VisibleRowFilter(
        model=Publicity, message=_("No publicity with id %(value)s in your area."), label=_("Publicity id")
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ObjectionStatus.choices)

    class Meta:
        model = Objection
        fields: list[str] = []


class AwardFilter(ScopedFilterSet):
    campaign = _campaign()
    revoked = StrictBooleanFilter(label=_("Revoked"), field_name="revoked_on", lookup_expr="isnull", exclude=True)
    level = django_filters.ChoiceFilter(label=_("Level"), field_name="stage__level", choices=Level.choices)
    org = _org(_("Awards at or below this organisation (id or division code)."))

    class Meta:
        model = Award
        fields: list[str] = []
