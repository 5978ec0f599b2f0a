"""The grid's forms: make an assignment (the areas or households a 执委 may take, each with who
answers for it now), end one, change one. The services check everything again."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fulian.core.forms import Form
from fulian.core.scoping import AnyUser
from fulian.core.words import list_text
from fulian.grid import coverage
from fulian.grid.choices import Mode
from fulian.grid.models import NOTE_MAX_LENGTH, PARTNER_MAX_LENGTH, Assignment, active_q
from fulian.grid.services import PARTNER_REQUIRED, TAKES
from fulian.households.models import Household
from fulian.orgs.choices import Level
from fulian.orgs.models import Organisation
from fulian.people.models import Post

# One line each under the modes' radio buttons: what the mode means on the ground.
MODE_HELP: dict[str, Any] = {
    Mode.NEARBY: _("One executive member answers for the area alone; nobody else may take it one to one."),
    Mode.CIRCUIT: _("She visits in turn: one member for several areas, or several for one."),
    Mode.STATIONED: _("She is stationed in the area on set days."),
    Mode.JOINT: _("Shared with the village grid worker: name the grid worker below."),
}
REASON_MAX_LENGTH = 200


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


@dataclass
class TargetOption:
    """One area or household a 执委 may take, with who answers for it today."""

    value: str  # "o<id>" for an organisation, "h<id>" for a household: one list of checkboxes
    target: Organisation | Household
    label: str
    place: str = ""  # a household's group (or village)
    responsible: list[str] = field(default_factory=list)  # "name (mode)" of today's direct assignments
    covered: bool | None = None  # a household's flag: covered directly or through her group or village

    @property
    def is_household(self) -> bool:
        return isinstance(self.target, Household)

    @property
    def responsible_text(self) -> str:
        return list_text(self.responsible)


def target_options(user: AnyUser, post: Post) -> list[TargetOption]:
    """What ``post``'s 执委 may take, among what ``user`` may assign: her county's townships,
    her township's villages, or her village, its groups and its households. A few queries,
    whatever the number of households."""
    home = post.org
    orgs = Organisation.objects.visible_to(user, "grid.assign")
    households: list[Household] = []
    if home.level == Level.VILLAGE:
        areas = list(orgs.filter(Q(pk=home.pk) | Q(parent=home, level=Level.GROUP)).order_by("level", "code"))
        areas.sort(key=lambda o: o.level != Level.VILLAGE)  # the whole village first, then its groups
        households = list(
            Household.objects.visible_to(user, "grid.assign")
            .filter(village_id=home.pk)
            .select_related("org")
            .order_by("org__code", "head_name", "id")
        )
        current = Assignment.objects.visible_to(user).filter(active_q(coverage.today()), village_id=home.pk)
        current = current.filter(tier=Level.VILLAGE)
    elif home.level in TAKES:
        areas = list(orgs.filter(path__startswith=home.path, level=TAKES[home.level]).order_by("code"))
        current = Assignment.objects.visible_to(user).filter(
            active_q(coverage.today()), tier=home.level, target_org__in=[o.pk for o in areas]
        )
    else:
        return []
    who: dict[tuple[str, int], list[str]] = defaultdict(list)
    for org_id, household_id, name, mode in current.values_list(
        "target_org_id", "household_id", "person__name", "mode"
    ):
        key = ("h", household_id) if household_id else ("o", org_id)
        who[key].append(f"{name} · {Mode(mode).label}")
    options = [
        TargetOption(value=f"o{o.pk}", target=o, label=o.display_name, responsible=who[("o", o.pk)]) for o in areas
    ]
    for h in households:
        place = h.org.display_name if h.org_id != home.pk else ""
        options.append(
            TargetOption(
                value=f"h{h.pk}",
                target=h,
                label=h.head_name,
                place=place,
                responsible=who[("h", h.pk)],
                covered=h.covered,
            )
        )
    return options


class AssignmentForm(Form):
    """Make one 执委 responsible for the areas or households chosen (``options``: what she may
    take), in one mode, from a date."""

    targets = forms.MultipleChoiceField(
        label=_("Areas and households"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one area or household."),
            "invalid_choice": _("%(value)s is not an area or household she can take in your area."),
        },
    )
    mode = forms.ChoiceField(
        label=_("Mode"),
        choices=Mode.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how she takes responsibility.")},
    )
    partner = forms.CharField(
        label=_("Shared with (grid worker)"),
        max_length=PARTNER_MAX_LENGTH,
        required=False,
        help_text=_("Required for 合力联动: the village grid worker's name."),
    )
    start_date = forms.DateField(label=_("Start date"), widget=_date_input())
    end_date = forms.DateField(
        label=_("End date"), required=False, widget=_date_input(), help_text=_("Her last day; empty while open.")
    )
    note = forms.CharField(
        label=_("Note"), max_length=NOTE_MAX_LENGTH, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, options: list[TargetOption], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.options = options
        self.by_value = {o.value: o for o in options}
        self.fields["targets"].choices = [(o.value, o.label) for o in options]  # type: ignore[attr-defined]
        self.fields["start_date"].initial = coverage.today()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("mode") == Mode.JOINT and not data.get("partner"):
            self.add_error("partner", str(PARTNER_REQUIRED))
        return data

    def chosen(self) -> list[Organisation | Household]:
        """The targets ticked, in the order of the page."""
        ticked = set(self.cleaned_data["targets"])
        return [o.target for o in self.options if o.value in ticked]

    def option_rows(self) -> list[tuple[TargetOption, bool]]:
        """Each option with whether it is ticked (kept on error)."""
        ticked = set(self["targets"].value() or [])
        return [(o, o.value in ticked) for o in self.options]


class AssignmentEndForm(Form):
    """End a responsibility: her last day and why."""

    end_date = forms.DateField(label=_("Last day"), widget=_date_input())
    end_reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX_LENGTH, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["end_date"].initial = coverage.today()


class PostChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Post) -> str:
        return f"{obj.person.name} · {obj.get_kind_display()}"


class AssignmentChangeForm(Form):
    """Hand a responsibility over to another 执委 of the same federation, or change how it is
    held, from a date (the old assignment ends the day before)."""

    on = forms.DateField(label=_("From"), widget=_date_input())
    post = PostChoiceField(
        label=_("Responsible executive member"),
        queryset=Post.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("Choose a current executive member of the same federation.")},
    )
    mode = AssignmentForm.base_fields["mode"]
    partner = AssignmentForm.base_fields["partner"]
    note = AssignmentForm.base_fields["note"]

    def __init__(self, *args: Any, user: AnyUser, assignment: Assignment, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "on": coverage.today(),
                "post": assignment.post_id,
                "mode": assignment.mode,
                "partner": assignment.partner,
                "note": assignment.note,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["post"].queryset = (  # type: ignore[attr-defined]
            Post.objects.visible_to(user, "grid.assign")
            .filter(Q(end_date__isnull=True) | Q(pk=assignment.post_id), org_id=assignment.post.org_id)
            .select_related("person")
            .order_by("person__name", "id")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("mode") == Mode.JOINT and not data.get("partner"):
            self.add_error("partner", str(PARTNER_REQUIRED))
        return data
