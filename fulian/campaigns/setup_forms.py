"""The forms of the campaign set-up pages: the campaign list's filters, a campaign with its
stages, a new rubric, and the rubric editor's posted structure. The services check everything
again; these forms only give each mistake its place on the page."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fulian.campaigns.choices import CampaignKind, CampaignStatus, ItemKind
from fulian.campaigns.models import NAME_MAX_LENGTH, STAGE_LEVELS, Campaign, Rubric
from fulian.campaigns.rubrics import TEMPLATES
from fulian.campaigns.services.setup import StageSpec
from fulian.core.filters import ScopedFilterSet
from fulian.core.forms import Form
from fulian.core.scoping import AnyUser
from fulian.orgs.choices import Level
from fulian.orgs.forms import OrgChoiceField

# The organisations that can run a campaign: a federation of a division, not a 村民小组.
RUNNING_LEVELS = (Level.PROVINCE, *reversed(STAGE_LEVELS))
COUNT, SHARE = "count", "share"


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CampaignFilter(ScopedFilterSet):
    """The campaign list (``/campaigns/``), newest year first."""

    search = django_filters.CharFilter(label=_("Name"), max_length=50, method="filter_search")
    year = django_filters.NumberFilter(
        label=_("Year"), min_value=2000, max_value=2100, widget=forms.NumberInput(attrs={"placeholder": _("Year")})
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=CampaignKind.choices, empty_label=_("Any kind"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=CampaignStatus.choices, empty_label=_("Any status"))

    class Meta:
        model = Campaign
        fields: list[str] = []

    def filter_search(self, queryset: Any, name: str, value: str) -> Any:
        text = value.strip()
        return queryset.filter(Q(name__icontains=text) | Q(award_title__icontains=text)) if text else queryset

    def filter_queryset(self, queryset: Any) -> Any:
        return super().filter_queryset(queryset).select_related("org", "rubric").order_by("-year", "-id")


def rubric_choices(user: AnyUser, current: Rubric | None = None) -> list[tuple[Any, Any]]:
    """The rubric select: the rubrics the user sees (``r<id>``), then the shipped examples to
    start from (``t<key>``, a copy is made for the campaign's federation)."""
    rows = Rubric.objects.visible_to(user).select_related("org").order_by("org__path", "name", "-version")
    mine = [(f"r{r.pk}", f"{r.name} v{r.version} · {r.org.display_name}") for r in rows]
    if current is not None and f"r{current.pk}" not in dict(mine):
        mine.insert(0, (f"r{current.pk}", f"{current.name} v{current.version}"))
    examples = [(f"t{key}", str(t["label"])) for key, t in TEMPLATES.items()]
    return [
        ("", _("— choose a rubric —")),
        (_("Rubrics of your federations"), mine),
        (_("Start from an example (a copy is made)"), examples),
    ]


class CampaignForm(Form):
    """A campaign's settings; its stages are the ``StageFormSet`` beside it."""

    org = forms.Field(label=_("Organised by"))  # replaced by the picker in __init__ (creating only)
    kind = forms.ChoiceField(label=_("Kind"), choices=CampaignKind.choices)
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX_LENGTH)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    rubric = forms.ChoiceField(label=_("Rubric"))
    description = forms.CharField(
        label=_("Description"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    nominations_open = forms.BooleanField(
        label=_("The public may nominate (群众举荐, 自荐) on the public page"), required=False
    )
    nominations_until = forms.DateField(
        label=_("Nominations close after"),
        required=False,
        widget=_date_input(),
        help_text=_("Leave empty to keep nominations open until the campaign is opened."),
    )
    vote_weight = forms.IntegerField(
        label=_("Public vote weight (%)"),
        min_value=0,
        max_value=50,
        initial=0,
        help_text=_("Its share of the top stage's score, from 0 (no public vote) to 50 percent."),
    )
    award_title = forms.CharField(
        label=_("Award title"),
        required=False,
        max_length=NAME_MAX_LENGTH,
        help_text=_("As printed on the certificate, such as 2026年度株洲市最美庭院."),
    )

    def __init__(self, *args: Any, user: AnyUser, campaign: Campaign | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user, self.campaign = user, campaign
        self.fields["rubric"].choices = rubric_choices(user, campaign.rubric if campaign else None)  # type: ignore[attr-defined]
        if campaign is None:
            self.fields["org"] = OrgChoiceField(user=user, action="campaigns.manage", label=_("Organised by"))
        else:
            del self.fields["org"]  # a campaign stays with the federation that made it
            if campaign.status != CampaignStatus.DRAFT:
                for name in ("kind", "year", "rubric", "vote_weight"):
                    self.fields[name].disabled = True
                    self.fields[name].help_text = _("Fixed once the campaign is under way.")

    def clean_org(self) -> Any:
        org = self.cleaned_data.get("org")
        if org is not None and org.level not in RUNNING_LEVELS:
            raise ValidationError(_("Choose a federation of a city, county, township or village."))
        return org

    def clean_rubric(self) -> str:
        value: str = self.cleaned_data["rubric"]
        if self.campaign is not None and self.fields["rubric"].disabled:
            return value
        if value.startswith("t") and value[1:] in TEMPLATES:
            return value
        if value.startswith("r") and value[1:].isdigit():
            return value
        raise ValidationError(_("Choose a rubric."))

    def chosen_rubric(self) -> tuple[Rubric | None, str | None]:
        """The rubric chosen (visible to the user), or the key of the example to copy."""
        if self.campaign is not None and self.fields["rubric"].disabled:
            return self.campaign.rubric, None
        value = self.cleaned_data.get("rubric") or ""
        if value.startswith("t"):
            return None, value[1:]
        found = Rubric.objects.visible_to(self.user).filter(pk=int(value[1:])).first() if value[1:].isdigit() else None
        if found is None:
            self.add_error("rubric", _("Choose a rubric."))
        return found, None


class StageForm(Form):
    """One row of the stages table. A row without a level is left out (that is how a page
    without JavaScript removes one)."""

    level = forms.ChoiceField(
        label=_("Level"),
        required=False,
        choices=[("", _("— no stage —")), *[(str(v), label) for v, label in Level.choices if v in STAGE_LEVELS]],
    )
    deadline = forms.DateField(label=_("Scoring deadline"), required=False, widget=_date_input())
    raters = forms.IntegerField(label=_("Raters per household"), required=False, min_value=1, max_value=15)
    quota = forms.DecimalField(label=_("Quota"), required=False, min_value=Decimal("0.01"), decimal_places=2)
    quota_unit = forms.ChoiceField(
        label=_("Quota as"), choices=[(COUNT, _("households")), (SHARE, _("percent"))], initial=COUNT
    )
    publicity_days = forms.IntegerField(
        label=_("Publicity (working days)"), required=False, min_value=0, max_value=30, initial=0
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("level"):
            return data
        for name in ("deadline", "raters", "quota"):
            if data.get(name) is None and name not in self.errors:
                self.add_error(name, _("This field is required."))
        quota = data.get("quota")
        if quota is not None and data.get("quota_unit") == COUNT and quota != quota.to_integral_value():
            self.add_error("quota", _("A number of households is a whole number."))
        if quota is not None and data.get("quota_unit") == SHARE and quota > 100:
            self.add_error("quota", _("A share is at most 100 percent."))
        return data

    def spec(self) -> StageSpec | None:
        data = self.cleaned_data
        if not data.get("level"):
            return None
        share = data["quota_unit"] == SHARE
        return StageSpec(
            level=data["level"],
            deadline=data["deadline"],
            raters=data["raters"],
            quota_count=None if share else int(data["quota"]),
            quota_share=data["quota"] if share else None,
            publicity_days=data.get("publicity_days") or 0,
        )


StageFormSet = forms.formset_factory(StageForm, extra=0, max_num=len(STAGE_LEVELS), validate_max=True)


def stage_initial(campaign: Campaign | None, year: int) -> list[dict[str, Any]]:
    """The stages table as it opens: the campaign's stages, or a village and a township stage."""
    if campaign is not None:
        return [
            {
                "level": s.level,
                "deadline": s.deadline,
                "raters": s.raters,
                "quota": s.quota_count if s.quota_count is not None else s.quota_share,
                "quota_unit": COUNT if s.quota_count is not None else SHARE,
                "publicity_days": s.publicity_days,
            }
            for s in campaign.stages.order_by("order")
        ]
    return [
        {"level": Level.VILLAGE, "deadline": datetime.date(year, 9, 30), "raters": 3, "quota": 2, "quota_unit": COUNT},
        {
            "level": Level.TOWNSHIP,
            "deadline": datetime.date(year, 11, 30),
            "raters": 3,
            "quota": 3,
            "quota_unit": COUNT,
            "publicity_days": 5,
        },
    ]


def stage_specs(formset: Any) -> list[StageSpec]:
    return [spec for form in formset.forms if (spec := form.spec()) is not None]


class RubricCreateForm(Form):
    """A new rubric: a copy of a shipped example, or a blank one to fill in the editor."""

    BLANK = "blank"

    org = forms.Field(label=_("Federation"))
    start = forms.ChoiceField(label=_("Start from"))
    name = forms.CharField(
        label=_("Name"),
        required=False,
        max_length=NAME_MAX_LENGTH,
        help_text=_("Leave empty to keep the example's name."),
    )
    kind = forms.ChoiceField(label=_("Kind of campaign"), choices=CampaignKind.choices)

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"] = OrgChoiceField(user=user, action="campaigns.manage", label=_("Federation"))
        self.fields["start"].choices = [  # type: ignore[attr-defined]
            *[(key, str(t["label"])) for key, t in TEMPLATES.items()],
            (self.BLANK, _("A blank rubric (one section, one item, to fill in)")),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") == self.BLANK and not data.get("name"):
            self.add_error("name", _("Give the blank rubric a name."))
        return data


BLANK_SECTIONS = [{"name": "一、", "items": [{"name": "……", "kind": ItemKind.POINTS, "max_points": Decimal(10)}]}]

_SECTION = re.compile(r"^section-(\d{1,4})-name$")
_ITEM = re.compile(r"^item-(\d{1,4})-(\d{1,4})-(name|kind|max_points|per_fault|allow_na|guidance)$")
ITEM_FIELDS = ("name", "kind", "max_points", "per_fault", "guidance")


def posted_sections(data: Any) -> list[dict[str, Any]]:
    """The rubric editor's fields (``section-<s>-name``, ``item-<s>-<i>-<field>``) as the
    service's structure, in the order of their numbers. An item row left entirely blank (the
    spare row a page without JavaScript offers) is left out; so is a blank section."""
    sections: dict[int, dict[str, Any]] = {}
    items: dict[tuple[int, int], dict[str, Any]] = {}
    for key in data:
        if m := _SECTION.match(key):
            sections.setdefault(int(m[1]), {})["name"] = data.get(key, "")
        elif m := _ITEM.match(key):
            value: Any = data.get(key, "")
            items.setdefault((int(m[1]), int(m[2])), {})[m[3]] = value
    built: list[dict[str, Any]] = []
    for s in sorted(sections):
        rows = []
        for (sec, _n), item in sorted(items.items()):
            if sec != s:
                continue
            if not any(str(item.get(f) or "").strip() for f in ("name", "max_points", "per_fault", "guidance")):
                continue
            rows.append(
                {
                    "name": item.get("name", ""),
                    "kind": item.get("kind") or ItemKind.POINTS,
                    "max_points": (item.get("max_points") or "").strip(),
                    "per_fault": (item.get("per_fault") or "").strip() or None,
                    "allow_na": item.get("allow_na") in ("1", "on", "true"),
                    "guidance": item.get("guidance", ""),
                }
            )
        name = str(sections[s].get("name") or "").strip()
        if not name and not rows:
            continue
        built.append({"name": name, "items": rows})
    return built
