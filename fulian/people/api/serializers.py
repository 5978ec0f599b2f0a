from __future__ import annotations

from typing import Any

from rest_framework import serializers

from fulian.core.api_fields import IdField, ModelSerializer, Serializer
from fulian.orgs.api.fields import OrgCodeField
from fulian.people.choices import Education, Gender, PoliticalStatus, PostKind
from fulian.people.models import Person, Post, Term


class PostSerializer(ModelSerializer[Post]):
    org = serializers.CharField(source="org.code", read_only=True)
    org_name = serializers.CharField(source="org.federation_name", read_only=True)
    person_name = serializers.CharField(source="person.name", read_only=True)
    term = serializers.IntegerField(source="term.number", read_only=True)

    class Meta:
        model = Post
        fields = [
            "id",
            "person",
            "person_name",
            "org",
            "org_name",
            "term",
            "kind",
            "is_representative",
            "start_date",
            "end_date",
        ]
        read_only_fields = fields


class PersonSerializer(ModelSerializer[Person]):
    """A person as anyone in scope reads her: ID and mobile masked, her posts those the reader
    may see; ``archived_at`` is set for an archived record, ``erased_at`` for an erased one."""

    org = serializers.CharField(source="org.code", read_only=True)
    org_name = serializers.CharField(source="org.display_name", read_only=True)
    id_number = serializers.CharField(source="id_number_masked", read_only=True)
    mobile = serializers.CharField(source="mobile_masked", read_only=True)
    current_posts = PostSerializer(many=True, read_only=True)
    archived_by = serializers.CharField(source="archived_by.username", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Person
        fields = [
            "id",
            "org",
            "org_name",
            "name",
            "gender",
            "birth_date",
            "id_number",
            "mobile",
            "ethnicity",
            "political_status",
            "education",
            "occupation",
            "address",
            "skills",
            "backbone_since",
            "volunteer_since",
            "notes",
            "current_posts",
            "archived_at",
            "archived_by",
            "archive_reason",
            "erased_at",
        ]
        read_only_fields = fields


class PersonWriteSerializer(Serializer[Any]):
    """What a client sends to add or change a person; the services check every rule."""

    org = OrgCodeField(action="people.change")
    name = serializers.CharField(max_length=50)
    gender = serializers.ChoiceField(choices=Gender.choices, required=False, allow_blank=True)
    birth_date = serializers.DateField(required=False, allow_null=True)
    id_number = serializers.CharField(max_length=30, required=False, allow_blank=True)
    mobile = serializers.CharField(max_length=20, required=False, allow_blank=True)
    ethnicity = serializers.CharField(max_length=20, required=False, allow_blank=True)
    political_status = serializers.ChoiceField(choices=PoliticalStatus.choices, required=False, allow_blank=True)
    education = serializers.ChoiceField(choices=Education.choices, required=False, allow_blank=True)
    occupation = serializers.CharField(max_length=100, required=False, allow_blank=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    skills = serializers.CharField(max_length=200, required=False, allow_blank=True)
    backbone_since = serializers.DateField(required=False, allow_null=True)
    volunteer_since = serializers.DateField(required=False, allow_null=True)
    notes = serializers.CharField(required=False, allow_blank=True, style={"base_template": "textarea.html"})


class PostCreateSerializer(Serializer[Any]):
    person = IdField()
    org = OrgCodeField(action="people.change")
    kind = serializers.ChoiceField(choices=PostKind.choices)
    start_date = serializers.DateField()
    is_representative = serializers.BooleanField(default=False)


class PromoteSerializer(Serializer[Any]):
    org = OrgCodeField(
        action="people.change",
        required=False,
        help_text="Division code of the federation; her village's (or her own federation's) unless given",
    )
    kind = serializers.ChoiceField(choices=PostKind.choices, default=PostKind.MEMBER)
    start_date = serializers.DateField(required=False, help_text="The post's first day; today unless given")


class PostEndSerializer(Serializer[Any]):
    end_date = serializers.DateField()


class TermSerializer(ModelSerializer[Term]):
    org = serializers.CharField(source="org.code", read_only=True)

    class Meta:
        model = Term
        fields = ["id", "org", "number", "start_date", "end_date", "ended_on"]
        read_only_fields = fields


class TermOpenSerializer(Serializer[Any]):
    org = OrgCodeField(action="people.change")
    start_date = serializers.DateField()
    end_date = serializers.DateField(required=False, allow_null=True)


class ChangeoverSerializer(Serializer[Any]):
    org = OrgCodeField(action="people.change")
    on = serializers.DateField()
    end_date = serializers.DateField(required=False, allow_null=True)
    carry_over = serializers.ListField(child=IdField(), required=False, default=list)
