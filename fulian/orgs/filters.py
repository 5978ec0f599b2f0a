"""The filters of the organisation list: its page and its API endpoint."""

import django_filters
from django.core.validators import RegexValidator
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from fulian.core.filters import ScopedFilterSet, SearchFilter, VisibleRowFilter
from fulian.orgs.choices import Level
from fulian.orgs.models import Organisation

DIGITS = RegexValidator(r"^\d{1,15}$", _("Enter the digits of a division code, such as 430223."))


class OrganisationFilter(ScopedFilterSet):
    # Choices come from the caller's scope: an id outside it is "not a valid choice", exactly
    # like an id that does not exist.
    parent = VisibleRowFilter(model=Organisation, label=_("Parent organisation id"))
    level = django_filters.ChoiceFilter(choices=Level.choices, label=_("Level"), empty_label=_("All levels"))
    code_prefix = django_filters.CharFilter(
        field_name="code",
        lookup_expr="startswith",
        label=_("Code prefix"),
        validators=[DIGITS],
    )
    search = SearchFilter(label=_("Name, pinyin or initials"))

    class Meta:
        model = Organisation
        fields: list[str] = []

    def filter_queryset(self, queryset: QuerySet[Organisation]) -> QuerySet[Organisation]:
        return super().filter_queryset(queryset).order_by("path")
