from html import escape
from typing import Any

from django import forms, template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def bs(field: forms.BoundField) -> SafeString:
    """Render a form field with Bootstrap's classes, marked invalid when it has errors."""
    widget = field.field.widget
    if isinstance(widget, forms.RadioSelect):  # and CheckboxSelectMultiple: one box per choice
        boxes = []
        for choice in field.subwidgets:
            choice.data["attrs"]["class"] = "form-check-input"
            boxes.append(
                format_html(
                    '<div class="form-check fl-check"><label class="form-check-label">{} {}</label></div>',
                    choice.tag(),
                    choice.choice_label,
                )
            )
        return format_html('<div class="fl-checks">{}</div>', mark_safe("".join(boxes)))  # noqa: S308 - escaped above
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


@register.simple_tag
def select_options(field: forms.BoundField) -> SafeString:
    """The ``<option>``s of a choice field, the current value selected. Every list page draws
    a few of these in its filter bar; a template loop calling ``field.value`` for each option
    took a third of the page's rendering."""
    choices: Any = getattr(field.field, "choices", ())
    value = field.value()
    current = "" if value is None else str(value)
    return mark_safe(  # noqa: S308 — values and labels are escaped
        "".join(
            f'<option value="{escape(str(choice))}"{" selected" if str(choice) == current else ""}>'
            f"{escape(str(label))}</option>"
            for choice, label in choices
        )
    )
