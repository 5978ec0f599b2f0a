"""Serializer fields shared by the apps' APIs."""

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
        code = super().to_internal_value(data).strip()
        org = (
            None
            if len(code) > 15
            else Organisation.objects.visible_to(self.context["request"].user, self.action).filter(code=code).first()
        )
        if org is None:
            raise serializers.ValidationError(_("No organisation with code %(code)s in your area.") % {"code": code})
        return org

    def to_representation(self, value: Any) -> str:
        return value.code if isinstance(value, Organisation) else str(value)


class RevealSerializer(serializers.Serializer[Any]):
    field = serializers.ChoiceField(choices=["id_number", "mobile"])


class RevealedSerializer(serializers.Serializer[Any]):
    field = serializers.CharField()
    value = serializers.CharField()
