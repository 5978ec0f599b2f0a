"""The forms of the points scheme pages: a scheme, a version's settings, its adoption, and the
categories, rules, levels and 礼遇褒奖 of a draft. They check types and choices; what the values
mean together (caps, reviews, one rule per work mode) is the services' to say, next to the field
(``fulian.core.forms.add_service_errors``), so that the API gets the same answers."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fulian.core.forms import Form
from fulian.grid.models import WorkMode
from fulian.orgs.choices import Level
from fulian.orgs.models import Organisation
from fulian.points.choices import Earner, HolderKind, HonourBasis, Source
from fulian.points.models import NAME_MAX_LENGTH, REASON_MAX_LENGTH, Category, SchemeVersion

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NUMBER = forms.NumberInput(attrs={"inputmode": "numeric"})
# An award earns points at the level it was given: village to city (a province's award is
# the city's to weigh, as a city award).
AWARD_LEVELS = [
    (value, label)
    for value, label in Level.choices
    if value
    in (
        Level.VILLAGE,
        Level.TOWNSHIP,
        Level.COUNTY,
        Level.CITY,
    )
]
MAX_POINTS = 1_000_000


def _number(label: Any, *, required: bool = True, help_text: Any = "") -> forms.IntegerField:
    # No lower bound here: the services say why 0 or less is refused, in their own words.
    return forms.IntegerField(
        label=label,
        required=required,
        max_value=MAX_POINTS,
        min_value=-MAX_POINTS,
        widget=NUMBER,
        help_text=help_text,
    )


class SchemeForm(Form):
    """A new scheme: whose (the city or a county where the user configures), its name, and the
    day its first version (a draft) is to be in force from."""

    org = forms.ModelChoiceField(
        label=_("Federation"), queryset=Organisation.objects.none(), empty_label=None, to_field_name="code"
    )
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX_LENGTH, help_text=_("For example 攸悠我行积分"))
    valid_from = forms.DateField(label=_("In force from"), widget=DATE)

    def __init__(self, *args: Any, orgs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["org"]
        field.queryset = orgs
        field.label_from_instance = lambda org: org.display_name


class VersionNewForm(Form):
    """A new version, copied from the latest, in force from a later day."""

    valid_from = forms.DateField(label=_("In force from"), widget=DATE)


class VersionSettingsForm(Form):
    """A draft's settings."""

    valid_from = forms.DateField(label=_("In force from"), widget=DATE)
    caps_required = forms.BooleanField(label=_("Every rule needs a daily and a yearly cap"), required=False)
    second_review_above = _number(
        _("A manual award or deduction above this many points needs a second reviewer"),
    )


class AdoptForm(Form):
    """Adopting a draft: the day it was adopted and the decision it came from."""

    adopted_on = forms.DateField(label=_("Adopted on"), widget=DATE)
    decision = forms.CharField(
        label=_("Decision"),
        max_length=REASON_MAX_LENGTH,
        help_text=_("The democratic procedure that adopted it, for example 2026年3月村民代表大会表决通过"),
    )


class CategoryForm(Form):
    """A heading of a version's rules."""

    name = forms.CharField(label=_("Name"), max_length=NAME_MAX_LENGTH, help_text=_("For example 履职尽责"))
    position = forms.IntegerField(label=_("Order"), min_value=0, max_value=999, initial=0, widget=NUMBER)


class RuleForm(Form):
    """One rule of a draft. The work modes offered are those in use (and the rule's own, if it
    was retired since); award levels are village to city."""

    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.none(), empty_label=None)
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX_LENGTH, help_text=_("For example 入户走访"))
    source = forms.ChoiceField(label=_("What earns the points"), choices=Source.choices, widget=forms.RadioSelect)
    work_mode = forms.ModelChoiceField(
        label=_("Work mode"),
        queryset=WorkMode.objects.none(),
        required=False,
        empty_label=_("— for duty records —"),
        help_text=_("For a confirmed duty record: its work mode."),
    )
    award_level = forms.ChoiceField(
        label=_("Award level"),
        choices=[("", _("— for campaign awards —")), *AWARD_LEVELS],
        required=False,
        help_text=_("For a campaign award: the level that gave it."),
    )
    points = _number(_("Points"))
    per_hour = forms.BooleanField(label=_("For each hour (duty records and volunteer hours)"), required=False)
    daily_cap = _number(_("At most a day"), required=False, help_text=_("Empty: no cap."))
    yearly_cap = _number(_("At most a year"), required=False, help_text=_("Empty: no cap."))
    photo_required = forms.BooleanField(label=_("A photo is required"), required=False)
    reviews_required = forms.TypedChoiceField(
        label=_("Reviews"),
        choices=[(1, _("One review")), (2, _("Two reviews above a number of points"))],
        coerce=int,
        initial=1,
        widget=forms.RadioSelect,
    )
    two_reviews_above = _number(_("Two reviews above (points)"), required=False)
    earner = forms.ChoiceField(
        label=_("Who earns"),
        choices=Earner.choices,
        initial=Earner.PERSON,
        widget=forms.RadioSelect,
        help_text=_("Household points are earned and shared by the family (共得共享)."),
    )
    position = forms.IntegerField(label=_("Order"), min_value=0, max_value=999, initial=0, widget=NUMBER)

    def __init__(self, *args: Any, version: SchemeVersion, current_mode: WorkMode | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category: Any = self.fields["category"]
        category.queryset = version.categories.all()
        modes = WorkMode.objects.filter(active=True)
        if current_mode is not None:
            modes = WorkMode.objects.filter(active=True) | WorkMode.objects.filter(pk=current_mode.pk)
        mode: Any = self.fields["work_mode"]
        mode.queryset = modes
        mode.label_from_instance = lambda m: m.label


class LevelForm(Form):
    """A named level reached from a number of points earned in all."""

    name = forms.CharField(label=_("Name"), max_length=30, help_text=_("For example 一星"))
    threshold = _number(_("From points earned in all"))


class HonourRuleForm(Form):
    """A 礼遇褒奖 given each year: to the top of each organisation of a level, or to everyone
    from a number of points in the year."""

    title = forms.CharField(label=_("Name"), max_length=NAME_MAX_LENGTH, help_text=_("For example 文明实践之星"))
    basis = forms.ChoiceField(label=_("Given to"), choices=HonourBasis.choices, widget=forms.RadioSelect)
    holder_kind = forms.ChoiceField(label=_("Holders"), choices=HolderKind.choices, initial=HolderKind.PERSON)
    level = forms.ChoiceField(
        label=_("Ranked within each"),
        choices=[(v, label) for v, label in Level.choices if v != Level.PROVINCE and v != Level.GROUP],
        initial=Level.VILLAGE,
    )
    top = forms.IntegerField(label=_("How many at the top"), required=False, min_value=1, max_value=999, widget=NUMBER)
    threshold = forms.IntegerField(
        label=_("From points in the year"), required=False, min_value=1, max_value=MAX_POINTS, widget=NUMBER
    )
    benefit = forms.CharField(
        label=_("What it brings"),
        max_length=REASON_MAX_LENGTH,
        required=False,
        help_text=_("For example 优先推荐评优、免费体检"),
    )
