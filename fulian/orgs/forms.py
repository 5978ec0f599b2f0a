from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fulian.core.forms import Form
from fulian.core.scoping import AnyUser
from fulian.orgs.models import Organisation


class GroupForm(Form):
    name = forms.CharField(
        label=_("Group name"),
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("such as 第一村民小组")}),
    )


class OrgCodeField(forms.CharField):
    """An organisation chosen by its code, among those the user may act on (scoped)."""

    def __init__(self, *, user: AnyUser, action: str, **kwargs: Any) -> None:
        super().__init__(max_length=15, **kwargs)
        self.user, self.action = user, action

    def clean(self, value: Any) -> Organisation:  # type: ignore[override]
        return Organisation.objects.visible_to(self.user, self.action).by_code(super().clean(value))
