from django import forms
from django.utils.translation import gettext_lazy as _

from fulian.orgs.choices import Level


class GroupForm(forms.Form):
    name = forms.CharField(
        label=_("Group name"),
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("such as 第一村民小组")}),
    )


class OrgSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=50)
    level = forms.ChoiceField(label=_("Level"), required=False, choices=[("", _("All levels")), *Level.choices])
