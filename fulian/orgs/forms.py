from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fulian.core.forms import Form
from fulian.core.scoping import AnyUser
from fulian.orgs.choices import Level
from fulian.orgs.models import Organisation


class GroupForm(Form):
    name = forms.CharField(
        label=_("Group name"),
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("such as 第一村民小组")}),
    )


class OrgSearchForm(Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=50)
    level = forms.ChoiceField(label=_("Level"), required=False, choices=[("", _("All levels")), *Level.choices])


class OrgCodeField(forms.CharField):
    """An organisation chosen by its code, among those the user may act on (scoped)."""

    def __init__(self, *, user: AnyUser, action: str, **kwargs: Any) -> None:
        super().__init__(max_length=15, **kwargs)
        self.user, self.action = user, action

    def clean(self, value: Any) -> Organisation:  # type: ignore[override]
        code = super().clean(value).strip()
        org = Organisation.objects.visible_to(self.user, self.action).filter(code=code).first()
        if org is None:
            raise forms.ValidationError(_("No organisation with code %(code)s in your area.") % {"code": code})
        return org
