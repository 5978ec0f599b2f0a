from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from fulian.core.forms import Form, MaskedStoredMixin
from fulian.core.scoping import AnyUser
from fulian.households.choices import HouseholdCategory, MemberCategory, Relation
from fulian.orgs.forms import OrgChoiceField
from fulian.people.choices import Gender

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class FlagsField(forms.TypedMultipleChoiceField):
    """Categories as ticked boxes, stored as the sum of their bit flags."""

    def __init__(self, *, choices: type[models.IntegerChoices], **kwargs: Any) -> None:
        self.flag_choices = choices
        super().__init__(
            choices=choices.choices, coerce=int, required=False, widget=forms.CheckboxSelectMultiple, **kwargs
        )

    def clean(self, value: Any) -> int:  # type: ignore[override]
        return sum(set(super().clean(value)))

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, int):
            return [flag for flag, _label in self.flag_choices.choices if value & flag]
        return value


class HouseholdForm(MaskedStoredMixin, Form):
    head_name = forms.CharField(label=_("Head of household"), max_length=50)
    id_number = forms.CharField(label=_("Head's ID number"), max_length=30, required=False)
    mobile = forms.CharField(
        label=_("Phone"), max_length=20, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    members_count = forms.IntegerField(
        label=_("Number of people"),
        min_value=1,
        max_value=99,
        required=False,
        help_text=_(
            "Leave empty to count the members listed (the head counts as one unless listed); "
            "a number written here stays until you empty it."
        ),
    )
    categories = FlagsField(label=_("Categories"), choices=HouseholdCategory)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(
        self, *args: Any, user: AnyUser, editing: bool = False, stored: dict[str, str] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.editing = editing
        self.fields["org"] = OrgChoiceField(
            user=user,
            action="households.change",
            label=_("Village or group"),
            help_text=_("The village, or the village group, the household lives in."),
        )
        self.order_fields(["org", "head_name"])
        self.mask_stored(stored or {})


class MemberForm(MaskedStoredMixin, Form):
    name = forms.CharField(label=_("Full name"), max_length=50)
    relation = forms.ChoiceField(label=_("Relation to the head"), choices=[("", "—"), *Relation.choices])
    id_number = forms.CharField(label=_("ID number"), max_length=30, required=False)
    gender = forms.ChoiceField(label=_("Gender"), choices=[("", "—"), *Gender.choices], required=False)
    birth_date = forms.DateField(label=_("Date of birth"), required=False, widget=DATE)
    categories = FlagsField(label=_("Categories"), choices=MemberCategory)

    def __init__(self, *args: Any, stored: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.mask_stored(stored or {})
