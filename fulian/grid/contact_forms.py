"""The duty record form (履职记录: what a 执委 did, typed on her phone in under a minute) and
the filters of the staff's list of records."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fulian.core.filters import OrgFilter, ScopedFilterSet, VisibleRowFilter
from fulian.core.forms import Form
from fulian.grid import coverage
from fulian.grid.choices import ContactMode, RecordStatus
from fulian.grid.models import NOTE_MAX_LENGTH, Contact, WorkMode
from fulian.grid.services import MAX_PHOTOS
from fulian.households.models import Household, HouseholdMember
from fulian.orgs.models import Organisation
from fulian.people.models import Person

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# The time spent offered on the form: 0.5 h to 12 h, in half hours (the service takes up to 24 h).
FORM_HALF_HOURS = 24
DEFAULT_HALF_HOURS = 2
REASON_MAX_LENGTH = 200


def hours_label(half_hours: int) -> str:
    return _("%(hours)s h") % {"hours": f"{half_hours / 2:g}"}


def hours_choices() -> list[tuple[int, str]]:
    """Worded in the reader's language when the form is shown (not when the module loads)."""
    return [(n, hours_label(n)) for n in range(1, FORM_HALF_HOURS + 1)]


class RowsField(forms.MultipleChoiceField):
    """Rows ticked on the form, by id. Offered: the ones the page shows; accepted: any the user
    may record for (``visible``). Another id is "not found", the same whether it exists
    elsewhere or not."""

    def __init__(self, *, visible: dict[str, Any], message: str, **kwargs: Any) -> None:
        self.visible, self.message = visible, message
        super().__init__(**kwargs)

    def valid_value(self, value: str) -> bool:
        return value in self.visible

    def validate(self, value: Any) -> None:
        for each in value:
            if each not in self.visible:
                raise forms.ValidationError(self.message, code="invalid_choice", params={"value": each})
        super().validate(value)

    def clean(self, value: Any) -> list[Any]:  # type: ignore[override]
        return [self.visible[each] for each in super().clean(value)]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to six photos; each is checked and re-encoded by the service (``core.photos``)."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:  # type: ignore[override]
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > MAX_PHOTOS:
            raise forms.ValidationError(_("At most %(n)d photos.") % {"n": MAX_PHOTOS})
        return files


def household_label(household: Household) -> str:
    place = household.org.display_name if household.org_id else ""
    return f"{household.head_name} · {place}" if place else household.head_name


def member_label(member: HouseholdMember) -> str:
    return _("%(name)s (household of %(head)s)") % {"name": member.name, "head": member.household.head_name}


def places_for(user: Any, around: Sequence[int]) -> QuerySet[Organisation]:
    """The villages and groups a record may be placed at: those of the villages ``around``
    (her home, the households' villages) within the user's area."""
    from fulian.orgs.choices import Level

    rows = Organisation.objects.visible_to(user, "grid.contact").filter(level__in=(Level.VILLAGE, Level.GROUP))
    return rows.filter(Q(pk__in=around) | Q(parent_id__in=around)).order_by("path")


class ContactForm(Form):
    """A duty record: who (staff choose the 执委; a 执委 is herself), the work mode, the
    households and people, when, how long, how, where, a note and photos. The service checks
    everything again. ``editing``: the fields ``record_edit`` changes, no person or photos."""

    person = forms.ModelChoiceField(
        label=gettext_lazy("Executive member"),
        queryset=Person.objects.none(),
        empty_label=gettext_lazy("— choose the executive member —"),
    )
    work_mode = forms.ModelChoiceField(
        label=gettext_lazy("Work mode"),
        queryset=WorkMode.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": gettext_lazy("Choose the work mode.")},
    )
    happened_on = forms.DateField(label=gettext_lazy("When"), widget=DATE)
    half_hours = forms.TypedChoiceField(
        label=gettext_lazy("Time spent"),
        coerce=int,
        choices=hours_choices,
        initial=DEFAULT_HALF_HOURS,
    )
    mode = forms.ChoiceField(label=gettext_lazy("How"), choices=ContactMode.choices, initial=ContactMode.VISIT)
    place = forms.ModelChoiceField(
        label=gettext_lazy("Where (village or group)"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=gettext_lazy("Where the households are"),
    )
    whom = forms.CharField(
        label=gettext_lazy("Whom"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Who you met or talked to."),
    )
    location = forms.CharField(label=gettext_lazy("Place in words"), max_length=200, required=False)
    note = forms.CharField(
        label=gettext_lazy("Note"),
        max_length=NOTE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("At most 500 characters."),
    )
    photos = PhotosField(
        label=gettext_lazy("Photos"),
        required=False,
        help_text=gettext_lazy(
            "Up to 6 photos. Photos are not kept if the page is reloaded or the network drops: choose them again."
        ),
    )
    correction_reason = forms.CharField(
        label=gettext_lazy("Reason for the correction"),
        max_length=REASON_MAX_LENGTH,
        error_messages={"required": gettext_lazy("Say why the record is corrected.")},
    )
    client_key = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        offered: Sequence[Household],
        visible: dict[str, Household],
        people: QuerySet[Person] | None,
        members: Sequence[HouseholdMember] = (),
        visible_members: dict[str, HouseholdMember] | None = None,
        places: QuerySet[Organisation] | None = None,
        editing: bool = False,
        correcting: bool = False,
        **kwargs: Any,
    ) -> None:
        """``offered``: the households shown as boxes; ``visible``: those that may be ticked
        (by id); ``members`` / ``visible_members`` the same for household members; ``people``:
        the 执委 staff may choose from, None when she records as herself."""
        super().__init__(*args, **kwargs)
        self.fields["household"] = RowsField(
            visible=visible,
            message=_("No household with id %(value)s in your area."),
            label=_("Households and people"),
            required=False,
            choices=[(str(h.pk), household_label(h)) for h in offered],
            widget=forms.CheckboxSelectMultiple,
        )
        self.fields["member"] = RowsField(
            visible=visible_members or {},
            message=_("No person with id %(value)s in your area."),
            label=_("People"),
            required=False,
            choices=[(str(m.pk), member_label(m)) for m in members],
            widget=forms.CheckboxSelectMultiple,
        )
        self.order_fields(
            [
                "person",
                "work_mode",
                "household",
                "member",
                "happened_on",
                "half_hours",
                "mode",
                "place",
                "whom",
                "location",
                "note",
                "photos",
                "correction_reason",
                "client_key",
            ]
        )
        modes = WorkMode.objects.filter(active=True)
        if self.initial.get("work_mode") is not None:
            # A record filed under a mode since retired still shows it (the service asks for another).
            modes = WorkMode.objects.filter(Q(active=True) | Q(pk=getattr(self.initial["work_mode"], "pk", None)))
        self.fields["work_mode"].queryset = modes  # type: ignore[attr-defined]
        if people is None:
            del self.fields["person"]
        else:
            self.fields["person"].queryset = people  # type: ignore[attr-defined]
        if places is None:
            del self.fields["place"]
        else:
            self.fields["place"].queryset = places  # type: ignore[attr-defined]
            self.fields["place"].label_from_instance = lambda org: org.display_name  # type: ignore[attr-defined]
        if editing:
            for name in ("photos", "member", "mode", "place", "client_key"):
                self.fields.pop(name, None)
        if not correcting:
            del self.fields["correction_reason"]
        self.fields["happened_on"].widget.attrs["max"] = coverage.today().isoformat()
        self.fields["note"].widget.attrs["maxlength"] = NOTE_MAX_LENGTH
        if "photos" in self.fields:
            self.fields["photos"].widget.attrs["accept"] = "image/*"
        if "client_key" in self.fields and not self.is_bound:
            self.initial.setdefault("client_key", uuid.uuid4())

    def clean_happened_on(self) -> datetime.date:
        value: datetime.date = self.cleaned_data["happened_on"]
        if value > coverage.today():
            raise forms.ValidationError(_("This date is in the future."))
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        chosen = cleaned.get("household") or cleaned.get("member") or cleaned.get("whom")
        if "household" in cleaned and not chosen:
            self.add_error("whom", _("Choose the households, or say whom you met."))
        return cleaned


def _month_bounds(value: str) -> tuple[datetime.date, datetime.date] | None:
    try:
        first = datetime.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        return None
    following = (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return first, following


class MonthField(forms.CharField):
    """``YYYY-MM``: the records of one calendar month."""

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        if value and _month_bounds(value) is None:
            raise forms.ValidationError(_("Give a month as YYYY-MM, such as 2026-03."), code="invalid")
        return value


class MonthFilter(django_filters.CharFilter):
    field_class = MonthField

    def filter(self, qs: Any, value: Any) -> Any:
        bounds = _month_bounds(value) if value else None
        if bounds is None:
            return qs
        return qs.filter(happened_on__gte=bounds[0], happened_on__lt=bounds[1])


class ContactFilter(ScopedFilterSet):
    """The list of duty records (``/grid/contacts/``): newest first, narrowed by organisation,
    执委, household, work mode, month, review status, how and when. Other pages (the figures)
    link here with ``work_mode``, ``month``, ``status``, ``person`` and ``org``."""

    org = OrgFilter(help_text=gettext_lazy("Only records at or below this organisation."))
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
    work_mode = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Work mode"),
        queryset=WorkMode.objects.all(),
        empty_label=gettext_lazy("Any work mode"),
    )
    month = MonthFilter(label=gettext_lazy("Month"), max_length=7, widget=forms.TextInput(attrs={"type": "month"}))
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Review"), choices=RecordStatus.choices, empty_label=gettext_lazy("Any status")
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
