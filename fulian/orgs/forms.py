from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from fulian.core.forms import Form
from fulian.core.scoping import AnyUser
from fulian.orgs import picking
from fulian.orgs.models import Organisation


class GroupForm(Form):
    name = forms.CharField(
        label=_("Group name"),
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("such as 第一村民小组")}),
    )


class OrgPicker(forms.Widget):
    """The organisation picker (``includes/org_picker.html``): a plain list of the nearby
    organisations and a box to type a name, pinyin, initials or code. ``static/fulian/org-picker.js``
    turns them into one combobox whose suggestions come from ``orgs:pick``. Its value is the pair
    (the list's choice, the text typed): the text, when there is one, wins."""

    template_name = "includes/org_picker.html"

    def value_from_datadict(self, data: Any, files: Any, name: str) -> tuple[str, str]:
        return (data.get(name) or "", data.get(f"{name}_text") or "")

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and f"{name}_text" not in data

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        # The project's templates (includes/), not the form renderer's own directories.
        return mark_safe(render_to_string(self.template_name, self.get_context(name, value, attrs)))  # noqa: S308

    def format_value(self, value: Any) -> Any:
        return value  # the field's ``PickerValue``, whole

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        picked: PickerValue = value if isinstance(value, PickerValue) else PickerValue()
        css = context["widget"]["attrs"].get("class", "")
        context["picker"] = {
            "value": picked,
            "invalid": "is-invalid" in css,
            "choices": [(org.pk, picking.label(org, picked.roots)) for org in picked.choices],
            "candidates": [(org.pk, picking.label(org, picked.roots)) for org in picked.candidates],
            "selected": picked.org.pk if picked.org is not None else None,
            "typed": picked.typed,
            "url": f"{reverse('orgs:pick')}?{urlencode({'action': picked.action})}",
        }
        return context


@dataclass
class PickerValue:
    """What the picker shows: the organisation chosen (if known), the text typed (kept when it
    matched nothing), the candidates of an ambiguous name, the plain list's organisations."""

    org: Organisation | None = None
    text: str = ""
    candidates: list[Organisation] = dc_field(default_factory=list)
    choices: list[Organisation] = dc_field(default_factory=list)
    action: str = "orgs.view"
    roots: list[str] = dc_field(default_factory=list)
    typed: str = ""  # the ambiguous text, which the combobox shows again (the box is emptied)


class OrgChoiceField(forms.Field):
    """An organisation chosen with the picker, among those ``user`` may act on (``action``):
    by id or division code from the list or the combobox, or by a name, pinyin or initials
    typed (``picking.resolve_text``). The value is the :class:`Organisation`."""

    widget = OrgPicker

    def __init__(self, *, user: AnyUser, action: str | None = None, names: bool = True, **kwargs: Any) -> None:
        """``names=False``: the text box is not read (the API's filters take an id or a code)."""
        kwargs.setdefault("label", _("Organisation"))
        super().__init__(**kwargs)
        self.user, self.names = user, names
        self.action = action or Organisation.scope_view_action
        self._candidates: list[Organisation] = []
        self._resolved: dict[Any, Organisation | None] = {}

    def rows(self) -> QuerySet[Organisation]:
        return Organisation.objects.visible_to(self.user, self.action)

    def to_python(self, value: Any) -> Organisation | None:
        choice, text = _pair(value)
        if not self.names:
            text = ""
        if not choice and not text:
            return None
        self._candidates = []
        try:
            org = picking.resolve_text(self.rows(), text) if text else picking.resolve_ref(self.rows(), choice)
        except picking.OrganisationAmbiguous as e:
            self._candidates = e.candidates
            raise
        self._resolved[(choice, text)] = org
        return org

    def prepare_value(self, value: Any) -> PickerValue:
        """For the widget: the organisation behind an initial value (an organisation, an id, a
        code) or behind the value submitted, and the plain list to offer."""
        org: Organisation | None = None
        text = typed = ""
        if isinstance(value, Organisation):
            org = value
        elif isinstance(value, tuple):
            choice, text = _pair(value)
            org = self._resolved.get((choice, text))
            if org is None and choice and not text:
                org = self._quiet_ref(choice)
                text = "" if org is not None else choice  # a code that matched nothing stays in view
            if self._candidates:
                typed, text = text, ""  # the list now holds the candidates: the text would win over a choice
        elif value not in self.empty_values:
            org = self._quiet_ref(value)
        if org is not None:
            text = ""
        return PickerValue(
            org=org,
            text=text,
            candidates=self._candidates,
            choices=picking.fallback_choices(self.user, self.action, org),
            action=self.action,
            roots=picking.scope_roots(self.user, self.action),
            typed=typed,
        )

    def _quiet_ref(self, value: Any) -> Organisation | None:
        if isinstance(value, int | str) and str(value).strip():
            try:
                return picking.resolve_ref(self.rows(), value)
            except ValidationError:
                return None
        return None

    def has_changed(self, initial: Any, data: Any) -> bool:
        return True


def _pair(value: Any) -> tuple[str, str]:
    if isinstance(value, tuple | list) and len(value) == 2:
        return str(value[0] or "").strip(), " ".join(str(value[1] or "").split())
    return str(value or "").strip(), ""
