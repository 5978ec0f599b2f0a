from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from fulian.core.api_fields import ModelSerializer, Serializer
from fulian.orgs.models import Organisation


class OrganisationSerializer(ModelSerializer[Organisation]):
    parent = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)  # type: ignore[var-annotated,assignment]
    federation_name = serializers.CharField(read_only=True)

    class Meta:
        model = Organisation
        fields = ["id", "code", "name", "display_name", "federation_name", "level", "parent", "path", "depth"]
        read_only_fields = fields


class AncestorSerializer(Serializer[Organisation]):
    id = serializers.IntegerField(allow_null=True, help_text="null when the ancestor is outside your scope")
    code = serializers.CharField()
    display_name = serializers.CharField()
    level = serializers.CharField()


class OrganisationDetailSerializer(OrganisationSerializer):
    ancestors = serializers.SerializerMethodField()
    counts = serializers.SerializerMethodField()

    class Meta(OrganisationSerializer.Meta):
        fields = [*OrganisationSerializer.Meta.fields, "ancestors", "counts"]
        read_only_fields = fields

    @extend_schema_field(AncestorSerializer(many=True))
    def get_ancestors(self, org: Organisation) -> list[dict[str, object]]:
        """The chain from the root to the parent (names only; ids of visible ones)."""
        from fulian.orgs.selectors import ancestors

        return [
            {"id": o.pk if visible else None, "code": o.code, "display_name": o.display_name, "level": o.level}
            for o, visible in ancestors(org, self.context["request"].user)
        ]

    def get_counts(self, org: Organisation) -> dict[str, int]:
        from fulian.orgs.selectors import subtree_counts

        return subtree_counts(org)


class GroupCreateSerializer(Serializer[Organisation]):
    name = serializers.CharField(max_length=100)
