from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from fulian.accounts.choices import Role
from fulian.accounts.models import User
from fulian.core.permissions import actions
from fulian.core.scoping import can_anywhere
from fulian.orgs.models import Organisation


class TokenRequestSerializer(serializers.Serializer[None]):
    username = serializers.CharField(max_length=150, help_text="A username or a mobile number.")
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer[None]):
    token = serializers.CharField()


class GrantSerializer(serializers.Serializer[None]):
    role = serializers.ChoiceField(choices=Role.choices)
    org_id = serializers.IntegerField()
    org_code = serializers.CharField()
    org_name = serializers.CharField()


class MeSerializer(serializers.ModelSerializer[User]):
    org: serializers.PrimaryKeyRelatedField[Organisation] = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True
    )
    mobile = serializers.CharField(source="mobile_masked", read_only=True)
    grants = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "org", "mobile", "grants", "actions"]
        read_only_fields = fields

    @extend_schema_field(GrantSerializer(many=True))
    def get_grants(self, user: User) -> list[dict[str, object]]:
        grants = user.grants.select_related("org").order_by("org__path")  # type: ignore[attr-defined]
        return [
            {"role": g.role, "org_id": g.org_id, "org_code": g.org.code, "org_name": g.org.display_name} for g in grants
        ]

    def get_actions(self, user: User) -> list[str]:
        """The actions the user may perform somewhere in their subtrees."""
        return sorted(a for a in actions() if can_anywhere(user, a))
