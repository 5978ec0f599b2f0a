"""Serializer fields of the organisation tree used by other apps' APIs."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from fulian.orgs.models import Organisation
from fulian.orgs.picking import MAX_ID, not_a_reference, resolve_ref

# An organisation in a request: its division code (a string of digits, as the official tables
# write it) or its id (a number, or the same digits as a string).
ORG_REF_SCHEMA = {
    "oneOf": [
        {"type": "string", "pattern": "^[0-9]{1,19}$", "example": "430223123215"},
        {"type": "integer", "minimum": 1, "maximum": MAX_ID},
    ],
    "description": "The organisation's division code (such as 430223123215) or its id; "
    "among the organisations the caller may act on.",
}


@extend_schema_field(ORG_REF_SCHEMA)
class OrgCodeField(serializers.Field):  # type: ignore[type-arg]
    """An organisation given by its division code or its id, among those the caller may act
    on; anything else is a 400 on this field naming the value (the same for one outside the
    caller's area: it confirms nothing). Shown as the code in responses."""

    default_error_messages = {"blank": _("This field may not be blank.")}

    def __init__(self, *, action: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.action = action

    def to_internal_value(self, data: Any) -> Organisation:
        # Strictly digits or a whole number: a boolean, a float or "12 " are refused.
        if isinstance(data, bool) or not isinstance(data, int | str):
            raise serializers.ValidationError(not_a_reference(str(data)))
        if data == "":
            self.fail("blank")
        rows = Organisation.objects.visible_to(self.context["request"].user, self.action)
        # OrganisationNotFound is a Django ValidationError: the serializer reports it on this field.
        return resolve_ref(rows, data, strict=True)

    def to_representation(self, value: Any) -> str:
        return value.code if isinstance(value, Organisation) else str(value)
