"""The staff side of the ledger: awarding or deducting points by hand, the second review of a
claim, reversing an entry, and the reconciliation's choice of organisation. The services check
everything again; these forms give their messages a field to stand beside."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from fulian.core.forms import Form
from fulian.core.scoping import AnyUser
from fulian.households.models import Household
from fulian.orgs.forms import OrgChoiceField
from fulian.people.models import Person
from fulian.points.choices import ClaimStatus
from fulian.points.models import REASON_MAX_LENGTH
from fulian.points.services.manual import AMOUNT_MAX

PERSON_PREFIX = "p"
HOUSEHOLD_PREFIX = "h"
KEY_MAX_LENGTH = 60

Holder = Person | Household

AWARD = "award"
DEDUCT = "deduct"


def holder_value(holder: Holder) -> str:
    """``p12`` for a person, ``h34`` for a household: the value of the holder's radio button."""
    return f"{PERSON_PREFIX if isinstance(holder, Person) else HOUSEHOLD_PREFIX}{holder.pk}"


def holder_label(holder: Holder) -> str:
    """A person by her name, a household by its head; and the village (never a phone or ID)."""
    name = holder.name if isinstance(holder, Person) else _("Household of %(name)s") % {"name": holder.head_name}
    place = holder.org.display_name if holder.org_id else ""
    return f"{name} · {place}" if place else name


class HolderField(forms.ChoiceField):
    """The person (``p12``) or household (``h34``) the points go to, among those the view found
    in the user's scope; any other value is "not a valid choice", whether it exists elsewhere or
    not (an id from another county gives nothing away)."""

    def __init__(self, *, visible: dict[str, Holder], **kwargs: Any) -> None:
        self.visible = visible
        super().__init__(**kwargs)

    def valid_value(self, value: str) -> bool:
        return value in self.visible

    def clean(self, value: Any) -> Holder | None:  # type: ignore[override]
        value = super().clean(value)
        return self.visible.get(value) if value else None


class PostForm(Form):
    """Award or deduct points by hand: to whom, how many, why, on which day, a photo as evidence.
    ``key`` (hidden, made when the page is drawn) makes a second tap of the button post once."""

    direction = forms.ChoiceField(
        label=gettext_lazy("Award or deduct"),
        choices=[(AWARD, gettext_lazy("Award (+)")), (DEDUCT, gettext_lazy("Deduct (−)"))],
        widget=forms.RadioSelect,
        initial=AWARD,
    )
    points = forms.IntegerField(
        label=pgettext_lazy("points form", "Points"),
        min_value=1,
        max_value=AMOUNT_MAX,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=REASON_MAX_LENGTH,
        help_text=gettext_lazy("It shows in the passbook."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    occurred_on = forms.DateField(
        label=gettext_lazy("On"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    evidence = forms.FileField(
        label=gettext_lazy("Evidence (a photo)"),
        required=False,
        help_text=gettext_lazy("A photo of the deed or the document; its location data is removed."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )
    key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=KEY_MAX_LENGTH)

    def __init__(
        self,
        *args: Any,
        offered: list[Holder],
        visible: dict[str, Holder],
        labels: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        """``offered``: the holders shown as choices; ``visible``: every value that may be chosen
        (the offered and those found by the search, all within the user's scope); ``labels``:
        how the search named some of them ("her household")."""
        super().__init__(*args, **kwargs)
        self.fields["holder"] = HolderField(
            visible=visible,
            label=_("To whom"),
            choices=[(holder_value(h), (labels or {}).get(holder_value(h)) or holder_label(h)) for h in offered],
            widget=forms.RadioSelect,
            error_messages={"required": _("Choose the person or household: find her by name or pinyin.")},
        )
        self.order_fields(["holder", "direction", "points", "reason", "occurred_on", "evidence", "key"])

    def amount(self) -> int:
        """The signed points: positive to award, negative to deduct."""
        points: int = self.cleaned_data["points"]
        return -points if self.cleaned_data["direction"] == DEDUCT else points


class ConfirmForm(Form):
    """The second reviewer confirms a claim (nothing to type: the button says it)."""


class ReasonForm(Form):
    """A reason: refusing a claim, reversing an entry (it shows in the passbook)."""

    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args: Any, help_text: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if help_text:
            self.fields["reason"].help_text = help_text


class ClaimFilterForm(Form):
    """The claims list: waiting (the default), posted, refused or all; a holder's name or pinyin."""

    ALL = "all"

    search = forms.CharField(label=gettext_lazy("Name or pinyin"), required=False, max_length=50)
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[*ClaimStatus.choices, (ALL, pgettext_lazy("points claims", "All"))],
    )


class ReconcileForm(Form):
    """Which organisation's subtree to check (the user's own, unless she picks one below it)."""

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"] = OrgChoiceField(user=user, action="points.reconcile", required=False)
