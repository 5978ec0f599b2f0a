from typing import Any

from django import forms, template
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def bs(field: forms.BoundField) -> SafeString:
    """Render a form field with Bootstrap's classes, marked invalid when it has errors."""
    widget = field.field.widget
    css = (
        "form-select"
        if isinstance(widget, forms.Select)
        else "form-check-input"
        if isinstance(widget, forms.CheckboxInput)
        else "form-control"
    )
    if field.errors:
        css += " is-invalid"
    attrs: dict[str, Any] = {"class": css}
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)
