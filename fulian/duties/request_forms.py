"""The 她代表 request forms: recording one on a phone (big buttons, her own households first,
then a pinyin search in her area), and the small form of each step on the request's page. The
services check everything again; these forms only give their messages a field to stand beside."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fulian.core.forms import Form
from fulian.duties.choices import Category, RequestKind, Satisfaction, Urgency
from fulian.duties.models import TEXT_MAX_LENGTH
from fulian.duties.services.requests import MAX_PHOTOS
from fulian.grid.contact_forms import MultipleFileInput
from fulian.households.models import Household, HouseholdMember
from fulian.people.models import Person

WHOM_MAX_LENGTH = 100
HOUSEHOLD_PREFIX = "h"
MEMBER_PREFIX = "m"


class PhotosField(forms.FileField):
    """Up to six photos; each is checked (an image, not too large) and re-encoded by the service."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:  # type: ignore[override]
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > MAX_PHOTOS:
            raise forms.ValidationError(_("At most %(n)d photos.") % {"n": MAX_PHOTOS})
        return files


def _photos_field() -> PhotosField:
    field = PhotosField(
        label=gettext_lazy("Photos"),
        required=False,
        help_text=gettext_lazy("Up to 6 photos."),
    )
    field.widget.attrs["accept"] = "image/*"
    return field


def target_value(target: Household | HouseholdMember) -> str:
    prefix = HOUSEHOLD_PREFIX if isinstance(target, Household) else MEMBER_PREFIX
    return f"{prefix}{target.pk}"


def target_label(target: Household | HouseholdMember) -> str:
    """A household by its head, a person with her household's head; and the village (no phone)."""
    if isinstance(target, Household):
        name = _("Household of %(name)s") % {"name": target.head_name}
    else:
        name = _("%(name)s (household of %(head)s)") % {"name": target.name, "head": target.household.head_name}
    place = target.org.display_name if target.org_id else ""
    return f"{name} · {place}" if place else name


class TargetField(forms.ChoiceField):
    """The household (``h12``) or person (``m34``) the request is for, among those the view
    found in the user's area; another value is "not found", whether it exists elsewhere or not."""

    def __init__(self, *, visible: dict[str, Household | HouseholdMember], **kwargs: Any) -> None:
        self.visible = visible
        super().__init__(**kwargs)

    def valid_value(self, value: str) -> bool:
        return value in self.visible

    def validate(self, value: Any) -> None:
        if value and value not in self.visible:
            raise forms.ValidationError(_("No household or person %(value)s in your area."), params={"value": value})

    def clean(self, value: Any) -> Household | HouseholdMember | None:  # type: ignore[override]
        value = super().clean(value)
        return self.visible.get(value) if value else None


class RequestForm(Form):
    """A need or a suggestion: what about, how urgent, for whom (optional), what, photos."""

    representative = forms.ModelChoiceField(
        label=gettext_lazy("Her representative (她代表)"),
        queryset=Person.objects.none(),
        empty_label=gettext_lazy("— choose the executive member —"),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Need or suggestion"),
        choices=RequestKind.choices,
        widget=forms.RadioSelect,
        initial=RequestKind.NEED,
    )
    category = forms.ChoiceField(label=gettext_lazy("Category"), choices=Category.choices, widget=forms.RadioSelect)
    urgency = forms.ChoiceField(
        label=gettext_lazy("Urgency"), choices=Urgency.choices, widget=forms.RadioSelect, initial=Urgency.NORMAL
    )
    whom = forms.CharField(
        label=gettext_lazy("Or her name in words"),
        max_length=WHOM_MAX_LENGTH,
        required=False,
        help_text=gettext_lazy("When she is not on the books, or not chosen above."),
    )
    description = forms.CharField(
        label=gettext_lazy("What she needs or suggests"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    photos = _photos_field()
    client_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args: Any,
        offered: list[Household | HouseholdMember],
        visible: dict[str, Household | HouseholdMember],
        representatives: QuerySet[Person] | None,
        **kwargs: Any,
    ) -> None:
        """``offered``: the households shown as choices (hers, or the one the page was opened
        for); ``visible``: every value that may be chosen (the offered and those found by the
        search); ``representatives``: the 她代表 staff may record for, None when she records
        as herself."""
        super().__init__(*args, **kwargs)
        self.fields["target"] = TargetField(
            visible=visible,
            label=_("For whom (optional)"),
            required=False,
            choices=[("", _("Nobody in particular"))] + [(target_value(t), target_label(t)) for t in offered],
            widget=forms.RadioSelect,
        )
        self.order_fields(
            ["representative", "kind", "category", "urgency", "target", "whom", "description", "photos", "client_key"]
        )
        if representatives is None:
            del self.fields["representative"]
        else:
            self.fields["representative"].queryset = representatives  # type: ignore[attr-defined]
        self.fields["description"].widget.attrs["maxlength"] = TEXT_MAX_LENGTH

    def household_and_member(self) -> tuple[Household | None, HouseholdMember | None]:
        target = self.cleaned_data.get("target")
        if isinstance(target, HouseholdMember):
            return target.household, target
        return target, None


# --- the steps, each a small form on the request's page -------------------------------------


def _note(label: Any, *, required: bool = False, rows: int = 2) -> forms.CharField:
    field = forms.CharField(
        label=label, max_length=TEXT_MAX_LENGTH, required=required, widget=forms.Textarea(attrs={"rows": rows})
    )
    field.widget.attrs["maxlength"] = TEXT_MAX_LENGTH
    return field


class AcceptForm(Form):
    prefix = "accept"
    note = _note(gettext_lazy("Note (optional)"))


class AssignForm(Form):
    prefix = "assign"
    assignee: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=gettext_lazy("Assign to"),
        queryset=None,
        empty_label=gettext_lazy("— choose a person —"),
    )
    note = _note(gettext_lazy("Note (optional)"))

    def __init__(self, *args: Any, people: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        field.queryset = people  # type: ignore[attr-defined]
        field.label_from_instance = lambda user: user.full_name or user.username  # type: ignore[attr-defined]


class EscalateForm(Form):
    prefix = "escalate"
    reason = _note(gettext_lazy("Why the level above is needed"), required=True)


class UpdateForm(Form):
    prefix = "update"
    note = _note(gettext_lazy("What was done so far"), required=True, rows=3)
    photos = _photos_field()


class AnswerForm(Form):
    prefix = "answer"
    answer = _note(gettext_lazy("The answer given to her"), required=True, rows=4)


class RateForm(Form):
    prefix = "rate"
    satisfaction = forms.ChoiceField(
        label=gettext_lazy("Her satisfaction"), choices=Satisfaction.choices, widget=forms.RadioSelect
    )
    note = _note(gettext_lazy("What she said (optional)"))


class CloseForm(Form):
    prefix = "close"
    note = _note(gettext_lazy("Why it is closed without her satisfaction"), required=True)


ACTION_FORMS: dict[str, type[Form]] = {
    "accept": AcceptForm,
    "assign": AssignForm,
    "escalate": EscalateForm,
    "update": UpdateForm,
    "answer": AnswerForm,
    "rate": RateForm,
    "close": CloseForm,
}
