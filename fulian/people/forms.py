from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fulian.core.forms import Form, MaskedStoredMixin
from fulian.core.scoping import AnyUser
from fulian.orgs.forms import OrgChoiceField
from fulian.people.choices import Education, Gender, PoliticalStatus, PostKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PersonForm(MaskedStoredMixin, Form):
    """A person's record. The ID number decides birth date and gender when it is given."""

    name = forms.CharField(label=_("Full name"), max_length=50)
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=30,
        required=False,
        help_text=_("18 digits; the date of birth and gender are read from it."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    gender = forms.ChoiceField(
        label=_("Gender"), choices=[("", _("From the ID number")), *Gender.choices], required=False
    )
    birth_date = forms.DateField(label=_("Date of birth"), required=False, widget=DATE)
    mobile = forms.CharField(
        label=_("Mobile number"), max_length=20, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    ethnicity = forms.CharField(label=_("Ethnicity"), max_length=20, required=False, initial="汉族")
    political_status = forms.ChoiceField(
        label=_("Political status"), choices=[("", "—"), *PoliticalStatus.choices], required=False
    )
    education = forms.ChoiceField(label=_("Education"), choices=[("", "—"), *Education.choices], required=False)
    occupation = forms.CharField(label=_("Workplace or occupation"), max_length=100, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    skills = forms.CharField(
        label=_("Skills and tags"),
        max_length=200,
        required=False,
        help_text=_("Separate with commas, such as 种植，电商"),
    )
    backbone_since = forms.DateField(label=_("Backbone activist since"), required=False, widget=DATE)
    volunteer_since = forms.DateField(label=_("Volunteer registered on"), required=False, widget=DATE)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        help_text=_("A photo taken with a phone is fine; its location data is removed."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )

    def __init__(
        self, *args: Any, user: AnyUser, editing: bool = False, stored: dict[str, str] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.editing = editing
        self.fields["org"] = OrgChoiceField(
            user=user,
            action="people.change",
            label=_("Organisation"),
            help_text=_("Where she is kept on the books: her village or group, or her federation."),
        )
        self.order_fields(["org", "name"])
        self.mask_stored(stored or {})


class PostForm(Form):
    kind = forms.ChoiceField(label=_("Post"), choices=PostKind.choices, initial=PostKind.MEMBER)
    start_date = forms.DateField(label=_("Start date"), widget=DATE, initial=timezone.localdate)
    is_representative = forms.BooleanField(label=_("Her representative (她代表)"), required=False)
    org_label = _("At organisation")
    org_help = _("A village chair is often a township executive member too: choose the township.")

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"] = OrgChoiceField(
            user=user, action="people.change", label=self.org_label, help_text=self.org_help
        )
        self.order_fields(["org", "kind"])


class PromoteForm(PostForm):
    """The post a backbone activist is promoted to (``services.backbone_promote``)."""

    is_representative = None  # type: ignore[assignment]
    org_label = _("Federation")
    org_help = _("The federation whose executive committee she joins: her village's, unless you choose another.")


class EndPostForm(Form):
    end_date = forms.DateField(label=_("End date"), widget=DATE, initial=timezone.localdate)


class ChangeoverForm(Form):
    on = forms.DateField(label=_("New term starts on"), widget=DATE, initial=timezone.localdate)
    end_date = forms.DateField(label=_("New term planned to end on"), widget=DATE, required=False)

    def __init__(self, *args: Any, posts: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["carry_over"] = forms.MultipleChoiceField(
            label=_("Re-elected: keep these posts in the new term"),
            choices=[(str(p.pk), f"{p.person.name} · {p.get_kind_display()}") for p in posts],
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )


class TermForm(Form):
    start_date = forms.DateField(label=_("Term starts on"), widget=DATE)
    end_date = forms.DateField(label=_("Planned to end on"), widget=DATE, required=False)
