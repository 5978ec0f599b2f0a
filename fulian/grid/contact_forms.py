"""The contact form (what a 执委 did, typed on her phone) and the filters of the contact list."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fulian.core.filters import OrgFilter, ScopedFilterSet, VisibleRowFilter
from fulian.core.forms import Form
from fulian.grid import coverage
from fulian.grid.choices import ContactMode
from fulian.grid.models import NOTE_MAX_LENGTH, Contact
from fulian.grid.services import MAX_PHOTOS
from fulian.households.models import Household
from fulian.people.models import Person

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class HouseholdsField(forms.MultipleChoiceField):
    """Households ticked on the form, by id. Offered: the ones the page was opened for (or her
    own); accepted: any the user may record a contact for. Another id is "not found", the
    same whether it exists elsewhere or not."""

    def __init__(self, *, visible: dict[str, Household], **kwargs: Any) -> None:
        self.visible = visible
        super().__init__(**kwargs)

    def valid_value(self, value: str) -> bool:
        return value in self.visible

    def validate(self, value: Any) -> None:
        for each in value:
            if each not in self.visible:
                raise forms.ValidationError(
                    _("No household with id %(value)s in your area."), code="invalid_choice", params={"value": each}
                )
        super().validate(value)

    def clean(self, value: Any) -> list[Household]:  # type: ignore[override]
        return [self.visible[each] for each in super().clean(value)]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to nine photos; each is checked and re-encoded by the service (``core.photos``)."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:  # type: ignore[override]
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > MAX_PHOTOS:
            raise forms.ValidationError(_("At most %(n)d photos.") % {"n": MAX_PHOTOS})
        return files


def household_label(household: Household) -> str:
    place = household.org.display_name if household.org_id else ""
    return f"{household.head_name} · {place}" if place else household.head_name


class ContactForm(Form):
    """A contact: who (staff choose the 执委; a 执委 is herself), how, when, with which
    households and whom, where, a note and photos. The service checks everything again."""

    person = forms.ModelChoiceField(
        label=gettext_lazy("Executive member"),
        queryset=Person.objects.none(),
        empty_label=gettext_lazy("— choose the executive member —"),
    )
    mode = forms.ChoiceField(
        label=gettext_lazy("How"), choices=ContactMode.choices, widget=forms.RadioSelect, initial=ContactMode.VISIT
    )
    happened_on = forms.DateField(label=gettext_lazy("When"), widget=DATE)
    whom = forms.CharField(
        label=gettext_lazy("Whom"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Who you met or talked to."),
    )
    location = forms.CharField(label=gettext_lazy("Where"), max_length=200, required=False)
    note = forms.CharField(
        label=gettext_lazy("Note"),
        max_length=NOTE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("At most 500 characters."),
    )
    photos = PhotosField(
        label=gettext_lazy("Photos"),
        required=False,
        help_text=gettext_lazy(
            "Up to 9 photos. Photos are not kept if the page is reloaded or the network drops: choose them again."
        ),
    )

    def __init__(
        self,
        *args: Any,
        offered: Sequence[Household],
        visible: dict[str, Household],
        people: QuerySet[Person] | None,
        **kwargs: Any,
    ) -> None:
        """``offered``: the households shown as boxes; ``visible``: those that may be ticked
        (by id); ``people``: the 执委 staff may choose from, None when she records as herself."""
        super().__init__(*args, **kwargs)
        self.fields["household"] = HouseholdsField(
            visible=visible,
            label=_("Households concerned"),
            required=False,
            choices=[(str(h.pk), household_label(h)) for h in offered],
            widget=forms.CheckboxSelectMultiple,
        )
        self.order_fields(["person", "household", "mode", "happened_on", "whom", "location", "note", "photos"])
        if people is None:
            del self.fields["person"]
        else:
            self.fields["person"].queryset = people  # type: ignore[attr-defined]
        today = coverage.today()
        self.fields["happened_on"].widget.attrs["max"] = today.isoformat()
        self.fields["note"].widget.attrs["maxlength"] = NOTE_MAX_LENGTH
        self.fields["photos"].widget.attrs["accept"] = "image/*"

    def clean_happened_on(self) -> datetime.date:
        value: datetime.date = self.cleaned_data["happened_on"]
        if value > coverage.today():
            raise forms.ValidationError(_("This date is in the future."))
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "household" in cleaned and not cleaned["household"] and not cleaned.get("whom"):
            self.add_error("whom", _("Choose the households, or say whom you met."))
        return cleaned


class ContactFilter(ScopedFilterSet):
    """The contact list (``/grid/contacts/``): newest first, narrowed by organisation, 执委,
    household, how and when."""

    org = OrgFilter(help_text=gettext_lazy("Only contacts at or below this organisation."))
    person = VisibleRowFilter(
        model=Person,
        message=gettext_lazy("No person with id %(value)s in your area."),
        label=gettext_lazy("Executive member id"),
    )
    household = VisibleRowFilter(
        model=Household,
        message=gettext_lazy("No household with id %(value)s in your area."),
        label=gettext_lazy("Household id"),
        field_name="households",
    )
    mode = django_filters.ChoiceFilter(
        label=gettext_lazy("How"), choices=ContactMode.choices, empty_label=gettext_lazy("Any way")
    )
    since = django_filters.DateFilter(
        label=gettext_lazy("From"), field_name="happened_on", lookup_expr="gte", widget=DATE
    )
    until = django_filters.DateFilter(
        label=gettext_lazy("To"), field_name="happened_on", lookup_expr="lte", widget=DATE
    )

    class Meta:
        model = Contact
        fields: list[str] = []

    def filter_queryset(self, queryset: Any) -> Any:
        return super().filter_queryset(queryset).order_by("-happened_on", "-id")
