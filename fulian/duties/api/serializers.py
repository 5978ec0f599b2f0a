"""What the duties API reads and writes: 她代表 requests and their steps, the review queue's bulk
confirmation, and the work modes. Writes are checked here for their shape only; the rules are
the services' (``fulian.duties.services``)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from fulian.core.api_fields import IdField, ModelSerializer, RequiredBooleanField, Serializer
from fulian.duties.choices import Category, RequestKind, Satisfaction, Urgency
from fulian.duties.models import TEXT_MAX_LENGTH, Request, RequestPhoto, RequestStep
from fulian.duties.services.modes import NAME_MAX_LENGTH
from fulian.duties.services.requests import MAX_PHOTOS
from fulian.duties.services.review import BULK_MAX
from fulian.grid import coverage
from fulian.grid.api.serializers import ClientKeyField, ReviewerSerializer
from fulian.grid.models import WorkMode

TEXTAREA = {"base_template": "textarea.html"}


# --- requests ------------------------------------------------------------------------------


class RequestPhotoSerializer(ModelSerializer[RequestPhoto]):
    """A photo of a request: with the record, or with the step (an update) that added it."""

    class Meta:
        model = RequestPhoto
        fields = ["id", "step", "created_at"]
        read_only_fields = fields


class RequestSerializer(ModelSerializer[Request]):
    """A need or suggestion a 她代表 took from a woman or household, and where it stands: the
    federation holding it (``holder``), the person it is assigned to, its deadline and whether
    it is overdue, the answer and the woman's satisfaction. ``org`` is where it came from."""

    representative_name = serializers.CharField(source="representative.name", read_only=True)
    household_name = serializers.CharField(
        source="household.head_name", read_only=True, allow_null=True, default=None, help_text="The head's name"
    )
    member_name = serializers.CharField(source="member.name", read_only=True, allow_null=True, default=None)
    holder = serializers.CharField(source="holder.code", read_only=True, help_text="The federation holding it now")
    holder_name = serializers.CharField(source="holder.display_name", read_only=True)
    assignee = ReviewerSerializer(read_only=True, allow_null=True, help_text="The person of the holder handling it")
    overdue = serializers.SerializerMethodField()
    org = serializers.CharField(source="org.code", read_only=True)
    org_name = serializers.CharField(source="org.display_name", read_only=True)
    photos = RequestPhotoSerializer(many=True, read_only=True)

    class Meta:
        model = Request
        fields = [
            "id",
            "representative",
            "representative_name",
            "kind",
            "category",
            "urgency",
            "household",
            "household_name",
            "member",
            "member_name",
            "whom",
            "description",
            "status",
            "holder",
            "holder_name",
            "assignee",
            "recorded_on",
            "due_on",
            "overdue",
            "answer",
            "answered_at",
            "satisfaction",
            "reopened",
            "closed_at",
            "org",
            "org_name",
            "photos",
            "created_at",
        ]
        read_only_fields = fields

    def get_overdue(self, request: Request) -> bool:
        """Open past its deadline."""
        return request.is_overdue(coverage.today())


class RequestStepSerializer(ModelSerializer[RequestStep]):
    """One step of a request, in order: who did what and when, with its note; where it went
    (an escalation) or to whom (an assignment)."""

    actor = ReviewerSerializer(read_only=True, allow_null=True)
    from_org = serializers.CharField(source="from_org.code", read_only=True, allow_null=True, default=None)
    to_org = serializers.CharField(source="to_org.code", read_only=True, allow_null=True, default=None)
    to_org_name = serializers.CharField(source="to_org.display_name", read_only=True, allow_null=True, default=None)
    assignee = ReviewerSerializer(read_only=True, allow_null=True)
    photos = serializers.SerializerMethodField()

    class Meta:
        model = RequestStep
        fields = [
            "id",
            "kind",
            "actor",
            "at",
            "note",
            "from_org",
            "to_org",
            "to_org_name",
            "assignee",
            "satisfaction",
            "photos",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_photos(self, step: RequestStep) -> list[int]:
        return [photo.pk for photo in step.photos.all()]


class RequestWriteSerializer(Serializer[Any]):
    """A request as a 她代表 records it (staff name her: ``representative``)."""

    representative = IdField(
        required=False, help_text="The 她代表 (a person's id): staff only; an executive member records as herself"
    )
    kind = serializers.ChoiceField(choices=RequestKind.choices, default=RequestKind.NEED)
    category = serializers.ChoiceField(choices=Category.choices)
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.NORMAL)
    household = IdField(required=False, help_text="The household it comes from")
    member = IdField(required=False, help_text="The woman (a household member's id)")
    whom = serializers.CharField(max_length=100, required=False, allow_blank=True)
    # Before the description: a form body's last part, when empty, does not reach the parser.
    client_key = ClientKeyField(
        required=False, help_text="The phone's key for this submission: sent again, the request already made (200)"
    )
    description = serializers.CharField(max_length=TEXT_MAX_LENGTH, style=TEXTAREA)


@extend_schema_field(
    {
        "description": "A UUID as text; empty or left out is no key (a form body's empty or unrepresentable "
        "part may not reach the server, which cannot tell it from none)"
    }
)
class FormClientKeyField(serializers.UUIDField):
    """The client key of a form (multipart) body: empty means no key, as the parser may drop an
    empty part and the server cannot tell the two apart; anything else must be a UUID."""


class RequestUploadSerializer(RequestWriteSerializer):
    client_key = FormClientKeyField(  # type: ignore[assignment]
        required=False, help_text="The phone's key for this submission: sent again, the request already made (200)"
    )
    photos = serializers.ListField(
        child=serializers.FileField(), required=False, max_length=MAX_PHOTOS, help_text="JPEG or PNG photos"
    )


class NoteSerializer(Serializer[Any]):
    note = serializers.CharField(max_length=TEXT_MAX_LENGTH, required=False, allow_blank=True, style=TEXTAREA)


class AssignSerializer(NoteSerializer):
    assignee = IdField(help_text="An account with a role at the federation holding the request")


class EscalateSerializer(Serializer[Any]):
    reason = serializers.CharField(max_length=TEXT_MAX_LENGTH, style=TEXTAREA, help_text="Why the level above")


class ProgressSerializer(Serializer[Any]):
    note = serializers.CharField(max_length=TEXT_MAX_LENGTH, style=TEXTAREA, help_text="What was done")


class ProgressUploadSerializer(ProgressSerializer):
    photos = serializers.ListField(
        child=serializers.FileField(), required=False, max_length=MAX_PHOTOS, help_text="JPEG or PNG photos"
    )


class AnswerSerializer(Serializer[Any]):
    answer = serializers.CharField(max_length=TEXT_MAX_LENGTH, style=TEXTAREA)


class RateSerializer(NoteSerializer):
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices, help_text="The woman's own answer")


class CloseSerializer(Serializer[Any]):
    note = serializers.CharField(
        max_length=TEXT_MAX_LENGTH, style=TEXTAREA, help_text="Why it is closed without her satisfaction"
    )


# --- review --------------------------------------------------------------------------------


class BulkConfirmSerializer(Serializer[Any]):
    ids = serializers.ListField(child=IdField(), allow_empty=False, max_length=BULK_MAX, help_text="Records' ids")


class BulkConfirmedSerializer(Serializer[Any]):
    confirmed = serializers.IntegerField(help_text="Records confirmed")
    problems = serializers.ListField(child=serializers.CharField(), help_text="Each record left as it was, and why")


# --- work modes ----------------------------------------------------------------------------


class WorkModeSerializer(ModelSerializer[WorkMode]):
    """A work mode of the city's list; ``label`` is the name in the reader's language; a mode
    no longer ``active`` stays on its records and is not offered."""

    label = serializers.CharField(read_only=True)  # type: ignore[assignment]

    class Meta:
        model = WorkMode
        fields = ["id", "name", "name_en", "label", "position", "active"]
        read_only_fields = fields


class WorkModeWriteSerializer(Serializer[Any]):
    name = serializers.CharField(max_length=NAME_MAX_LENGTH)
    name_en = serializers.CharField(max_length=60, required=False, allow_blank=True)


class WorkModeUpdateSerializer(Serializer[Any]):
    name = serializers.CharField(max_length=NAME_MAX_LENGTH, required=False)
    name_en = serializers.CharField(max_length=60, required=False, allow_blank=True)
    active = RequiredBooleanField(required=False, help_text="false: retired (kept on its records, not offered)")
