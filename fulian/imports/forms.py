from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fulian.core.forms import Form
from fulian.core.scoping import AnyUser
from fulian.orgs.forms import OrgChoiceField


class UploadForm(Form):
    file = forms.FileField(
        label=_("Spreadsheet"),
        help_text=_("Excel (.xlsx, .xls) or CSV, up to 20 MB and 100,000 rows. A title row above the header is fine."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.csv"}),
    )

    def __init__(self, *args: Any, user: AnyUser, action: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"] = OrgChoiceField(
            user=user,
            action=action,
            label=_("For organisation"),
            help_text=_("The rows must belong to this organisation or below it."),
        )
        self.order_fields(["org", "file"])


class CommitForm(Form):
    sha256 = forms.CharField(max_length=64, widget=forms.HiddenInput)
    valid_rows = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
