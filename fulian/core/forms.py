from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError next to the fields it names (or at the top)."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            for message in messages:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def record_values(form: forms.Form, fields: Sequence[str], *, editing: bool) -> dict[str, Any]:
    """The cleaned values of a person or household form, for its service. A stored ID number is
    never put back into an edit form: left blank it is kept, and so are the birth date and
    gender derived from it unless they were typed."""
    values = {key: form.cleaned_data.get(key) for key in fields if key in form.cleaned_data}
    if editing and not values.get("id_number"):
        for key in ("id_number", "birth_date", "gender"):
            if key == "id_number" or not values.get(key):
                values.pop(key, None)
    return values


class ScopedFilterForm(forms.Form):
    """The filters of a list page, its API endpoint and its export: one definition for all
    three. ``org`` is a division code inside the user's subtree (or a not-found message)."""

    q = forms.CharField(required=False, max_length=50)
    org = forms.CharField(required=False, max_length=15)

    def __init__(self, data: Any, *, user: Any, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.user = user

    def clean_org(self) -> Any:
        from django.utils.translation import gettext as _

        from fulian.orgs.models import Organisation

        code = (self.cleaned_data.get("org") or "").strip()
        if not code:
            return None
        org = Organisation.objects.visible_to(self.user).filter(code=code).first()
        if org is None:
            raise ValidationError(_("No organisation with code %(code)s in your area.") % {"code": code})
        return org

    @property
    def filters(self) -> dict[str, Any]:
        """The valid filters (an invalid one is dropped, its error shown beside it)."""
        if not self.is_valid():
            return {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        return dict(self.cleaned_data)
