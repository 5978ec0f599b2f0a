from html import escape
from typing import Any

from django import forms, template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

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


def _options(field: forms.BoundField) -> str:
    """The ``<option>``s of a choice field, the current value selected."""
    choices: Any = getattr(field.field, "choices", ())
    value = field.value()
    current = "" if value is None else str(value)
    return "".join(
        f'<option value="{escape(str(choice))}"{" selected" if str(choice) == current else ""}>'
        f"{escape(str(label))}</option>"
        for choice, label in choices
    )


@register.simple_tag
def filter_fields(form: forms.Form) -> SafeString:
    """The filters of a list's filter bar (``includes/filter_bar.html``) after its search box:
    the organisation picker, then a select for each choice field, each with its errors. Every
    list page draws them; as a template loop over the fields they took a tenth of a request of
    a township's household list under load."""
    cells = []
    for field in form:
        if field.name == "search":
            continue
        name, id_ = escape(field.name), escape(field.id_for_label)
        errors = field.errors
        if field.name == "org":
            # The organisation picker (includes/org_picker.html), the same as in every form.
            # No label is shown in the bar: the box says what it is for.
            attrs: dict[str, str | bool] = {"placeholder": _("Organisation: name, pinyin or code")}
            control = str(field.as_widget(attrs={**attrs, "class": "is-invalid"} if errors else attrs))
        else:
            control = f'<select name="{name}" id="{id_}" class="form-select">{_options(field)}</select>'
        shown = "".join(f'<div class="invalid-feedback d-block" role="alert">{escape(str(e))}</div>' for e in errors)
        # The picker gets the whole width of a phone: its suggestions open below it.
        width = "col-12 col-md" if field.name == "org" else "col-6 col-md"
        cells.append(
            f'<div class="{width}"><label class="visually-hidden" for="{id_}">{escape(str(field.label))}</label>'
            f"{control}{shown}</div>"
        )
    return mark_safe("".join(cells))  # noqa: S308 — every value is escaped
