"""The API's filter backend (``REST_FRAMEWORK["DEFAULT_FILTER_BACKENDS"]``; kept apart from
``core.api``: DRF imports it while loading its generic views)."""

from typing import Any

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ErrorDetail, ValidationError


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, with its 400 made from each error as Django words it: a message
    given with its values is formatted once, and one already holding the value typed (which may
    contain a ``%``, as ``org=%25`` does) is taken as it is — django-filter formats every message
    again, and a stray ``%`` made that a 500 (found by fuzzing)."""

    def filter_queryset(self, request: Any, queryset: Any, view: Any) -> Any:
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid() and self.raise_exception:
            raise ValidationError(
                {
                    key: [ErrorDetail(text, code=error.code) for error in errors.as_data() for text in error]
                    for key, errors in filterset.errors.items()
                }
            )
        return filterset.qs
