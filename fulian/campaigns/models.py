"""Evaluation campaigns (最美庭院 first): a campaign of a federation for a year, its rubric, its
stages from the village up, the households nominated and entered, raters and their score
sheets, each stage's ranking, 公示 with objections, and the awards.

The tables that grow with a city-wide round (entries, results, rater assignments, sheets)
carry their household's ancestry, so that a scope is one indexed equality (DESIGN.md §3).
Campaigns and rubrics are small: a federation sees those of its subtree and those of the
federations above it that reach down to it.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fulian.audit.models import AuditedModel
from fulian.campaigns.choices import (
    CampaignKind,
    CampaignStatus,
    ConflictReason,
    Decision,
    EntryStatus,
    FlagKind,
    ItemKind,
    NominationSource,
    NominationStatus,
    ObjectionStatus,
    Outcome,
    SheetStatus,
    StageStatus,
)
from fulian.core.ancestry import AncestryScopedModel
from fulian.core.personal import EncryptedTextField, mask_mobile
from fulian.core.scoping import Grant, PathScopedModel, ScopedQuerySet
from fulian.orgs.choices import Level

NAME_MAX_LENGTH = 100
REASON_MAX_LENGTH = 300
NOTE_MAX_LENGTH = 500
# The levels a campaign's stages can be at, bottom first.
STAGE_LEVELS = (Level.VILLAGE, Level.TOWNSHIP, Level.COUNTY, Level.CITY)


def _author_field() -> Any:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )


def reaching_q(grant: Grant, prefix: str = "") -> Q:
    """Rows of an organisation in the grant's subtree, or of one above it (whose campaign
    reaches down into the grant's subtree): a village's staff see the city's campaign."""
    codes = grant.path.strip("/").split("/")
    above = ["/" + "/".join(codes[:n]) + "/" for n in range(1, len(codes))]
    return Q(**{f"{prefix}org__path__startswith": grant.path}) | Q(**{f"{prefix}org__path__in": above})


class ReachingModel(PathScopedModel):
    """A small table whose rows belong to a federation and reach its subtree (campaigns, rubrics)."""

    class Meta:
        abstract = True

    @classmethod
    def scope_q(cls, grant: Grant) -> Q:
        return reaching_q(grant, cls.scope_path_field.removesuffix("org__path"))

    @property
    def audit_org(self) -> Any:
        return self.org  # type: ignore[attr-defined]


class RubricQuerySet(ScopedQuerySet["Rubric"]):
    pass


class Rubric(ReachingModel, AuditedModel):
    """A scoring form: sections of items, each with a maximum. Editable until the first sheet
    is scored against it (``frozen_at``); a change after that is a new version."""

    scope_view_action = "campaigns.view"
    audit_exclude = frozenset({"created_at"})

    org = models.ForeignKey(
        "orgs.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH)
    kind = models.CharField(_("kind"), max_length=20, choices=CampaignKind.choices, default=CampaignKind.COURTYARD)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    previous = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("previous version")
    )
    notes = models.TextField(_("notes"), blank=True)
    frozen_at = models.DateTimeField(_("frozen at"), null=True, blank=True, editable=False)
    created_by = _author_field()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RubricQuerySet.as_manager()

    class Meta:
        verbose_name = _("rubric")
        verbose_name_plural = _("rubrics")
        ordering = ["org__path", "name", "-version"]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None


class RubricSection(models.Model):
    """A part of a rubric (居室美, 庭院美, 家风 …)."""

    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="sections", verbose_name=_("rubric"))
    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("rubric section")
        verbose_name_plural = _("rubric sections")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class RubricItem(models.Model):
    """One thing a rater looks at. Points: 0 to ``max_points``. Deduction: ``max_points`` less
    ``per_fault`` for each fault found, never below zero (扣完为止). Veto: no points; a hit
    disqualifies the household (一票否决). An item that ``allow_na`` may be marked not
    applicable, and then leaves the denominator."""

    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="items", verbose_name=_("rubric"))
    section = models.ForeignKey(
        RubricSection, on_delete=models.CASCADE, related_name="items", verbose_name=_("section")
    )
    name = models.CharField(_("name"), max_length=200)
    guidance = models.CharField(_("what to look for"), max_length=NOTE_MAX_LENGTH, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("scored as"), max_length=20, choices=ItemKind.choices, default=ItemKind.POINTS)
    max_points = models.DecimalField(_("maximum points"), max_digits=5, decimal_places=1, default=Decimal(0))
    per_fault = models.DecimalField(_("deduction per fault"), max_digits=4, decimal_places=1, null=True, blank=True)
    allow_na = models.BooleanField(_("may be not applicable"), default=False)

    class Meta:
        verbose_name = _("rubric item")
        verbose_name_plural = _("rubric items")
        ordering = ["section__order", "order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(max_points__gte=0), name="campaigns_item_max_not_negative"),
            models.CheckConstraint(
                condition=~Q(kind=ItemKind.DEDUCTION) | Q(per_fault__gt=0), name="campaigns_item_deduction_per_fault"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CampaignQuerySet(ScopedQuerySet["Campaign"]):
    pass


class Campaign(ReachingModel, AuditedModel):
    """A federation's evaluation for one year over its subtree: its rubric, its stages from the
    village up, nominations, and an optional public vote with its weight at the top stage."""

    scope_view_action = "campaigns.view"
    audit_exclude = frozenset({"created_at", "updated_at"})

    org = models.ForeignKey(
        "orgs.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("organised by")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=CampaignKind.choices, default=CampaignKind.COURTYARD)
    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH)
    year = models.PositiveSmallIntegerField(_("year"))
    rubric = models.ForeignKey(Rubric, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("rubric"))
    status = models.CharField(_("status"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT)
    description = models.TextField(_("description"), blank=True)
    # 群众举荐 and 自荐 through the public page, between these days (inclusive).
    nominations_open = models.BooleanField(_("public nominations"), default=True)
    nominations_until = models.DateField(_("nominations until"), null=True, blank=True)
    # Public vote at the top stage: its share of the score in percent (0: no vote).
    vote_weight = models.PositiveSmallIntegerField(_("public vote weight (%)"), default=0)
    award_title = models.CharField(_("award title"), max_length=NAME_MAX_LENGTH, blank=True)
    created_by = _author_field()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-year", "org__path", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(vote_weight__lte=100), name="campaigns_vote_weight_percent"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.name}"


class StageQuerySet(ScopedQuerySet["Stage"]):
    pass


class Stage(models.Model):
    """One level of a campaign (village → township → county → city): its deadline, how many
    raters score each household, and the quota (a number, or a share in percent, per
    organisation of that level) promoted to the next stage. The top stage's promoted are the
    winners. ``publicity_days`` working days of 公示 come before its promotion or awards."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="stages", verbose_name=_("campaign"))
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    order = models.PositiveSmallIntegerField(_("order"))
    deadline = models.DateField(_("scoring deadline"))
    raters = models.PositiveSmallIntegerField(_("raters per household"), default=3)
    quota_count = models.PositiveIntegerField(_("quota (households)"), null=True, blank=True)
    quota_share = models.DecimalField(_("quota (percent)"), max_digits=5, decimal_places=2, null=True, blank=True)
    publicity_days = models.PositiveSmallIntegerField(_("publicity (working days)"), default=0)
    status = models.CharField(_("status"), max_length=10, choices=StageStatus.choices, default=StageStatus.PENDING)
    ranked_at = models.DateTimeField(_("ranked at"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = _author_field()

    # Seen with its campaign (``visible_to``): the stages of the campaigns a user sees.
    scope_view_action = "campaigns.view"
    objects = StageQuerySet.as_manager()

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["campaign_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "level"], name="campaigns_stage_one_per_level"),
            models.UniqueConstraint(fields=["campaign", "order"], name="campaigns_stage_order"),
            models.CheckConstraint(condition=Q(raters__gte=1) & Q(raters__lte=15), name="campaigns_stage_raters"),
            models.CheckConstraint(
                condition=Q(quota_share__isnull=True) | (Q(quota_share__gt=0) & Q(quota_share__lte=100)),
                name="campaigns_stage_quota_share",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.get_level_display()}"

    @classmethod
    def scope_q(cls, grant: Grant) -> Q:
        return reaching_q(grant, "campaign__")

    @property
    def level_column(self) -> str:
        """The ancestry column that groups this stage's ranking (one ranking per organisation)."""
        return f"{self.level}_id"


class Holiday(models.Model):
    """A day of the national holiday calendar: a public holiday, or a weekend day worked instead
    (调休). Working days for 公示 are weekdays that are not holidays, plus those worked days."""

    day = models.DateField(_("day"), unique=True)
    workday = models.BooleanField(_("worked (调休)"), default=False)
    name = models.CharField(_("name"), max_length=50)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {self.name}"


class NominationQuerySet(ScopedQuerySet["Nomination"]):
    pass


class Nomination(AncestryScopedModel, AuditedModel):
    """A household put forward for a campaign: by the public (群众举荐, through the public page,
    no account), by itself (自荐), or by the federation (妇联推荐, from the registry or a
    spreadsheet). Placed at the household when known, else at the village named. Staff screen
    it: accepted (it becomes an entry), merged into another nomination of the same household,
    or rejected with a reason."""

    scope_view_action = "campaigns.view"
    audit_exclude = frozenset({"created_at", "phone_hash"})
    audit_masked = {"phone": mask_mobile}

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="nominations", verbose_name=_("campaign")
    )
    household = models.ForeignKey(
        "households.Household",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("household"),
        db_index=False,
    )
    source = models.CharField(_("nominated by"), max_length=20, choices=NominationSource.choices)
    name = models.CharField(_("head of household"), max_length=NAME_MAX_LENGTH)
    reason = models.CharField(_("reason"), max_length=REASON_MAX_LENGTH, blank=True)
    nominator = models.CharField(_("nominator"), max_length=NAME_MAX_LENGTH, blank=True)
    phone = EncryptedTextField(_("contact phone"), null=True, blank=True)
    phone_hash = models.CharField(max_length=64, null=True, blank=True, editable=False)
    # Who nominated, when it was an account (or a 执委): she may not score this household.
    nominated_by = _author_field()
    nominator_person = models.ForeignKey(
        "people.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    status = models.CharField(
        _("status"), max_length=10, choices=NominationStatus.choices, default=NominationStatus.PENDING
    )
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("duplicate of")
    )
    reject_reason = models.CharField(_("reason for rejecting"), max_length=REASON_MAX_LENGTH, blank=True)
    screened_by = _author_field()
    screened_at = models.DateTimeField(_("screened at"), null=True, blank=True)
    created_at = models.DateTimeField(_("nominated at"), auto_now_add=True)
    import_batch = models.BigIntegerField(null=True, blank=True, editable=False)
    import_row = models.IntegerField(null=True, blank=True, editable=False)

    objects = NominationQuerySet.as_manager()

    class Meta:
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        ordering = ["-created_at", "-id"]
        indexes = [
            *AncestryScopedModel.ancestry_indexes("campaigns_nomination"),
            models.Index(fields=["campaign", "status"], name="campaigns_nomination_status"),
            models.Index(fields=["campaign", "household"], name="campaigns_nomination_hh"),
        ]

    def __str__(self) -> str:
        return f"{self.name} · {self.get_source_display()}"

    @property
    def phone_masked(self) -> str:
        return mask_mobile(self.phone) if self.phone else ""


class EntryQuerySet(ScopedQuerySet["Entry"]):
    pass


class Entry(AncestryScopedModel, AuditedModel):
    """A household in a campaign, from its accepted nomination to its last stage: ``stage`` is
    the highest stage it reached, ``status`` whether it is still in the running."""

    scope_view_action = "campaigns.view"
    audit_exclude = frozenset({"created_at"})

    # Indexed by (campaign, household), the constraint below: no single-column copy.
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="entries", verbose_name=_("campaign"), db_index=False
    )
    household = models.ForeignKey(
        "households.Household",
        on_delete=models.PROTECT,
        related_name="campaign_entries",
        verbose_name=_("household"),
        db_index=False,
    )
    nomination = models.ForeignKey(
        Nomination, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("nomination")
    )
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+", verbose_name=_("stage reached"))
    status = models.CharField(_("status"), max_length=15, choices=EntryStatus.choices, default=EntryStatus.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("entry")
        verbose_name_plural = _("entries")
        ordering = ["id"]
        indexes = [
            *AncestryScopedModel.ancestry_indexes("campaigns_entry"),
            models.Index(fields=["household"], name="campaigns_entry_household"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "household"], name="campaigns_entry_once"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.household}"


class ResultQuerySet(ScopedQuerySet["Result"]):
    pass


class Result(AncestryScopedModel):
    """An entry's standing at one stage: its score (the mean of its raters' sheets, trimmed
    with five or more; the public vote blended in at the top stage), its rank within its
    organisation of the stage's level, whether the quota proposes it, a reviewer's
    adjustment with its reason, and the outcome. Written in bulk by ranking (one audit event
    per ranking, not one per row)."""

    scope_view_action = "campaigns.view"

    # Indexed by (entry, stage) and (stage, outcome) below: no single-column copies (every index
    # is written again when ranking rewrites 200,000 results).
    entry = models.ForeignKey(
        Entry, on_delete=models.CASCADE, related_name="results", verbose_name=_("entry"), db_index=False
    )
    stage = models.ForeignKey(
        Stage, on_delete=models.CASCADE, related_name="results", verbose_name=_("stage"), db_index=False
    )
    sheets = models.PositiveSmallIntegerField(_("sheets"), default=0)
    committee_score = models.DecimalField(_("raters' score"), max_digits=6, decimal_places=2, null=True, blank=True)
    votes = models.PositiveIntegerField(_("public votes"), default=0)
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2, null=True, blank=True)
    vetoed = models.BooleanField(_("vetoed"), default=False)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    within_quota = models.BooleanField(_("within the quota"), default=False)
    proposed = models.BooleanField(_("proposed for promotion"), default=False)
    decision = models.CharField(_("adjustment"), max_length=10, choices=Decision.choices, default=Decision.AUTO)
    decision_reason = models.CharField(_("reason for the adjustment"), max_length=REASON_MAX_LENGTH, blank=True)
    decided_by = _author_field()
    outcome = models.CharField(_("outcome"), max_length=15, choices=Outcome.choices, default=Outcome.PENDING)

    objects = ResultQuerySet.as_manager()

    class Meta:
        verbose_name = _("stage result")
        verbose_name_plural = _("stage results")
        ordering = ["stage_id", "rank", "id"]
        indexes = [
            *AncestryScopedModel.ancestry_indexes("campaigns_result"),
            models.Index(fields=["stage", "outcome"], name="campaigns_result_stage"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["entry", "stage"], name="campaigns_result_once"),
        ]

    def __str__(self) -> str:
        return f"{self.entry} · {self.stage}"


class RaterQuerySet(ScopedQuerySet["RaterAssignment"]):
    pass


class RaterAssignment(AncestryScopedModel, AuditedModel):
    """A 执委 asked to score one entry at one stage. Never made for a household she has an
    interest in (``fulian.campaigns.conflicts``)."""

    scope_view_action = "campaigns.view"
    audit_exclude = frozenset({"created_at"})

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="raters_assigned", verbose_name=_("stage"))
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="raters", verbose_name=_("entry"))
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        related_name="rater_assignments",
        verbose_name=_("rater"),
        db_index=False,
    )
    assigned_by = _author_field()
    created_at = models.DateTimeField(auto_now_add=True)
    reminded_at = models.DateTimeField(_("last reminded"), null=True, blank=True)

    objects = RaterQuerySet.as_manager()

    class Meta:
        verbose_name = _("rater assignment")
        verbose_name_plural = _("rater assignments")
        ordering = ["id"]
        indexes = [
            *AncestryScopedModel.ancestry_indexes("campaigns_raterassignment"),
            models.Index(fields=["person", "stage"], name="campaigns_rater_person"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["stage", "entry", "person"], name="campaigns_rater_once"),
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.entry}"


class SheetQuerySet(ScopedQuerySet["ScoreSheet"]):
    def submitted(self) -> SheetQuerySet:
        return self.filter(status=SheetStatus.SUBMITTED)


class ScoreSheet(AncestryScopedModel, AuditedModel):
    """One rater's scores of one household at one stage. ``items`` holds each item's value by
    item id: ``{"12": {"v": "8.5"}, "13": {"faults": 2}, "14": {"hit": false}, "15": {"na": true}}``;
    ``score`` is the percentage of the points possible (items not applicable leave the
    denominator). Immutable once submitted: staff supersede it with a reason, which lets the
    rater score again. ``client_key`` makes a resubmission from a phone that lost its
    connection arrive once."""

    scope_view_action = "campaigns.view"
    audit_exclude = frozenset({"submitted_at", "items"})

    assignment = models.ForeignKey(
        RaterAssignment, on_delete=models.PROTECT, related_name="sheets", verbose_name=_("rater assignment")
    )
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="sheets", verbose_name=_("stage"))
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="sheets", verbose_name=_("entry"))
    rater = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="score_sheets", verbose_name=_("rater"), db_index=False
    )
    rubric = models.ForeignKey(Rubric, on_delete=models.PROTECT, related_name="+", verbose_name=_("rubric"))
    items = models.JSONField(_("item scores"), default=dict)
    raw = models.DecimalField(_("points"), max_digits=7, decimal_places=2)
    possible = models.DecimalField(_("points possible"), max_digits=7, decimal_places=2)
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2)
    vetoed = models.BooleanField(_("veto item hit"), default=False)
    comment = models.CharField(_("comment"), max_length=NOTE_MAX_LENGTH, blank=True)
    scored_at = models.DateTimeField(_("scored at"))
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    client_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(_("status"), max_length=12, choices=SheetStatus.choices, default=SheetStatus.SUBMITTED)
    superseded_reason = models.CharField(_("reason for superseding"), max_length=REASON_MAX_LENGTH, blank=True)
    superseded_by = _author_field()
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)
    submitted_by = _author_field()
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)

    objects = SheetQuerySet.as_manager()

    class Meta:
        verbose_name = _("score sheet")
        verbose_name_plural = _("score sheets")
        ordering = ["id"]
        indexes = [
            *AncestryScopedModel.ancestry_indexes("campaigns_scoresheet"),
            models.Index(fields=["stage", "entry"], name="campaigns_sheet_stage_entry"),
            models.Index(fields=["rater", "stage"], name="campaigns_sheet_rater"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment"],
                condition=Q(status=SheetStatus.SUBMITTED),
                name="campaigns_sheet_one_submitted",
            ),
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=100), name="campaigns_sheet_score_range"),
        ]

    def __str__(self) -> str:
        return f"{self.rater} · {self.entry} · {self.score}"


class SheetPhoto(models.Model):
    """A photo of a sheet, for one item or the whole, re-encoded without EXIF; ``digest`` (of the
    stored pixels) and ``dhash`` (a 64-bit difference hash) find the same picture sent for two
    households."""

    sheet = models.ForeignKey(ScoreSheet, on_delete=models.CASCADE, related_name="photos", verbose_name=_("sheet"))
    item = models.ForeignKey(
        RubricItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("item")
    )
    image = models.ImageField(_("photo"), upload_to="campaigns/sheets/%Y/%m/")
    digest = models.CharField(max_length=64, editable=False)
    dhash = models.CharField(max_length=16, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sheet photo")
        verbose_name_plural = _("sheet photos")
        ordering = ["id"]
        indexes = [models.Index(fields=["digest"], name="campaigns_photo_digest")]

    def __str__(self) -> str:
        return str(self.image.name)


class ConflictQuerySet(ScopedQuerySet["Conflict"]):
    pass


class Conflict(AncestryScopedModel, AuditedModel):
    """A declared interest of a 执委 in a household (relatives, or another reason): she is never
    assigned to score it, in any campaign. Her own household and households she nominated are
    found without a declaration (``fulian.campaigns.conflicts``)."""

    scope_view_action = "campaigns.view"
    audit_exclude = frozenset({"created_at"})

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="conflicts", verbose_name=_("executive member")
    )
    household = models.ForeignKey(
        "households.Household", on_delete=models.CASCADE, related_name="+", verbose_name=_("household")
    )
    reason = models.CharField(_("interest"), max_length=10, choices=ConflictReason.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    declared_by = _author_field()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ConflictQuerySet.as_manager()

    class Meta:
        verbose_name = _("declared interest")
        verbose_name_plural = _("declared interests")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["person", "household"], name="campaigns_conflict_once")]

    def __str__(self) -> str:
        return f"{self.person} · {self.household}"


class FlagQuerySet(ScopedQuerySet["Flag"]):
    pass


class Flag(AncestryScopedModel):
    """Something for a reviewer to look at before ranking: a rater far from her co-raters, a
    household whose raters disagree, the same photo sent for two households. Placed at the
    entry (or, for a rater, at the organisation of her post). Cleared with a note."""

    scope_view_action = "campaigns.view"

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="flags", verbose_name=_("stage"))
    kind = models.CharField(_("kind"), max_length=12, choices=FlagKind.choices)
    entry = models.ForeignKey(
        Entry, on_delete=models.CASCADE, null=True, blank=True, related_name="flags", verbose_name=_("entry")
    )
    other_entry = models.ForeignKey(
        Entry, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("other entry")
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("rater")
    )
    measure = models.DecimalField(_("measure"), max_digits=8, decimal_places=2, null=True, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    cleared_note = models.CharField(_("note on clearing"), max_length=REASON_MAX_LENGTH, blank=True)
    cleared_by = _author_field()
    cleared_at = models.DateTimeField(_("cleared at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FlagQuerySet.as_manager()

    class Meta:
        verbose_name = _("review flag")
        verbose_name_plural = _("review flags")
        ordering = ["stage_id", "kind", "id"]
        indexes = [
            *AncestryScopedModel.ancestry_indexes("campaigns_flag"),
            models.Index(fields=["stage", "kind"], name="campaigns_flag_stage"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.stage}"


class PublicityQuerySet(ScopedQuerySet["Publicity"]):
    pass


class Publicity(PathScopedModel, AuditedModel):
    """The 公示 of a stage's proposed list: published on ``starts_on`` for ``stage.publicity_days``
    working days (to ``ends_on`` inclusive, holidays skipped). Objections may be lodged until
    it ends; the stage cannot be promoted or awarded while one is open."""

    scope_view_action = "campaigns.view"
    scope_path_field = "stage__campaign__org__path"

    stage = models.OneToOneField(Stage, on_delete=models.CASCADE, related_name="publicity", verbose_name=_("stage"))
    starts_on = models.DateField(_("published on"))
    ends_on = models.DateField(_("ends on"))
    notice = models.TextField(_("notice"), blank=True)
    contact = models.CharField(_("contact for objections"), max_length=200, blank=True)
    published_by = _author_field()
    published_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = PublicityQuerySet.as_manager()

    class Meta:
        verbose_name = _("publicity")
        verbose_name_plural = _("publicities")
        ordering = ["-starts_on", "id"]

    def __str__(self) -> str:
        return f"{self.stage} · {self.starts_on}–{self.ends_on}"

    @classmethod
    def scope_q(cls, grant: Grant) -> Q:
        return reaching_q(grant, "stage__campaign__")

    @property
    def audit_org(self) -> Any:
        return self.stage.campaign.org


class ObjectionQuerySet(ScopedQuerySet["Objection"]):
    pass


class Objection(AncestryScopedModel, AuditedModel):
    """An objection (异议) to a household on a 公示 list, by anyone, with a reason and a way to
    reach them; staff investigate and uphold it (the household comes off the list) or dismiss
    it, and the outcome is recorded."""

    scope_view_action = "campaigns.view"
    audit_exclude = frozenset({"created_at", "phone_hash"})
    audit_masked = {"phone": mask_mobile}

    publicity = models.ForeignKey(
        Publicity, on_delete=models.CASCADE, related_name="objections", verbose_name=_("publicity")
    )
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="objections", verbose_name=_("household"))
    reason = models.CharField(_("reason"), max_length=NOTE_MAX_LENGTH)
    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH, blank=True)
    phone = EncryptedTextField(_("contact phone"), null=True, blank=True)
    phone_hash = models.CharField(max_length=64, null=True, blank=True, editable=False)
    status = models.CharField(_("status"), max_length=15, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN)
    outcome = models.CharField(_("outcome"), max_length=NOTE_MAX_LENGTH, blank=True)
    handled_by = _author_field()
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    created_at = models.DateTimeField(_("lodged at"), auto_now_add=True)

    objects = ObjectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["-created_at", "-id"]
        indexes = [*AncestryScopedModel.ancestry_indexes("campaigns_objection")]

    def __str__(self) -> str:
        return f"{self.entry} · {self.get_status_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in (ObjectionStatus.OPEN, ObjectionStatus.INVESTIGATING)


class AwardQuerySet(ScopedQuerySet["Award"]):
    def standing(self) -> AwardQuerySet:
        return self.filter(revoked_on__isnull=True)


class Award(AncestryScopedModel, AuditedModel):
    """An honour given to a household at a stage's level, with its certificate number. It shows
    on the household's record and on the public honour roll; revoked with a reason, it makes
    the household ineligible for two years."""

    scope_view_action = "campaigns.view"
    audit_exclude = frozenset({"created_at"})

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="awards", verbose_name=_("campaign"))
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="awards", verbose_name=_("stage"))
    entry = models.OneToOneField(Entry, on_delete=models.PROTECT, related_name="award", verbose_name=_("entry"))
    household = models.ForeignKey(
        "households.Household",
        on_delete=models.PROTECT,
        related_name="awards",
        verbose_name=_("household"),
        db_index=False,
    )
    title = models.CharField(_("title"), max_length=NAME_MAX_LENGTH)
    certificate_no = models.CharField(_("certificate number"), max_length=40, unique=True)
    issued_on = models.DateField(_("issued on"))
    plaque = models.BooleanField(_("plaque (挂牌)"), default=True)
    issued_by = _author_field()
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    revoke_reason = models.CharField(_("reason for revoking"), max_length=REASON_MAX_LENGTH, blank=True)
    revoked_by = _author_field()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AwardQuerySet.as_manager()

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        ordering = ["-issued_on", "certificate_no"]
        indexes = [
            *AncestryScopedModel.ancestry_indexes("campaigns_award"),
            models.Index(fields=["household", "issued_on"], name="campaigns_award_household"),
        ]

    def __str__(self) -> str:
        return f"{self.certificate_no} {self.title}"


class Vote(models.Model):
    """One public vote for an entry at the top stage: one per phone per day (the phone is kept
    only as its keyed hash)."""

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="votes", verbose_name=_("stage"))
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="votes", verbose_name=_("entry"))
    phone_hash = models.CharField(max_length=64, editable=False)
    voted_on = models.DateField(_("voted on"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("public vote")
        verbose_name_plural = _("public votes")
        ordering = ["id"]
        indexes = [models.Index(fields=["stage", "entry"], name="campaigns_vote_entry")]
        constraints = [
            models.UniqueConstraint(fields=["stage", "phone_hash", "voted_on"], name="campaigns_vote_once_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.entry} · {self.voted_on}"


class ReminderStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Being sent")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ReminderRunQuerySet(ScopedQuerySet["ReminderRun"]):
    pass


class ReminderRun(PathScopedModel):
    """Staff asked to remind the overdue raters of a campaign within an organisation: done in the
    background (``fulian.campaigns.tasks``), which stamps each overdue assignment's
    ``reminded_at``. Its status shows on the progress page, so that a failure is seen."""

    scope_view_action = "campaigns.view"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+", verbose_name=_("campaign"))
    org = models.ForeignKey(
        "orgs.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    requested_by = _author_field()
    status = models.CharField(_("status"), max_length=10, choices=ReminderStatus.choices, default=ReminderStatus.QUEUED)
    reminded = models.PositiveIntegerField(_("raters reminded"), default=0)
    message = models.CharField(_("message"), max_length=NOTE_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ReminderRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("reminder of overdue raters")
        verbose_name_plural = _("reminders of overdue raters")
        ordering = ["-id"]
        indexes = [models.Index(fields=["campaign", "-id"], name="campaigns_reminder_campaign")]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.org} · {self.get_status_display()}"

    @property
    def is_busy(self) -> bool:
        return self.status in (ReminderStatus.QUEUED, ReminderStatus.RUNNING)
