"""The campaigns' API: campaigns and rubrics (set up through the same services as the pages),
nominations and their screening, entries, stage results and adjustments, rater assignments,
score sheets with photos, ranking, promotion and 公示 of a stage, objections and awards.

Every row comes through ``visible_to``; one outside the caller's subtree is a 404 (also for
its actions); a record named in a request body is looked up among the caller's (else a 400 on
that field). The services check the permission of each write and its rules; their
ValidationErrors are 400s naming the field."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from fulian.campaigns.api.filters import (
    AwardFilter,
    CampaignFilter,
    EntryFilter,
    NominationFilter,
    ObjectionFilter,
    PublicityFilter,
    RaterAssignmentFilter,
    ResultFilter,
    RubricFilter,
    ScoreSheetFilter,
    visible_stages,
)
from fulian.campaigns.api.serializers import (
    AdjustSerializer,
    AssignedSerializer,
    AssignRatersSerializer,
    AwardSerializer,
    CampaignCreateSerializer,
    CampaignReasonSerializer,
    CampaignSerializer,
    CampaignUpdateSerializer,
    EntrySerializer,
    HandleSerializer,
    NominationAcceptSerializer,
    NominationCreateSerializer,
    NominationMergeSerializer,
    NominationSerializer,
    ObjectionSerializer,
    PromotedSerializer,
    PublicitySerializer,
    PublishSerializer,
    RankedSerializer,
    RaterAssignmentSerializer,
    RaterAssignSerializer,
    ResultSerializer,
    RubricCreateSerializer,
    RubricSerializer,
    RubricUpdateSerializer,
    ScoreSheetSerializer,
    SheetUploadSerializer,
    SheetWriteSerializer,
    StagePromoteSerializer,
    StageSerializer,
)
from fulian.campaigns.choices import SheetStatus
from fulian.campaigns.models import (
    Award,
    Campaign,
    Entry,
    Nomination,
    Objection,
    Publicity,
    RaterAssignment,
    Result,
    Rubric,
    ScoreSheet,
    Stage,
)
from fulian.campaigns.services import awards, nominations, publicity, ranking, scoring, setup
from fulian.core.api import ScopedViewSetMixin
from fulian.core.drf import IdCursorPagination
from fulian.core.scoping import can_anywhere, get_visible_or_404
from fulian.households.models import Household
from fulian.people.models import Person


def _id_parameter(what: str) -> OpenApiParameter:
    return OpenApiParameter("id", int, OpenApiParameter.PATH, description=f"The {what}'s id.")


def _refuse_unless(user: Any, action_name: str) -> None:
    """A 403 before reading the body for a caller whose roles never allow ``action_name``."""
    if not can_anywhere(user, action_name):
        raise exceptions.PermissionDenied(_("This endpoint is not part of your role."))


def _detail_schema(what: str, *actions: str) -> Any:
    """``retrieve`` and the detail actions of a viewset, documented with their id."""
    return extend_schema_view(**{name: extend_schema(parameters=[_id_parameter(what)]) for name in actions})


class _ReadViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """A scoped list and detail; its writes answer with the record as the list shows it."""

    def shown(self, obj: Any, status: int = 200) -> Response:
        row = self.get_queryset().get(pk=obj.pk)
        return Response(self.get_serializer_class()(row, context=self.get_serializer_context()).data, status=status)

    def record(self, pk: str | None, action_name: str) -> Any:
        """The record of the path among the caller's (404 otherwise), for ``action_name``."""
        return get_visible_or_404(self.scoped_model.objects, self.request.user, pk=pk, action=action_name)


# --- campaigns and rubrics ---------------------------------------------------------------------


@_detail_schema("campaign", "retrieve", "partial_update", "open")
class CampaignViewSet(_ReadViewSet):
    """Campaigns of the caller's subtree and of the federations above it that reach down to it
    (a village's staff see the city's campaign), newest year first, with their stages."""

    scoped_model = Campaign
    serializer_class = CampaignSerializer
    filterset_class = CampaignFilter

    def refine_queryset(self, queryset: QuerySet[Campaign]) -> QuerySet[Campaign]:
        return queryset.select_related("org", "rubric").prefetch_related("stages")

    @extend_schema(request=CampaignCreateSerializer, responses={201: CampaignSerializer}, filters=False)
    def create(self, request: Request) -> Response:
        """Set a campaign up for a federation's subtree, with its rubric and its stages bottom up
        (village → township → county → city); opened with ``open``."""
        _refuse_unless(request.user, "campaigns.manage")
        data = self.validated(CampaignCreateSerializer)
        rubric = self.visible_field("rubric", data["rubric"], Rubric, label=_("rubric"))
        campaign = setup.campaign_create(
            actor=request.user,
            org=data["org"],
            kind=data["kind"],
            name=data["name"],
            year=data["year"],
            rubric=rubric,
            stages=[setup.StageSpec(**stage) for stage in data["stages"]],
            description=data.get("description", ""),
            nominations_open=data.get("nominations_open", True),
            nominations_until=data.get("nominations_until"),
            vote_weight=data.get("vote_weight", 0),
            award_title=data.get("award_title", ""),
        )
        return self.shown(campaign, 201)

    @extend_schema(request=CampaignUpdateSerializer, responses={200: CampaignSerializer})
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        """Change a campaign's settings (``stages``, when given, replaces them whole); its kind,
        year, rubric, public vote and levels only while it is being set up."""
        campaign = self.record(pk, "campaigns.manage")
        # Not a DRF partial update: that would also make each given stage's fields optional.
        fields = dict(self.validated(CampaignUpdateSerializer))
        stages = fields.pop("stages", None)
        if "rubric" in fields:
            fields["rubric"] = self.visible_field("rubric", fields["rubric"], Rubric, label=_("rubric"))
        setup.campaign_update(
            actor=request.user,
            campaign=campaign,
            stages=None if stages is None else [setup.StageSpec(**stage) for stage in stages],
            **fields,
        )
        return self.shown(campaign)

    @extend_schema(request=None, responses={200: CampaignSerializer})
    @action(detail=True, methods=["post"], url_path="open")
    def open(self, request: Request, pk: str | None = None) -> Response:
        """Start the round: its first stage is scored from now on and nominations are taken."""
        campaign = self.record(pk, "campaigns.manage")
        setup.campaign_open(actor=request.user, campaign=campaign)
        return self.shown(campaign)


@_detail_schema("rubric", "retrieve", "partial_update", "new_version")
class RubricViewSet(_ReadViewSet):
    """Rubrics (scoring forms) of the caller's subtree and of the federations above it, with
    their sections and items. Editable until scoring starts (``frozen_at``); then a new version."""

    scoped_model = Rubric
    serializer_class = RubricSerializer
    filterset_class = RubricFilter

    def refine_queryset(self, queryset: QuerySet[Rubric]) -> QuerySet[Rubric]:
        return queryset.select_related("org").prefetch_related("sections__items")

    @extend_schema(request=RubricCreateSerializer, responses={201: RubricSerializer}, filters=False)
    def create(self, request: Request) -> Response:
        """A new rubric from a shipped example (``template``: ``courtyard``, ``courtyard_2021``)
        or from ``sections`` with their items."""
        _refuse_unless(request.user, "campaigns.manage")
        data = self.validated(RubricCreateSerializer)
        rubric = setup.rubric_create(
            actor=request.user,
            org=data["org"],
            name=data.get("name", ""),
            kind=data["kind"],
            sections=data.get("sections"),
            template=data.get("template"),
            notes=data.get("notes", ""),
        )
        return self.shown(rubric, 201)

    @extend_schema(request=RubricUpdateSerializer, responses={200: RubricSerializer})
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        """Replace the sections and items of a rubric not yet frozen (and rename it)."""
        rubric = self.record(pk, "campaigns.manage")
        data = self.validated(RubricUpdateSerializer)
        setup.rubric_update(actor=request.user, rubric=rubric, sections=data["sections"], name=data.get("name"))
        return self.shown(rubric)

    @extend_schema(request=None, responses={201: RubricSerializer})
    @action(detail=True, methods=["post"], url_path="new-version")
    def new_version(self, request: Request, pk: str | None = None) -> Response:
        """A copy of the rubric to change: its next version."""
        rubric = self.record(pk, "campaigns.manage")
        return self.shown(setup.rubric_new_version(actor=request.user, rubric=rubric), 201)


# --- nominations, entries, results -------------------------------------------------------------


@_detail_schema("nomination", "retrieve", "accept", "merge", "reject")
class NominationViewSet(_ReadViewSet):
    """Nominations of households in the caller's subtree (public ones placed at the village
    named), newest first by cursor. Staff screen them: accept, merge a duplicate, reject."""

    scoped_model = Nomination
    serializer_class = NominationSerializer
    filterset_class = NominationFilter
    pagination_class = IdCursorPagination

    def refine_queryset(self, queryset: QuerySet[Nomination]) -> QuerySet[Nomination]:
        return queryset.select_related("org")

    @extend_schema(request=NominationCreateSerializer, responses={201: NominationSerializer}, filters=False)
    def create(self, request: Request) -> Response:
        """妇联推荐: the federation nominates a household of the registry, accepted at once (it
        enters the campaign's first stage)."""
        _refuse_unless(request.user, "campaigns.screen")
        data = self.validated(NominationCreateSerializer)
        campaign = self.visible_field("campaign", data["campaign"], Campaign, label=_("campaign"))
        household = self.visible_field("household", data["household"], Household, label=_("household"))
        nomination = nominations.nomination_create(
            actor=request.user, campaign=campaign, household=household, reason=data.get("reason", "")
        )
        return self.shown(nomination, 201)

    @extend_schema(request=NominationAcceptSerializer, responses={200: NominationSerializer})
    @action(detail=True, methods=["post"], url_path="accept")
    def accept(self, request: Request, pk: str | None = None) -> Response:
        """Accept a pending nomination for a household of the registry (``household``: required
        for a public nomination); the household enters the campaign."""
        nomination = self.record(pk, "campaigns.screen")
        data = self.validated(NominationAcceptSerializer)
        household = None
        if data.get("household") is not None:
            household = self.visible_field("household", data["household"], Household, label=_("household"))
        nominations.nomination_accept(actor=request.user, nomination=nomination, household=household)
        return self.shown(nomination)

    @extend_schema(request=NominationMergeSerializer, responses={200: NominationSerializer})
    @action(detail=True, methods=["post"], url_path="merge")
    def merge(self, request: Request, pk: str | None = None) -> Response:
        """Record a pending nomination as a duplicate of another of the same campaign."""
        nomination = self.record(pk, "campaigns.screen")
        data = self.validated(NominationMergeSerializer)
        into = self.visible_field("into", data["into"], Nomination, label=_("nomination"))
        nominations.nomination_merge(actor=request.user, nomination=nomination, into=into)
        return self.shown(nomination)

    @extend_schema(request=CampaignReasonSerializer, responses={200: NominationSerializer})
    @action(detail=True, methods=["post"], url_path="reject")
    def reject(self, request: Request, pk: str | None = None) -> Response:
        """Reject a pending nomination with the reason the nominator may be told."""
        nomination = self.record(pk, "campaigns.screen")
        reason = self.validated(CampaignReasonSerializer)["reason"]
        nominations.nomination_reject(actor=request.user, nomination=nomination, reason=reason)
        return self.shown(nomination)


@_detail_schema("entry", "retrieve")
class EntryViewSet(_ReadViewSet):
    """Households in campaigns (entered from an accepted nomination), in the caller's subtree,
    by cursor."""

    scoped_model = Entry
    serializer_class = EntrySerializer
    filterset_class = EntryFilter
    pagination_class = IdCursorPagination

    def refine_queryset(self, queryset: QuerySet[Entry]) -> QuerySet[Entry]:
        return queryset.select_related("household", "org")


@_detail_schema("result", "retrieve", "adjust")
class ResultViewSet(_ReadViewSet):
    """Each entry's standing per stage (the ranking), in the caller's subtree, by cursor."""

    scoped_model = Result
    serializer_class = ResultSerializer
    filterset_class = ResultFilter
    pagination_class = IdCursorPagination

    def refine_queryset(self, queryset: QuerySet[Result]) -> QuerySet[Result]:
        return queryset.select_related("entry__household", "org")

    @extend_schema(request=AdjustSerializer, responses={200: ResultSerializer})
    @action(detail=True, methods=["post"], url_path="adjust")
    def adjust(self, request: Request, pk: str | None = None) -> Response:
        """A reviewer promotes a household the quota leaves out (``include``), holds back one it
        takes (``exclude``), with the reason, or returns it to rank and quota (``auto``)."""
        result = self.record(pk, "campaigns.review")
        data = self.validated(AdjustSerializer)
        ranking.result_adjust(
            actor=request.user, result=result, decision=data["decision"], reason=data.get("reason", "")
        )
        return self.shown(result)


# --- raters and sheets -------------------------------------------------------------------------


@_detail_schema("rater assignment", "retrieve", "destroy")
class RaterAssignmentViewSet(mixins.DestroyModelMixin, _ReadViewSet):
    """Who scores which household at which stage, in the caller's subtree, by cursor;
    ``mine=true``: the caller's own (a 执委's list)."""

    scoped_model = RaterAssignment
    serializer_class = RaterAssignmentSerializer
    filterset_class = RaterAssignmentFilter
    pagination_class = IdCursorPagination

    def refine_queryset(self, queryset: QuerySet[RaterAssignment]) -> QuerySet[RaterAssignment]:
        submitted = ScoreSheet.objects.filter(assignment=OuterRef("pk"), status=SheetStatus.SUBMITTED)
        return queryset.select_related("entry__household", "person", "org").annotate(scored=Exists(submitted))

    @extend_schema(request=RaterAssignSerializer, responses={201: RaterAssignmentSerializer}, filters=False)
    def create(self, request: Request) -> Response:
        """Ask one 执委 to score one entry at its current stage; refused when she has an interest
        in the household or rates it already."""
        _refuse_unless(request.user, "campaigns.screen")
        data = self.validated(RaterAssignSerializer)
        entry = self.visible_field("entry", data["entry"], Entry, label=_("entry"))
        person = self.visible_field("person", data["person"], Person, label=_("person"))
        assignment = scoring.rater_assign(actor=request.user, stage=entry.stage, entry=entry, person=person)
        return self.shown(assignment, 201)

    def destroy(self, request: Request, pk: str | None = None) -> Response:
        """Take a rater off a household she has not scored yet."""
        assignment = self.record(pk, "campaigns.screen")
        scoring.rater_remove(actor=request.user, assignment=assignment)
        return Response(status=204)


@_detail_schema("score sheet", "retrieve", "supersede")
class ScoreSheetViewSet(_ReadViewSet):
    """Score sheets in the caller's subtree, by cursor. A rater submits her own (a multipart
    body with photos); a submitted sheet never changes: staff supersede it with a reason."""

    scoped_model = ScoreSheet
    serializer_class = ScoreSheetSerializer
    filterset_class = ScoreSheetFilter
    pagination_class = IdCursorPagination
    parser_classes = [JSONParser, MultiPartParser]

    def refine_queryset(self, queryset: QuerySet[ScoreSheet]) -> QuerySet[ScoreSheet]:
        return queryset.select_related("entry__household", "rater").prefetch_related("photos")

    @extend_schema(
        request={"application/json": SheetWriteSerializer, "multipart/form-data": SheetUploadSerializer},
        responses={201: ScoreSheetSerializer, 200: ScoreSheetSerializer},
        filters=False,
    )
    def create(self, request: Request) -> Response:
        """Submit the sheet of an assignment: the scores, a comment, when and where, and photos
        (``photos``, with ``photo_items`` giving each one's item id or blank). 201 with the new
        sheet; 200 with the stored one when its ``client_key`` was sent before (a phone trying
        again after a dropped connection)."""
        _refuse_unless(request.user, "campaigns.score")
        upload = request.content_type.startswith("multipart/")
        data = self.validated(SheetUploadSerializer if upload else SheetWriteSerializer)
        assignment = self.visible_field("assignment", data["assignment"], RaterAssignment, label=_("rater assignment"))
        sheet, created = scoring.sheet_submit(
            actor=request.user,
            assignment=assignment,
            values=data["values"],
            comment=data.get("comment", ""),
            scored_at=data.get("scored_at"),
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
            client_key=data.get("client_key"),
            photos=list(zip(data.get("photo_items", []), data.get("photos", []), strict=True)),
        )
        return self.shown(sheet, 201 if created else 200)

    @extend_schema(request=CampaignReasonSerializer, responses={200: ScoreSheetSerializer})
    @action(detail=True, methods=["post"], url_path="supersede")
    def supersede(self, request: Request, pk: str | None = None) -> Response:
        """Set a submitted sheet aside with a reason: it no longer counts, and the rater may
        score the household again."""
        sheet = self.record(pk, "campaigns.review")
        reason = self.validated(CampaignReasonSerializer)["reason"]
        scoring.sheet_supersede(actor=request.user, sheet=sheet, reason=reason)
        return self.shown(sheet)


# --- stages ------------------------------------------------------------------------------------


class _VisibleStages:
    """Stages have no scope of their own: a stage is seen with its campaign."""

    def visible_to(self, user: Any, action: str | None = None) -> QuerySet[Stage]:
        return visible_stages(user, action)


@_detail_schema("stage", "retrieve", "rank", "promote", "publish", "assign_raters")
class StageViewSet(ScopedViewSetMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """A stage of a campaign the caller sees, and the reviewer's steps: assign raters, rank,
    publish the proposed list (公示), promote (at the top stage: award)."""

    scoped_model = Stage
    serializer_class = StageSerializer
    pagination_class = None

    def scoped_rows(self) -> Any:
        return _VisibleStages()

    def _stage(self, pk: str | None) -> Stage:
        stage = visible_stages(self.request.user).select_related("campaign__org").filter(pk=int(pk or 0)).first()
        if stage is None:
            raise exceptions.NotFound(_("Not found."))
        return stage

    @extend_schema(request=AssignRatersSerializer, responses={200: AssignedSerializer})
    @action(detail=True, methods=["post"], url_path="assign-raters")
    def assign_raters(self, request: Request, pk: str | None = None) -> Response:
        """Give every entry of the stage under ``org`` its number of raters, from the 执委 who
        may rate there, never one with an interest in the household; ``short`` lists the entries
        that still lack raters (to add by hand)."""
        stage = self._stage(pk)
        org = self.validated(AssignRatersSerializer)["org"]
        done = scoring.raters_assign(actor=request.user, stage=stage, org=org)
        short = [{"entry": entry.pk, "missing": missing} for entry, missing in done["short"]]
        return Response(AssignedSerializer({"assigned": done["assigned"], "short": short}).data)

    @extend_schema(request=None, responses={200: RankedSerializer})
    @action(detail=True, methods=["post"], url_path="rank")
    def rank(self, request: Request, pk: str | None = None) -> Response:
        """Score and rank every household of the stage per organisation of its level and mark
        those within the quota (again after a late or superseded sheet)."""
        summary = ranking.stage_rank(actor=request.user, stage=self._stage(pk))
        return Response(RankedSerializer(summary).data)

    @extend_schema(request=StagePromoteSerializer, responses={200: PromotedSerializer})
    @action(detail=True, methods=["post"], url_path="promote")
    def promote(self, request: Request, pk: str | None = None) -> Response:
        """Close the ranked stage (after its 公示, with no objection open): the proposed go up
        to the next stage; at the top stage they are awarded on ``issued_on``."""
        stage = self._stage(pk)
        data = self.validated(StagePromoteSerializer)
        summary = ranking.stage_promote(actor=request.user, stage=stage, issued_on=data.get("issued_on"))
        return Response(PromotedSerializer(summary).data)

    @extend_schema(request=PublishSerializer, responses={201: PublicitySerializer})
    @action(detail=True, methods=["post"], url_path="publish")
    def publish(self, request: Request, pk: str | None = None) -> Response:
        """Publish the ranked stage's proposed list (公示) from ``starts_on`` for the stage's
        working days, holidays skipped."""
        stage = self._stage(pk)
        data = self.validated(PublishSerializer)
        notice = publicity.publicity_open(
            actor=request.user,
            stage=stage,
            starts_on=data.get("starts_on"),
            notice=data.get("notice", ""),
            contact=data.get("contact", ""),
        )
        shown = Publicity.objects.select_related("stage").get(pk=notice.pk)
        return Response(PublicitySerializer(shown).data, status=201)


# --- 公示, objections, awards -------------------------------------------------------------------


@_detail_schema("publicity", "retrieve")
class PublicityViewSet(_ReadViewSet):
    """The 公示 of the campaigns the caller sees, newest first."""

    scoped_model = Publicity
    serializer_class = PublicitySerializer
    filterset_class = PublicityFilter

    def refine_queryset(self, queryset: QuerySet[Publicity]) -> QuerySet[Publicity]:
        return queryset.select_related("stage")


@_detail_schema("objection", "retrieve", "handle")
class ObjectionViewSet(_ReadViewSet):
    """Objections (异议) to households on 公示 lists, in the caller's subtree, by cursor."""

    scoped_model = Objection
    serializer_class = ObjectionSerializer
    filterset_class = ObjectionFilter
    pagination_class = IdCursorPagination

    def refine_queryset(self, queryset: QuerySet[Objection]) -> QuerySet[Objection]:
        return queryset.select_related("entry__household", "org")

    @extend_schema(request=HandleSerializer, responses={200: ObjectionSerializer})
    @action(detail=True, methods=["post"], url_path="handle")
    def handle(self, request: Request, pk: str | None = None) -> Response:
        """Record what was done: under investigation, upheld (the household comes off the list)
        or dismissed, with the outcome (required to close it)."""
        objection = self.record(pk, "campaigns.review")
        data = self.validated(HandleSerializer)
        publicity.objection_handle(
            actor=request.user, objection=objection, status=data["status"], outcome=data.get("outcome", "")
        )
        return self.shown(objection)


@_detail_schema("award", "retrieve", "revoke")
class AwardViewSet(_ReadViewSet):
    """Awards of households in the caller's subtree, by cursor."""

    scoped_model = Award
    serializer_class = AwardSerializer
    filterset_class = AwardFilter
    pagination_class = IdCursorPagination

    def refine_queryset(self, queryset: QuerySet[Award]) -> QuerySet[Award]:
        return queryset.select_related("household", "org", "stage")

    @extend_schema(request=CampaignReasonSerializer, responses={200: AwardSerializer})
    @action(detail=True, methods=["post"], url_path="revoke")
    def revoke(self, request: Request, pk: str | None = None) -> Response:
        """Revoke an award with the reason: the household may not be nominated for two years."""
        award = self.record(pk, "campaigns.review")
        reason = self.validated(CampaignReasonSerializer)["reason"]
        awards.award_revoke(actor=request.user, award=award, reason=reason)
        return self.shown(award)
