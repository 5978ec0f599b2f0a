from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

from fulian.core.archive import REASON_MAX_LENGTH
from fulian.core.validation import multiline_text, single_line_text

# Personal numbers never put back into an edit form (see ``MaskedStoredMixin``).
STORED_NUMBERS = ("id_number", "mobile")


class FreeTextFormMixin:
    """Every text field of the form is trimmed (Django's default) and refuses control
    characters: a ``Textarea`` keeps tabs and line breaks, any other field takes one line.
    Fields that keep what was typed exactly (``strip=False``: passwords) are left alone."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and field.strip:
                field.validators.append(
                    multiline_text if isinstance(field.widget, forms.Textarea) else single_line_text
                )


class Form(FreeTextFormMixin, forms.Form):
    """The base of every form of the project."""


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
    """The cleaned values of a person or household form, for its service. A stored ID or phone
    number is never put back into an edit form: left blank it is kept (and so are the birth date
    and gender derived from an ID number, unless they were typed); "remove" empties it."""
    values = {key: form.cleaned_data.get(key) for key in fields if key in form.cleaned_data}
    if not editing:
        return values
    for number in STORED_NUMBERS:
        if form.cleaned_data.get(f"clear_{number}") and not values.get(number):
            values[number] = ""
        elif number in values and not values[number]:
            values.pop(number)
            if number == "id_number":
                for derived in ("birth_date", "gender"):
                    if not values.get(derived):
                        values.pop(derived, None)
    return values


class MaskedStoredMixin:
    """For the edit form of a record with personal numbers: the stored ID or phone number is
    shown masked beside an empty input ("leave blank to keep"), with the detail page's audited
    Show button (``includes/masked_input.html``) and a box that removes it. The page's HTML
    never holds the number itself."""

    fields: dict[str, forms.Field]

    def mask_stored(self, stored: dict[str, str]) -> None:
        """``stored``: field name → the masked stored value ('' when nothing is stored)."""
        for name, masked in stored.items():
            if not masked or name not in self.fields:
                continue
            field = self.fields[name]
            field.masked = masked  # type: ignore[attr-defined]
            field.help_text = gettext_lazy("Leave blank to keep the stored number.")
            self.fields[f"clear_{name}"] = forms.BooleanField(
                label=gettext_lazy("Remove the stored number"), required=False
            )

    def rows(self) -> list[tuple[forms.BoundField, forms.BoundField | None]]:
        """Each field to draw, with its "remove" box when it holds a masked stored number."""
        form: Any = self
        drawn = []
        for bound in form:
            if bound.name.startswith("clear_"):
                continue
            clear = form[f"clear_{bound.name}"] if f"clear_{bound.name}" in form.fields else None
            drawn.append((bound, clear))
        return drawn


class ReasonForm(Form):
    """The reason typed to archive, restore or erase a record (the services check it too)."""

    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args: Any, help_text: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if help_text:
            self.fields["reason"].help_text = help_text
