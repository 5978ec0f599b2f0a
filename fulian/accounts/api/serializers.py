from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from fulian.accounts.choices import BUSINESS_ROLES, Role
from fulian.accounts.models import ApiToken, RoleGrant, User
from fulian.accounts.two_factor import is_enrolled
from fulian.core.api_fields import ModelSerializer, RequiredBooleanField, Serializer
from fulian.core.permissions import actions
from fulian.core.scoping import can_anywhere
from fulian.orgs.api.fields import OrgCodeField
from fulian.orgs.models import Organisation


class TokenRequestSerializer(Serializer[None]):
    username = serializers.CharField(max_length=150, help_text="A username or a mobile number.")
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})
    name = serializers.CharField(
        max_length=100,
        help_text="The device or client the token is for, such as 办公室电脑. An active token of the same "
        "name is replaced.",
    )
    code = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        help_text="For accounts with two-factor login: the 6-digit code from the authenticator app, or a "
        "recovery code.",
    )
    new_password = serializers.CharField(
        max_length=128,
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        style={"input_type": "password"},
        help_text="For accounts that must choose their own password (set by an officer): the new password, "
        "set before the token is issued.",
    )


class TokenSerializer(Serializer[None]):
    token = serializers.CharField(help_text="Shown this once; only its hash is stored.")
    id = serializers.IntegerField()
    name = serializers.CharField()
    prefix = serializers.CharField()
    expires_at = serializers.DateTimeField()


class ApiTokenSerializer(ModelSerializer[ApiToken]):
    """A token as its owner and the security officer see it: never the token itself."""

    class Meta:
        model = ApiToken
        fields = ["id", "user", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]
        read_only_fields = fields


class OwnPasswordSerializer(Serializer[None]):
    current_password = serializers.CharField(max_length=128, trim_whitespace=False)
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class GrantSerializer(Serializer[None]):
    role = serializers.ChoiceField(choices=Role.choices)
    org_id = serializers.IntegerField()
    org_code = serializers.CharField()
    org_name = serializers.CharField()


class MeSerializer(ModelSerializer[User]):
    org: serializers.PrimaryKeyRelatedField[Organisation] = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True
    )
    mobile = serializers.CharField(source="mobile_masked", read_only=True)
    grants = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()
    must_change_password = serializers.BooleanField(read_only=True)
    two_factor = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "full_name",
            "org",
            "mobile",
            "grants",
            "actions",
            "must_change_password",
            "two_factor",
        ]
        read_only_fields = fields

    def get_two_factor(self, user: User) -> bool:
        """Whether the account logs in with a second factor."""
        return is_enrolled(user)

    @extend_schema_field(GrantSerializer(many=True))
    def get_grants(self, user: User) -> list[dict[str, object]]:
        grants = user.grants.select_related("org").order_by("org__path")  # type: ignore[attr-defined]
        return [
            {"role": g.role, "org_id": g.org_id, "org_code": g.org.code, "org_name": g.org.display_name} for g in grants
        ]

    def get_actions(self, user: User) -> list[str]:
        """The actions the user may perform somewhere in their subtrees."""
        return sorted(a for a in actions() if can_anywhere(user, a))


class AccountSerializer(ModelSerializer[User]):
    """An account as the security officer sees it: mobile masked, grants listed."""

    org: serializers.PrimaryKeyRelatedField[Organisation] = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True
    )
    org_code = serializers.CharField(source="org.code", read_only=True, allow_null=True)
    mobile = serializers.CharField(source="mobile_masked", read_only=True)
    is_locked = serializers.BooleanField(read_only=True)
    grants = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "full_name",
            "org",
            "org_code",
            "mobile",
            "is_active",
            "is_locked",
            "must_change_password",
            "grants",
        ]
        read_only_fields = fields

    @extend_schema_field(GrantSerializer(many=True))
    def get_grants(self, user: User) -> list[dict[str, object]]:
        return [
            {"role": g.role, "org_id": g.org_id, "org_code": g.org.code, "org_name": g.org.display_name}
            for g in user.grants.all()  # type: ignore[attr-defined]
        ]


class AccountCreateSerializer(Serializer[User]):
    username = serializers.CharField(max_length=150)
    full_name = serializers.CharField(max_length=50)
    org_code = OrgCodeField(action="accounts.manage")
    mobile = serializers.CharField(max_length=20, required=False, allow_blank=True)
    password = serializers.CharField(max_length=128, trim_whitespace=False, write_only=True)


class PasswordSetSerializer(Serializer[None]):
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class ActiveSerializer(Serializer[None]):
    active = RequiredBooleanField()


class MobileSerializer(Serializer[None]):
    mobile = serializers.CharField()


class RoleGrantSerializer(ModelSerializer[RoleGrant]):
    org_code = serializers.CharField(source="org.code", read_only=True)

    class Meta:
        model = RoleGrant
        fields = ["id", "user", "org", "org_code", "role", "granted_by", "created_at"]
        read_only_fields = fields


class RoleGrantCreateSerializer(Serializer[RoleGrant]):
    user = serializers.IntegerField(help_text="Account id.")
    org_code = OrgCodeField(action="accounts.manage")
    role = serializers.ChoiceField(choices=[(r.value, r.label) for r in Role if r in BUSINESS_ROLES])
