"""What the grid's API reads and writes: assignments, coverage figures, uncovered households,
gaps and contacts."""

from __future__ import annotations

import uuid
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from fulian.core.api_fields import IdField, ModelSerializer, Serializer
from fulian.grid.choices import ContactMode, Mode
from fulian.grid.models import NOTE_MAX_LENGTH, PARTNER_MAX_LENGTH, Assignment, Contact, ContactPhoto
from fulian.grid.services import DAY_HALF_HOURS, MAX_PHOTOS, MAX_TARGETS
from fulian.households.models import Household
from fulian.orgs.api.fields import OrgCodeField
from fulian.orgs.choices import Level
from fulian.orgs.models import Organisation

# --- assignments ---------------------------------------------------------------------------


class AssignmentSerializer(ModelSerializer[Assignment]):
    """One responsibility: who (``person`` through ``post``), for what (``target_org`` or
    ``household``), how, from when to when. ``org`` is where it is placed: its target's
    organisation."""

    person_name = serializers.CharField(source="person.name", read_only=True)
    tier = serializers.ChoiceField(
        choices=Level.choices, read_only=True, help_text="The level of the post (county 执委 take townships…)"
    )
    org = serializers.CharField(source="org.code", read_only=True)
    org_name = serializers.CharField(source="org.display_name", read_only=True)
    target_org = serializers.CharField(
        source="target_org.code", read_only=True, allow_null=True, default=None, help_text="An area's division code"
    )
    target_org_name = serializers.CharField(
        source="target_org.display_name", read_only=True, allow_null=True, default=None
    )
    household_name = serializers.CharField(
        source="household.head_name", read_only=True, allow_null=True, default=None, help_text="The head's name"
    )

    class Meta:
        model = Assignment
        fields = [
            "id",
            "post",
            "person",
            "person_name",
            "tier",
            "org",
            "org_name",
            "target_org",
            "target_org_name",
            "household",
            "household_name",
            "mode",
            "partner",
            "start_date",
            "end_date",
            "end_reason",
            "note",
            "previous",
            "created_at",
        ]
        read_only_fields = fields


class TargetSerializer(Serializer[Any]):
    """One target: an area (``org``: a township, a village, a group) or a household."""

    org = OrgCodeField(action="grid.view", required=False)
    household = IdField(required=False, help_text="A household's id")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("org" in attrs) == ("household" in attrs):
            raise serializers.ValidationError(_("Give an organisation (org) or a household: one of the two."))
        return attrs


class AssignmentCreateSerializer(Serializer[Any]):
    post = IdField(help_text="The post that gives the executive member her level")
    targets = TargetSerializer(many=True, allow_empty=False, max_length=MAX_TARGETS)  # type: ignore[call-arg]
    mode = serializers.ChoiceField(choices=Mode.choices)
    start_date = serializers.DateField()
    end_date = serializers.DateField(required=False, allow_null=True, help_text="Her last day; open if null")
    partner = serializers.CharField(
        max_length=PARTNER_MAX_LENGTH,
        required=False,
        allow_blank=True,
        help_text="合力联动: the village grid worker she shares the area with",
    )
    note = serializers.CharField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True)


class AssignmentEndSerializer(Serializer[Any]):
    end_date = serializers.DateField(help_text="Her last day of responsibility")
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True)


class AssignmentChangeSerializer(Serializer[Any]):
    on = serializers.DateField(help_text="The first day of the change (on its start date: a correction)")
    post = IdField(required=False, help_text="Another executive member's post takes over")
    mode = serializers.ChoiceField(choices=Mode.choices, required=False)
    partner = serializers.CharField(max_length=PARTNER_MAX_LENGTH, required=False, allow_blank=True)
    note = serializers.CharField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True)


# --- coverage ------------------------------------------------------------------------------


class OrgRefSerializer(Serializer[Organisation]):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField(source="display_name")
    level = serializers.ChoiceField(choices=Level.choices)


class FigureSerializer(Serializer[Any]):
    """Coverage figures of one organisation (``org`` null: a village's households in no group)."""

    org = OrgRefSerializer(allow_null=True)
    households = serializers.IntegerField(help_text="Current households")
    covered = serializers.IntegerField(help_text="Households with a responsible village executive member")
    uncovered = serializers.IntegerField()
    share = serializers.FloatField(allow_null=True, help_text="covered / households; null without households")
    uncontacted = serializers.IntegerField(
        allow_null=True, help_text="Households not contacted in 90 days; null for a past day (not kept)"
    )


class CoverageSerializer(FigureSerializer):
    org = OrgRefSerializer()  # type: ignore[assignment]
    on = serializers.DateField(help_text="The day the figures are for")
    children = FigureSerializer(many=True, help_text="Per organisation one level down, in code order")


class UncoveredHouseholdSerializer(ModelSerializer[Household]):
    """A household without a responsible executive member, as little of it as a list needs."""

    mobile = serializers.CharField(source="mobile_masked", read_only=True)
    org = serializers.CharField(source="org.code", read_only=True)
    org_name = serializers.CharField(source="org.display_name", read_only=True)

    class Meta:
        model = Household
        fields = ["id", "head_name", "mobile", "org", "org_name", "last_contact_on"]
        read_only_fields = fields


class GapSerializer(ModelSerializer[Organisation]):
    """An organisation that no executive member of the level above answers for."""

    parent = serializers.CharField(source="parent.code", read_only=True, allow_null=True, default=None)  # type: ignore[assignment]
    parent_name = serializers.CharField(source="parent.display_name", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Organisation
        fields = ["id", "code", "display_name", "level", "parent", "parent_name"]
        read_only_fields = fields


# --- contacts ------------------------------------------------------------------------------


class ContactHouseholdSerializer(Serializer[Household]):
    id = serializers.IntegerField()
    head_name = serializers.CharField()


class NamedRefSerializer(Serializer[Any]):
    """A row named in a record: its id and its name (a work mode, a household member)."""

    id = serializers.IntegerField()
    name = serializers.CharField()


class ReviewerSerializer(Serializer[Any]):
    """The account that confirmed or returned a record."""

    id = serializers.IntegerField()
    name = serializers.SerializerMethodField()

    def get_name(self, user: Any) -> str:
        return str(user.full_name or user.username)


def photo_url(photo: ContactPhoto) -> str:
    """The photo's address: the grid's scoped photo view (never the media file itself)."""
    return reverse("grid:contact_photo", kwargs={"pk": photo.pk})


class ContactSerializer(ModelSerializer[Contact]):
    """What a 执委 did once — her duty record. ``households`` and ``members`` list those the
    reader may see; ``status`` is where its review stands (``pending`` until the level above
    confirms or returns it; ``superseded`` once a confirmed correction replaced it)."""

    person_name = serializers.CharField(source="person.name", read_only=True)
    org = serializers.CharField(source="org.code", read_only=True)
    org_name = serializers.CharField(source="org.display_name", read_only=True)
    households = ContactHouseholdSerializer(source="visible_households", many=True, read_only=True)
    members = serializers.SerializerMethodField()
    work_mode = serializers.SerializerMethodField()
    hours = serializers.FloatField(read_only=True, help_text="half_hours / 2")
    reviewed_by = ReviewerSerializer(read_only=True, allow_null=True)
    photos = serializers.SerializerMethodField()

    class Meta:
        model = Contact
        fields = [
            "id",
            "person",
            "person_name",
            "work_mode",
            "mode",
            "happened_on",
            "half_hours",
            "hours",
            "households",
            "members",
            "whom",
            "location",
            "note",
            "org",
            "org_name",
            "photos",
            "status",
            "reviewed_by",
            "reviewed_at",
            "return_reason",
            "supersedes",
            "correction_reason",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(NamedRefSerializer(allow_null=True))
    def get_work_mode(self, contact: Contact) -> dict[str, Any] | None:
        mode = contact.work_mode
        return None if mode is None else {"id": mode.pk, "name": mode.label}

    @extend_schema_field(NamedRefSerializer(many=True))
    def get_members(self, contact: Contact) -> list[dict[str, Any]]:
        members = getattr(contact, "visible_members", None)
        if members is None:  # a record not read through the viewset's queryset
            members = []
        return [{"id": m.pk, "name": m.name} for m in members]

    @extend_schema_field(serializers.ListField(child=serializers.URLField()))
    def get_photos(self, contact: Contact) -> list[str]:
        request = self.context.get("request")
        urls = [photo_url(photo) for photo in contact.photos.all()]
        return [request.build_absolute_uri(url) for url in urls] if request is not None else urls


class ClientKeyField(serializers.UUIDField):
    """The phone's key for one submission. In a form body DRF reads an empty value as "not
    sent"; here it is what it is, not a UUID: a 400 naming the field."""

    def get_value(self, dictionary: Any) -> Any:
        if hasattr(dictionary, "getlist") and dictionary.get(self.field_name) == "":
            return ""
        return super().get_value(dictionary)

    def to_internal_value(self, data: Any) -> Any:
        # DRF's UUIDField takes a number as a UUID's integer; the schema says text.
        if not isinstance(data, str | uuid.UUID):
            self.fail("invalid", value=data)
        return super().to_internal_value(data)


class ContactWriteSerializer(Serializer[Any]):
    """A duty record as sent: its work mode, how, when, the time spent, with whom, where."""

    person = IdField(
        required=False,
        help_text="The executive member who was in touch: staff only; an executive member records as herself",
    )
    work_mode = IdField(help_text="A work mode in use (``/api/v1/duties/work-modes/``)")
    mode = serializers.ChoiceField(choices=ContactMode.choices)
    happened_on = serializers.DateField()
    half_hours = serializers.IntegerField(
        min_value=0, max_value=DAY_HALF_HOURS, default=0, help_text="Time spent in half hours (3 = 1.5 h)"
    )
    households = serializers.ListField(child=IdField(), required=False, max_length=1000)
    members = serializers.ListField(
        child=IdField(), required=False, max_length=100, help_text="Household members' ids (the people involved)"
    )
    whom = serializers.CharField(max_length=200, required=False, allow_blank=True)
    place = OrgCodeField(
        action="grid.contact", required=False, help_text="The village or group where it happened (id or code)"
    )
    location = serializers.CharField(max_length=200, required=False, allow_blank=True)
    note = serializers.CharField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True)
    client_key = ClientKeyField(
        required=False,
        help_text="The phone's key for this submission: sent again, the record already made is returned (200)",
    )
    supersedes = IdField(required=False, help_text="A confirmed record of hers that this one corrects")
    correction_reason = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="Why the confirmed record is corrected"
    )


class ContactUploadSerializer(ContactWriteSerializer):
    photos = serializers.ListField(
        child=serializers.FileField(), required=False, max_length=MAX_PHOTOS, help_text="JPEG or PNG photos"
    )


class ContactEditSerializer(Serializer[Any]):
    """A record waiting for review, or returned, changed: what is sent replaces what it said (a
    returned record goes back to review)."""

    work_mode = IdField(required=False)
    happened_on = serializers.DateField(required=False)
    half_hours = serializers.IntegerField(min_value=0, max_value=DAY_HALF_HOURS, required=False)
    households = serializers.ListField(child=IdField(), required=False, max_length=1000)
    whom = serializers.CharField(max_length=200, required=False, allow_blank=True)
    location = serializers.CharField(max_length=200, required=False, allow_blank=True)
    note = serializers.CharField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True)


class ReturnSerializer(Serializer[Any]):
    reason = serializers.CharField(max_length=200, help_text="Why the record goes back to its executive member")
