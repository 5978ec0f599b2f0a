from typing import Any

import django_filters
from django.core.validators import RegexValidator
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from fulian.orgs.choices import Level
from fulian.orgs.models import Organisation

DIGITS = RegexValidator(r"^\d{1,15}$", _("Enter the digits of a division code, such as 430223."))


def _visible_orgs(request: Any) -> QuerySet[Organisation]:
    return Organisation.objects.visible_to(request.user) if request else Organisation.objects.none()


class OrganisationFilter(django_filters.FilterSet):
    # Choices come from the caller's scope: an id outside it is "not a valid choice", exactly
    # like an id that does not exist.
    parent = django_filters.ModelChoiceFilter(queryset=_visible_orgs, label=_("Parent organisation id"))
    level = django_filters.ChoiceFilter(choices=Level.choices, label=_("Level"))
    code_prefix = django_filters.CharFilter(
        field_name="code",
        lookup_expr="startswith",
        label=_("Code prefix"),
        validators=[DIGITS],
    )
    search = django_filters.CharFilter(method="filter_search", label=_("Name, pinyin or initials"))

    class Meta:
        model = Organisation
        fields: list[str] = []

    def filter_search(self, queryset: QuerySet[Organisation], name: str, value: str) -> QuerySet[Organisation]:
        return queryset.search(value)  # type: ignore[attr-defined]
