from __future__ import annotations

from typing import Any

from rest_framework import serializers

from fulian.core.api_fields import IdField, ModelSerializer, Serializer
from fulian.households.choices import HouseholdCategory, MemberCategory, Relation, flags_of
from fulian.households.models import Household, HouseholdMember
from fulian.orgs.api.fields import OrgCodeField
from fulian.people.choices import Gender


class FlagListField(serializers.ListField):
    """Categories as a list of their numbers (bit flags), such as ``[1, 32]``."""

    def __init__(self, *, choices: Any, **kwargs: Any) -> None:
        self.flag_choices = choices
        super().__init__(child=serializers.ChoiceField(choices=choices.choices), **kwargs)

    def to_internal_value(self, data: Any) -> int:  # type: ignore[override]
        return sum(set(super().to_internal_value(data)))

    def to_representation(self, value: Any) -> list[int]:  # type: ignore[override]
        return [int(c) for c in flags_of(value, self.flag_choices)]


class MemberSerializer(ModelSerializer[HouseholdMember]):
    id_number = serializers.CharField(source="id_number_masked", read_only=True)
    categories = FlagListField(choices=MemberCategory, read_only=True)

    class Meta:
        model = HouseholdMember
        fields = ["id", "household", "name", "relation", "gender", "birth_date", "id_number", "categories"]
        read_only_fields = fields


class HouseholdSerializer(ModelSerializer[Household]):
    org = serializers.CharField(source="org.code", read_only=True)
    org_name = serializers.CharField(source="org.display_name", read_only=True)
    id_number = serializers.CharField(source="id_number_masked", read_only=True)
    mobile = serializers.CharField(source="mobile_masked", read_only=True)
    categories = FlagListField(choices=HouseholdCategory, read_only=True)
    archived_by = serializers.CharField(source="archived_by.username", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Household
        fields = [
            "id",
            "org",
            "org_name",
            "head_name",
            "id_number",
            "mobile",
            "address",
            "members_count",
            "members_count_manual",
            "categories",
            "notes",
            "archived_at",
            "archived_by",
            "archive_reason",
            "erased_at",
        ]
        read_only_fields = fields


class HouseholdDetailSerializer(HouseholdSerializer):
    members = MemberSerializer(many=True, read_only=True)

    class Meta(HouseholdSerializer.Meta):
        fields = [*HouseholdSerializer.Meta.fields, "members"]
        read_only_fields = fields


class HouseholdWriteSerializer(Serializer[Any]):
    org = OrgCodeField(action="households.change")
    head_name = serializers.CharField(max_length=50)
    id_number = serializers.CharField(max_length=30, required=False, allow_blank=True)
    mobile = serializers.CharField(max_length=20, required=False, allow_blank=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    members_count = serializers.IntegerField(
        min_value=1,
        max_value=99,
        required=False,
        allow_null=True,
        help_text="The number of people, set by hand; null: it follows the member list (the head counts as "
        "one unless listed). Left out: a new household's follows the list, a stored one's stays as it is.",
    )
    categories = FlagListField(choices=HouseholdCategory, required=False)
    notes = serializers.CharField(required=False, allow_blank=True, style={"base_template": "textarea.html"})


class MemberWriteSerializer(Serializer[Any]):
    household = IdField()
    name = serializers.CharField(max_length=50)
    relation = serializers.ChoiceField(choices=Relation.choices)
    gender = serializers.ChoiceField(choices=Gender.choices, required=False, allow_blank=True)
    birth_date = serializers.DateField(required=False, allow_null=True)
    id_number = serializers.CharField(max_length=30, required=False, allow_blank=True)
    categories = FlagListField(choices=MemberCategory, required=False)
