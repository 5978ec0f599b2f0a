"""Serializer fields of the organisation tree used by other apps' APIs."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from fulian.orgs.models import Organisation


class OrgCodeField(serializers.CharField):
    """An organisation given by its division code, among those the caller may act on."""

    def __init__(self, *, action: str, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", _("Division code of the organisation, such as 430223123215."))
        super().__init__(**kwargs)
        self.action = action

    def to_internal_value(self, data: Any) -> Organisation:  # type: ignore[override]
        code = super().to_internal_value(data)
        # OrganisationNotFound is a Django ValidationError: the serializer reports it on this field.
        return Organisation.objects.visible_to(self.context["request"].user, self.action).by_code(code)

    def to_representation(self, value: Any) -> str:
        return value.code if isinstance(value, Organisation) else str(value)
