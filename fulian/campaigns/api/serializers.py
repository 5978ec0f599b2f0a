"""What the campaigns' API reads and writes: campaigns with their stages, rubrics with their
sections and items, nominations, entries, stage results, rater assignments, score sheets,
公示, objections and awards. Writes are checked here for their shape only; the rules are the
services'."""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from fulian.campaigns.choices import CampaignKind, Decision, ItemKind, ObjectionStatus
from fulian.campaigns.models import (
    NAME_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    REASON_MAX_LENGTH,
    STAGE_LEVELS,
    Award,
    Campaign,
    Entry,
    Nomination,
    Objection,
    Publicity,
    RaterAssignment,
    Result,
    Rubric,
    RubricItem,
    RubricSection,
    ScoreSheet,
    SheetPhoto,
    Stage,
)
from fulian.campaigns.rubrics import TEMPLATES
from fulian.campaigns.services.scoring import MAX_PHOTOS
from fulian.campaigns.services.setup import MAX_ITEMS
from fulian.core.api_fields import IdField, ModelSerializer, Serializer
from fulian.core.personal import mask_mobile
from fulian.orgs.api.fields import OrgCodeField

TEXTAREA = {"base_template": "textarea.html"}


# --- campaigns and their stages ----------------------------------------------------------------


class StageSerializer(ModelSerializer[Stage]):
    """One level of a campaign: its deadline, raters per household, quota (a number or a share
    in percent per organisation of its level) and working days of 公示."""

    class Meta:
        model = Stage
        fields = [
            "id",
            "campaign",
            "level",
            "order",
            "deadline",
            "raters",
            "quota_count",
            "quota_share",
            "publicity_days",
            "status",
            "ranked_at",
            "done_at",
        ]
        read_only_fields = fields


class CampaignSerializer(ModelSerializer[Campaign]):
    """A federation's evaluation for a year over its subtree, with its stages bottom up."""

    org = serializers.CharField(source="org.code", read_only=True, help_text="The organising federation's code")
    org_name = serializers.CharField(source="org.display_name", read_only=True)
    rubric_name = serializers.CharField(source="rubric.name", read_only=True)
    stages = StageSerializer(many=True, read_only=True)

    class Meta:
        model = Campaign
        fields = [
            "id",
            "org",
            "org_name",
            "kind",
            "name",
            "year",
            "rubric",
            "rubric_name",
            "status",
            "description",
            "nominations_open",
            "nominations_until",
            "vote_weight",
            "award_title",
            "stages",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class StageWriteSerializer(Serializer[Any]):
    """One stage as written: its level, deadline, raters per household, quota (a number or a
    share, one of the two) and working days of 公示."""

    level = serializers.ChoiceField(choices=[(str(level), level.label) for level in STAGE_LEVELS])
    deadline = serializers.DateField(help_text="The scoring deadline")
    raters = serializers.IntegerField(min_value=1, max_value=15, default=3, help_text="Raters per household")
    quota_count = serializers.IntegerField(
        min_value=1, max_value=100000, required=False, allow_null=True, help_text="Households promoted per organisation"
    )
    quota_share = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal(100),
        required=False,
        allow_null=True,
        help_text="Or the share promoted, in percent (one of the two quotas)",
    )
    publicity_days = serializers.IntegerField(min_value=0, max_value=30, default=0, help_text="Working days of 公示")


class CampaignUpdateSerializer(Serializer[Any]):
    """A campaign's settings, each optional (``stages``, when given, replaces them whole). The
    kind, year, rubric, vote and the stages' levels change only while it is being set up."""

    kind = serializers.ChoiceField(choices=CampaignKind.choices, required=False)
    name = serializers.CharField(max_length=NAME_MAX_LENGTH, required=False)
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)
    rubric = IdField(required=False, help_text="A rubric of this federation or one above it")
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True, style=TEXTAREA)
    nominations_open = serializers.BooleanField(required=False, help_text="Public nominations (群众举荐, 自荐)")
    nominations_until = serializers.DateField(required=False, allow_null=True)
    vote_weight = serializers.IntegerField(
        min_value=0, max_value=50, required=False, help_text="The public vote's share of the top stage's score (%)"
    )
    award_title = serializers.CharField(max_length=NAME_MAX_LENGTH, required=False, allow_blank=True)
    stages = StageWriteSerializer(many=True, allow_empty=False, max_length=len(STAGE_LEVELS), required=False)  # type: ignore[call-arg]


class CampaignCreateSerializer(CampaignUpdateSerializer):
    """A new campaign: its federation, kind, name, year, rubric and stages bottom up."""

    org = OrgCodeField(action="campaigns.manage", help_text="The federation running the campaign")
    kind = serializers.ChoiceField(choices=CampaignKind.choices)
    name = serializers.CharField(max_length=NAME_MAX_LENGTH)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    rubric = IdField(help_text="A rubric of this federation or one above it")
    stages = StageWriteSerializer(many=True, allow_empty=False, max_length=len(STAGE_LEVELS))  # type: ignore[call-arg]


# --- rubrics -----------------------------------------------------------------------------------


class RubricItemSerializer(ModelSerializer[RubricItem]):
    class Meta:
        model = RubricItem
        fields = ["id", "name", "guidance", "order", "kind", "max_points", "per_fault", "allow_na"]
        read_only_fields = fields


class RubricSectionSerializer(ModelSerializer[RubricSection]):
    items = RubricItemSerializer(many=True, read_only=True)

    class Meta:
        model = RubricSection
        fields = ["id", "name", "order", "items"]
        read_only_fields = fields


class RubricSerializer(ModelSerializer[Rubric]):
    """A scoring form: its sections and items (ids used by score sheets). ``frozen_at`` is set
    once scoring started: a change is then a new version."""

    org = serializers.CharField(source="org.code", read_only=True)
    org_name = serializers.CharField(source="org.display_name", read_only=True)
    sections = RubricSectionSerializer(many=True, read_only=True)

    class Meta:
        model = Rubric
        fields = [
            "id",
            "org",
            "org_name",
            "name",
            "kind",
            "version",
            "previous",
            "notes",
            "frozen_at",
            "sections",
            "created_at",
        ]
        read_only_fields = fields


class ItemWriteSerializer(Serializer[Any]):
    """One item: points (0 to ``max_points``), a deduction per fault, or a veto (一票否决)."""

    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=ItemKind.choices, default=ItemKind.POINTS)
    max_points = serializers.DecimalField(
        max_digits=5, decimal_places=1, min_value=Decimal(0), max_value=Decimal(1000), required=False, allow_null=True
    )
    per_fault = serializers.DecimalField(
        max_digits=4,
        decimal_places=1,
        min_value=Decimal(0),
        max_value=Decimal(999),
        required=False,
        allow_null=True,
        help_text="For a deduction item: points off per fault",
    )
    allow_na = serializers.BooleanField(default=False, help_text="May be marked not applicable")
    guidance = serializers.CharField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True)


class SectionWriteSerializer(Serializer[Any]):
    """One section of a rubric with its items."""

    name = serializers.CharField(max_length=NAME_MAX_LENGTH)
    items = ItemWriteSerializer(many=True, max_length=MAX_ITEMS)  # type: ignore[call-arg]


class RubricUpdateSerializer(Serializer[Any]):
    """The rubric's sections and items, replaced whole; its name if given."""

    name = serializers.CharField(max_length=NAME_MAX_LENGTH, required=False)
    sections = SectionWriteSerializer(many=True, allow_empty=False, max_length=MAX_ITEMS)  # type: ignore[call-arg]


class RubricCreateSerializer(Serializer[Any]):
    """A new rubric from a shipped example (``template``) or from ``sections``: one of the two."""

    org = OrgCodeField(action="campaigns.manage", help_text="The federation the rubric belongs to")
    name = serializers.CharField(max_length=NAME_MAX_LENGTH, required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=CampaignKind.choices, default=CampaignKind.COURTYARD)
    template = serializers.ChoiceField(choices=list(TEMPLATES), required=False, help_text="A shipped example")
    sections = SectionWriteSerializer(many=True, required=False, max_length=MAX_ITEMS)  # type: ignore[call-arg]
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, style=TEXTAREA)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("template" in attrs) == ("sections" in attrs):
            raise serializers.ValidationError(_("Give an example (template) or the sections: one of the two."))
        return attrs


# --- nominations, entries, results ------------------------------------------------------------


class NominationSerializer(ModelSerializer[Nomination]):
    """A household put forward; ``phone`` masked. ``household`` is null for a public nomination
    not yet matched with the registry."""

    phone = serializers.CharField(source="phone_masked", read_only=True)
    org = serializers.CharField(source="org.code", read_only=True)
    org_name = serializers.CharField(source="org.display_name", read_only=True)

    class Meta:
        model = Nomination
        fields = [
            "id",
            "campaign",
            "household",
            "source",
            "name",
            "reason",
            "nominator",
            "phone",
            "org",
            "org_name",
            "status",
            "duplicate_of",
            "reject_reason",
            "screened_at",
            "created_at",
        ]
        read_only_fields = fields


class NominationCreateSerializer(Serializer[Any]):
    """妇联推荐 of a household of the registry for a campaign."""

    campaign = IdField()
    household = IdField(help_text="A household of the registry (妇联推荐: accepted at once)")
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH, required=False, allow_blank=True)


class NominationAcceptSerializer(Serializer[Any]):
    """The household of the registry the nomination is for (a public one names none)."""

    household = IdField(
        required=False, allow_null=True, help_text="The household of the registry (for a public nomination)"
    )


class NominationMergeSerializer(Serializer[Any]):
    """The nomination this one duplicates."""

    into = IdField(help_text="The nomination of the same household it duplicates")


class CampaignReasonSerializer(Serializer[Any]):
    """The reason, kept on the record."""

    reason = serializers.CharField(max_length=REASON_MAX_LENGTH)


class EntrySerializer(ModelSerializer[Entry]):
    """A household in a campaign: the highest stage it reached and whether it is still in."""

    household_name = serializers.CharField(source="household.head_name", read_only=True)
    org = serializers.CharField(source="org.code", read_only=True)
    org_name = serializers.CharField(source="org.display_name", read_only=True)

    class Meta:
        model = Entry
        fields = [
            "id",
            "campaign",
            "household",
            "household_name",
            "nomination",
            "stage",
            "status",
            "org",
            "org_name",
            "created_at",
        ]
        read_only_fields = fields


class ResultSerializer(ModelSerializer[Result]):
    """An entry's standing at one stage: score, rank in its organisation, quota, a reviewer's
    adjustment and the outcome."""

    household = serializers.IntegerField(source="entry.household_id", read_only=True)
    household_name = serializers.CharField(source="entry.household.head_name", read_only=True)
    org = serializers.CharField(source="org.code", read_only=True)
    org_name = serializers.CharField(source="org.display_name", read_only=True)

    class Meta:
        model = Result
        fields = [
            "id",
            "entry",
            "stage",
            "household",
            "household_name",
            "org",
            "org_name",
            "sheets",
            "committee_score",
            "votes",
            "score",
            "vetoed",
            "rank",
            "within_quota",
            "proposed",
            "decision",
            "decision_reason",
            "outcome",
        ]
        read_only_fields = fields


class AdjustSerializer(Serializer[Any]):
    """A reviewer's adjustment of a ranked result, with its reason."""

    decision = serializers.ChoiceField(choices=Decision.choices)
    reason = serializers.CharField(
        max_length=REASON_MAX_LENGTH, required=False, allow_blank=True, help_text="Required unless `auto`"
    )


# --- raters and sheets -------------------------------------------------------------------------


class RaterAssignmentSerializer(ModelSerializer[RaterAssignment]):
    """A 执委 asked to score one household at one stage; ``scored`` once her sheet is in."""

    household = serializers.IntegerField(source="entry.household_id", read_only=True)
    household_name = serializers.CharField(source="entry.household.head_name", read_only=True)
    person_name = serializers.CharField(source="person.name", read_only=True)
    scored = serializers.BooleanField(read_only=True, help_text="A submitted sheet counts")
    org = serializers.CharField(source="org.code", read_only=True)
    org_name = serializers.CharField(source="org.display_name", read_only=True)

    class Meta:
        model = RaterAssignment
        fields = [
            "id",
            "stage",
            "entry",
            "household",
            "household_name",
            "person",
            "person_name",
            "scored",
            "org",
            "org_name",
            "created_at",
            "reminded_at",
        ]
        read_only_fields = fields


class RaterAssignSerializer(Serializer[Any]):
    """A rater added by hand."""

    entry = IdField(help_text="The entry (at its current stage)")
    person = IdField(help_text="The 执委 who will score it")


class AssignRatersSerializer(Serializer[Any]):
    """Where to assign raters."""

    org = OrgCodeField(action="campaigns.screen", help_text="Where to give every entry its raters")


class ShortSerializer(Serializer[Any]):
    """An entry with too few 执委 free to rate it."""

    entry = serializers.IntegerField()
    missing = serializers.IntegerField(help_text="Raters still to add by hand")


class AssignedSerializer(Serializer[Any]):
    """How many rater assignments were made, and the entries still short of raters."""

    assigned = serializers.IntegerField()
    short = ShortSerializer(many=True)


class SheetPhotoSerializer(ModelSerializer[SheetPhoto]):
    # The scoped photo view (campaigns:sheet_photo), never the media file itself.
    url = serializers.SerializerMethodField()

    class Meta:
        model = SheetPhoto
        fields = ["id", "item", "url", "created_at"]
        read_only_fields = fields

    def get_url(self, photo: SheetPhoto) -> str:
        return reverse("campaigns:sheet_photo", kwargs={"pk": photo.pk})


class ScoreSheetSerializer(ModelSerializer[ScoreSheet]):
    """One rater's scores of one household at one stage. ``items``: by item id, ``{"v":
    points}``, ``{"faults": n, "v": points}``, ``{"hit": bool}`` or ``{"na": true}``."""

    household = serializers.IntegerField(source="entry.household_id", read_only=True)
    household_name = serializers.CharField(source="entry.household.head_name", read_only=True)
    rater_name = serializers.CharField(source="rater.name", read_only=True)
    items = serializers.DictField(child=serializers.DictField(), read_only=True)  # type: ignore[assignment]
    photos = SheetPhotoSerializer(many=True, read_only=True)

    class Meta:
        model = ScoreSheet
        fields = [
            "id",
            "assignment",
            "stage",
            "entry",
            "household",
            "household_name",
            "rater",
            "rater_name",
            "rubric",
            "items",
            "raw",
            "possible",
            "score",
            "vetoed",
            "comment",
            "scored_at",
            "latitude",
            "longitude",
            "client_key",
            "status",
            "superseded_reason",
            "superseded_at",
            "submitted_at",
            "photos",
        ]
        read_only_fields = fields


class SheetWriteSerializer(Serializer[Any]):
    """A score sheet without photos."""

    assignment = IdField(help_text="Her rater assignment")
    values = serializers.CharField(
        max_length=20000,
        help_text='The scores as a JSON object by item id: {"12": {"v": "8.5"}, "13": {"faults": 2}, '
        '"14": {"hit": false}, "15": {"na": true}}',
    )
    comment = serializers.CharField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True, style=TEXTAREA)
    scored_at = serializers.DateTimeField(required=False, help_text="When she scored (now unless given)")
    latitude = serializers.FloatField(min_value=-90, max_value=90, required=False, allow_null=True)
    longitude = serializers.FloatField(min_value=-180, max_value=180, required=False, allow_null=True)
    client_key = serializers.UUIDField(
        required=False, help_text="Made by the phone: the same key sent again returns the stored sheet (200)"
    )

    def validate_values(self, raw: str) -> dict[str, Any]:
        try:
            values = json.loads(raw)
        except ValueError:
            values = None
        if not isinstance(values, dict):
            raise serializers.ValidationError(_("Give the scores as a JSON object by item id."))
        return values

    def _finite(self, value: float | None) -> float | None:
        if value is not None and not math.isfinite(value):
            raise serializers.ValidationError(_("The position is not readable."))
        return value

    def validate_latitude(self, value: float | None) -> float | None:
        return self._finite(value)

    def validate_longitude(self, value: float | None) -> float | None:
        return self._finite(value)


class SheetUploadSerializer(SheetWriteSerializer):
    """A score sheet with its photos (a multipart body)."""

    photos = serializers.ListField(
        child=serializers.FileField(), required=False, max_length=MAX_PHOTOS, help_text="JPEG or PNG photos"
    )
    photo_items = serializers.ListField(
        child=serializers.CharField(allow_blank=True, max_length=20),
        required=False,
        max_length=MAX_PHOTOS,
        help_text="For each photo, in the same order, the id of the item it shows (blank: the whole sheet)",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        photos = attrs.get("photos", [])
        items = attrs.get("photo_items")
        if items is None:
            attrs["photo_items"] = [None] * len(photos)
            return attrs
        if len(items) != len(photos):
            raise serializers.ValidationError(
                {"photo_items": [_("Give one entry for each photo (blank for the whole sheet).")]}
            )
        parsed: list[int | None] = []
        for text in items:
            if text == "":
                parsed.append(None)
            elif text.isascii() and text.isdigit() and len(text) <= 18:
                parsed.append(int(text))
            else:
                raise serializers.ValidationError({"photo_items": [_("Give an item's id, or leave it blank.")]})
        attrs["photo_items"] = parsed
        return attrs


# --- 公示, objections, awards -------------------------------------------------------------------


class PublicitySerializer(ModelSerializer[Publicity]):
    """The 公示 of a stage's proposed list, from ``starts_on`` to ``ends_on`` inclusive."""

    campaign = serializers.IntegerField(source="stage.campaign_id", read_only=True)

    class Meta:
        model = Publicity
        fields = [
            "id",
            "campaign",
            "stage",
            "starts_on",
            "ends_on",
            "notice",
            "contact",
            "published_at",
            "closed_at",
        ]
        read_only_fields = fields


class PublishSerializer(Serializer[Any]):
    """The 公示 of a ranked stage."""

    starts_on = serializers.DateField(required=False, help_text="Today unless given")
    notice = serializers.CharField(max_length=5000, required=False, allow_blank=True, style=TEXTAREA)
    contact = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="Whom to reach with an objection"
    )


class StagePromoteSerializer(Serializer[Any]):
    """Promotion of a ranked stage."""

    issued_on = serializers.DateField(required=False, help_text="At the top stage: the awards' date (today)")


class RankedSerializer(Serializer[Any]):
    """What ranking did: results scored, ranked, proposed."""

    results = serializers.IntegerField()
    ranked = serializers.IntegerField()
    proposed = serializers.IntegerField()


class PromotedSerializer(Serializer[Any]):
    """How many households went up (or were awarded)."""

    promoted = serializers.IntegerField()


class ObjectionSerializer(ModelSerializer[Objection]):
    """An objection (异议) to a household on a 公示 list; ``phone`` masked."""

    phone = serializers.SerializerMethodField(help_text="Masked")
    household_name = serializers.CharField(source="entry.household.head_name", read_only=True)
    org = serializers.CharField(source="org.code", read_only=True)
    org_name = serializers.CharField(source="org.display_name", read_only=True)

    class Meta:
        model = Objection
        fields = [
            "id",
            "publicity",
            "entry",
            "household_name",
            "reason",
            "name",
            "phone",
            "org",
            "org_name",
            "status",
            "outcome",
            "handled_at",
            "created_at",
        ]
        read_only_fields = fields

    def get_phone(self, objection: Objection) -> str:
        return mask_mobile(objection.phone) if objection.phone else ""


class HandleSerializer(Serializer[Any]):
    """What was done with an objection."""

    status = serializers.ChoiceField(
        choices=[
            (ObjectionStatus.INVESTIGATING.value, ObjectionStatus.INVESTIGATING.label),
            (ObjectionStatus.UPHELD.value, ObjectionStatus.UPHELD.label),
            (ObjectionStatus.DISMISSED.value, ObjectionStatus.DISMISSED.label),
        ]
    )
    outcome = serializers.CharField(
        max_length=NOTE_MAX_LENGTH,
        allow_blank=True,
        help_text="What was found: required to uphold or dismiss, may be blank while investigating",
    )


class AwardSerializer(ModelSerializer[Award]):
    """An honour with its certificate number; ``revoked_on`` set once revoked."""

    household_name = serializers.CharField(source="household.head_name", read_only=True)
    org = serializers.CharField(source="org.code", read_only=True)
    org_name = serializers.CharField(source="org.display_name", read_only=True)

    class Meta:
        model = Award
        fields = [
            "id",
            "campaign",
            "stage",
            "entry",
            "household",
            "household_name",
            "org",
            "org_name",
            "title",
            "certificate_no",
            "issued_on",
            "plaque",
            "revoked_on",
            "revoke_reason",
        ]
        read_only_fields = fields
