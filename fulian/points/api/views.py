"""The points API (issue 14 point 6): schemes and their rules, balances and the ledger's entries
(with reversal), manual postings and their second review, ranks and honours, the stores with
their items and orders, and the auditors' reconciliation — each write through the same service
as the pages (``fulian.points.services``).

Scope: every row comes through ``visible_to`` (the caller's subtree; a scheme or a store also
from the federations above, whose rules and stores apply to her). A holder also reaches her own
accounts (her own and her household's), their entries, orders and honours whatever her roles
(``services.holders``), and the stores serving her place. Anything else is a 404, its actions
too; a row named by id in a body is looked up the same way (else a 400 on that field)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Model, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from fulian.core.api import ScopedViewSetMixin
from fulian.core.drf import IdCursorPagination, PagePagination
from fulian.core.filters import MAX_ID, ORG_PARAMETER_SCHEMA
from fulian.core.scoping import AnyUser, can_anywhere, grants_for
from fulian.grid.coverage import today
from fulian.grid.models import WorkMode
from fulian.orgs.models import Organisation
from fulian.orgs.picking import resolve_ref
from fulian.points.api import serializers as s
from fulian.points.api.filters import (
    YEAR_MAX,
    YEAR_MIN,
    AccountFilter,
    ClaimFilter,
    EntryFilter,
    HonourFilter,
    ItemFilter,
    OrderFilter,
    RuleFilter,
    SchemeFilter,
    StoreFilter,
)
from fulian.points.choices import HolderKind
from fulian.points.models import (
    Account,
    AccountYear,
    Category,
    Claim,
    Entry,
    Honour,
    Item,
    Order,
    Rule,
    Scheme,
    SchemeVersion,
    Store,
    ancestor_paths,
)
from fulian.points.selectors import ranking
from fulian.points.services import ledger, manual, reconcile, schemes, store, store_admin
from fulian.points.services.earning import household_of
from fulian.points.services.holders import own_accounts, person_of


def _id_parameter(what: str) -> OpenApiParameter:
    return OpenApiParameter("id", int, OpenApiParameter.PATH, description=f"The {what}'s id.")


def _detail_schema(what: str, *actions: str) -> Any:
    return extend_schema_view(**{name: extend_schema(parameters=[_id_parameter(what)]) for name in actions})


def _refuse_unless(user: Any, action_name: str) -> None:
    """A 403 before reading the body for a caller whose roles never allow ``action_name``."""
    if not can_anywhere(user, action_name):
        raise exceptions.PermissionDenied(_("This endpoint is not part of your role."))


# --- the rows a caller reaches ---------------------------------------------------------------


def own_account_ids(user: AnyUser) -> list[int]:
    """The ids of the accounts the caller holds (hers, her household's) that are open; remembered
    on the user object for the request. Reading never opens an account (``accounts/mine/`` does)."""
    cached: list[int] | None = getattr(user, "_points_own_ids", None)
    if cached is None:
        person = person_of(user)
        cached = []
        if person is not None:
            holders = Q(person=person)
            household = household_of(person)
            if household is not None:
                holders |= Q(household=household)
            cached = list(Account.objects.filter(holders).values_list("pk", flat=True))
        user._points_own_ids = cached  # type: ignore[union-attr]
    return cached


class HolderRows:
    """A model's rows in the caller's subtree, and those of the accounts she holds (``field``
    names the account: ``pk`` for the accounts themselves)."""

    def __init__(self, model: type[Model], field: str) -> None:
        self.model, self.field = model, field

    def visible_to(self, user: AnyUser, action: str | None = None) -> QuerySet[Any]:
        rows: QuerySet[Any] = self.model.objects.visible_to(user, action)  # type: ignore[attr-defined]
        own = own_account_ids(user)
        if own:
            rows = rows | self.model.objects.filter(**{f"{self.field}__in": own})  # type: ignore[attr-defined]
        return rows


def visible_stores(user: AnyUser) -> QuerySet[Store]:
    """The stores of the caller's subtree and above it, and those serving a holder's place."""
    rows = Store.objects.visible_to(user)
    person = person_of(user)
    if person is not None:
        rows = rows | Store.objects.filter(org__path__in=ancestor_paths(person.org.path))
    return rows


class StoreRows:
    """The stores a caller reaches (``visible_stores``), as a viewset's scoped rows."""

    def visible_to(self, user: AnyUser, action: str | None = None) -> QuerySet[Store]:
        return visible_stores(user)


class ThroughRows:
    """Rows that are not scoped themselves (a version, a rule, an item), reached through the
    scoped row they belong to (``via``: the scheme, the store)."""

    def __init__(self, model: type[Model], via: str, parents: Any) -> None:
        self.model, self.via, self.parents = model, via, parents

    def visible_to(self, user: AnyUser, action: str | None = None) -> QuerySet[Any]:
        return self.model.objects.filter(**{f"{self.via}__in": self.parents(user).values("pk")})  # type: ignore[attr-defined]


def visible_schemes(user: AnyUser) -> QuerySet[Scheme]:
    return Scheme.objects.visible_to(user)


def _looked_up(rows: QuerySet[Any], name: str, raw: Any, label: str) -> Any:
    """The row a body names by id among ``rows`` (the caller's), else a 400 on that field."""
    text = str(raw)
    row = None
    if text.isascii() and text.isdigit() and int(text) <= MAX_ID:
        row = rows.filter(pk=int(text)).first()
    if row is None:
        raise exceptions.ValidationError(
            {name: [_("No %(label)s with id %(id)s in your area.") % {"label": label, "id": text}]}
        )
    return row


def _on_field(error: DjangoValidationError, field: str) -> DjangoValidationError:
    """A service's message without a field, put on ``field`` (a 400 naming what to change)."""
    if hasattr(error, "error_dict"):
        return error
    return DjangoValidationError({field: error.messages})


class NewestFirst(IdCursorPagination):
    """The ledger's lists, newest first, by cursor along the id (no count, no offset)."""

    ordering = "-id"


# --- schemes ---------------------------------------------------------------------------------


@_detail_schema("scheme", "retrieve")
class SchemeViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """The points schemes that apply in the caller's area: those of her subtree and of the
    federations above it, each with its versions newest first."""

    scoped_model = Scheme
    serializer_class = s.PointsSchemeSerializer
    filterset_class = SchemeFilter
    pagination_class = PagePagination

    def refine_queryset(self, queryset: QuerySet[Scheme]) -> QuerySet[Scheme]:
        return queryset.select_related("org").prefetch_related("versions").order_by("org__path", "id")


@_detail_schema("scheme version", "retrieve", "adopt")
class VersionViewSet(ScopedViewSetMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """One version of a scheme with its categories, rules, levels and honours; a draft is
    adopted here (then frozen)."""

    scoped_model = SchemeVersion
    serializer_class = s.PointsVersionSerializer

    def scoped_rows(self) -> Any:
        return ThroughRows(SchemeVersion, "scheme", visible_schemes)

    def refine_queryset(self, queryset: QuerySet[SchemeVersion]) -> QuerySet[SchemeVersion]:
        return queryset.select_related("scheme__org").prefetch_related(
            "categories", "rules__work_mode", "levels", "honour_rules"
        )

    def _shown(self, version: SchemeVersion) -> Response:
        return Response(s.PointsVersionSerializer(self.get_queryset().get(pk=version.pk)).data)

    @extend_schema(request=s.PointsAdoptSerializer, responses={200: s.PointsVersionSerializer})
    @action(detail=True, methods=["post"], url_path="adopt")
    def adopt(self, request: Request, pk: str | None = None) -> Response:
        """Adopt a draft with the day and the decision it came from: from its ``valid_from`` it
        applies, and it is frozen (a change is a new version). An adopted one is a 400."""
        version = self.get_object()
        _refuse_unless(request.user, "points.configure")
        data = self.validated(s.PointsAdoptSerializer)
        try:
            adopted = schemes.version_adopt(
                actor=request.user, version=version, adopted_on=data["adopted_on"], decision=data["decision"]
            )
        except DjangoValidationError as error:
            raise _on_field(error, "version") from None
        return self._shown(adopted)


RULE_DEFAULTS: dict[str, Any] = {
    "work_mode": None,
    "award_level": "",
    "per_hour": False,
    "daily_cap": None,
    "yearly_cap": None,
    "photo_required": False,
    "reviews_required": 1,
    "two_reviews_above": None,
    "earner": "person",
    "position": 0,
}
RULE_FIELDS = ["category", "name", "source", "points", *RULE_DEFAULTS]


@_detail_schema("rule", "retrieve", "partial_update", "destroy")
class RuleViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """The rules of the schemes that apply in the caller's area (``version`` for one version's).
    Added, changed and taken out of a draft only, by those who keep the scheme: a rule of an
    adopted version is a 400 on ``version``."""

    scoped_model = Rule
    serializer_class = s.PointsRuleSerializer
    filterset_class = RuleFilter
    pagination_class = PagePagination

    def scoped_rows(self) -> Any:
        return ThroughRows(Rule, "version__scheme", visible_schemes)

    def refine_queryset(self, queryset: QuerySet[Rule]) -> QuerySet[Rule]:
        return queryset.select_related("work_mode").order_by("version_id", "category__position", "position", "id")

    @staticmethod
    def _draft(version: SchemeVersion) -> None:
        try:
            schemes.require_draft(version)
        except DjangoValidationError as error:
            raise exceptions.ValidationError({"version": error.messages}) from None

    def _values(self, version: SchemeVersion, data: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
        values = {**base, **{key: value for key, value in data.items() if key in RULE_FIELDS}}
        if "category" in data:
            values["category"] = Category.objects.filter(pk=data["category"], version=version).first()
        if data.get("work_mode") is not None:
            values["work_mode"] = _looked_up(
                WorkMode.objects.filter(active=True), "work_mode", data["work_mode"], _("work mode")
            )
        return values

    def _save(self, version: SchemeVersion, values: dict[str, Any], rule: Rule | None = None) -> Rule:
        self._draft(version)
        saved = schemes.rule_save(actor=self.request.user, version=version, rule=rule, **values)
        return self.get_queryset().get(pk=saved.pk)

    @extend_schema(request=s.PointsRuleWriteSerializer, responses={201: s.PointsRuleSerializer}, filters=False)
    def create(self, request: Request) -> Response:
        """Add a rule to a draft version."""
        _refuse_unless(request.user, "points.configure")
        data = self.validated(s.PointsRuleWriteSerializer)
        rows = ThroughRows(SchemeVersion, "scheme", visible_schemes).visible_to(request.user)
        version = _looked_up(rows.select_related("scheme__org"), "version", data["version"], _("scheme version"))
        saved = self._save(version, self._values(version, data, RULE_DEFAULTS))
        return Response(s.PointsRuleSerializer(saved).data, status=201)

    @extend_schema(request=s.PointsRuleUpdateSerializer, responses={200: s.PointsRuleSerializer})
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        """Change a rule of a draft: what is left out stays as it was."""
        rule = self.get_object()
        _refuse_unless(request.user, "points.configure")
        version = SchemeVersion.objects.select_related("scheme__org").get(pk=rule.version_id)
        self._draft(version)
        data = self.validated(s.PointsRuleUpdateSerializer)
        base = {field: getattr(rule, field) for field in RULE_FIELDS}
        return Response(s.PointsRuleSerializer(self._save(version, self._values(version, data, base), rule)).data)

    @extend_schema(request=None, responses={204: None})
    def destroy(self, request: Request, pk: str | None = None) -> Response:
        """Take a rule out of a draft."""
        rule = self.get_object()
        _refuse_unless(request.user, "points.configure")
        self._draft(rule.version)
        schemes.rule_delete(actor=request.user, rule=rule)
        return Response(status=204)


# --- accounts and the ledger ----------------------------------------------------------------


ENTRY_RELATED = (
    "account__person",
    "account__household",
    "rule",
    "created_by",
    "confirmed_by",
    "org",
    "reversed_by",
)


def _with_year(queryset: QuerySet[Account]) -> QuerySet[Account]:
    this_year = AccountYear.objects.filter(account=OuterRef("pk"), year=today().year).values("earned")[:1]
    return queryset.select_related("person", "household", "org").annotate(
        earned_this_year=Coalesce(Subquery(this_year), Value(0))
    )


@_detail_schema("account", "retrieve", "entries")
class AccountViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Balances: one row per holder, read as it is (never a sum over entries). Staff see those
    of their subtree; a holder hers and her household's (``mine``). Her passbook is
    ``entries/?account={id}``."""

    scoped_model = Account
    serializer_class = s.PointsAccountSerializer
    filterset_class = AccountFilter
    pagination_class = IdCursorPagination

    def scoped_rows(self) -> Any:
        return HolderRows(Account, "pk")

    def refine_queryset(self, queryset: QuerySet[Account]) -> QuerySet[Account]:
        return _with_year(queryset)

    @extend_schema(request=None, responses={200: s.PointsEntrySerializer(many=True)}, filters=False)
    @action(detail=True, methods=["get"], url_path="entries", pagination_class=NewestFirst, filterset_class=None)
    def entries(self, request: Request, pk: str | None = None) -> Response:
        """The account's passbook: its entries newest first, each with the balance after it,
        its reason and its source (the same rows as ``entries/?account={id}``)."""
        account = self.get_object()
        rows = Entry.objects.filter(account=account).select_related(*ENTRY_RELATED)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(s.PointsEntrySerializer(page, many=True).data)

    @extend_schema(request=None, responses={200: s.PointsAccountSerializer(many=True)}, filters=False)
    @action(detail=False, methods=["get"], url_path="mine", pagination_class=None, filterset_class=None)
    def mine(self, request: Request) -> Response:
        """The caller's own account and her household's (opened on first use), whatever her
        roles; none when her login is not a person's."""
        ids = [account.pk for account in own_accounts(request.user)]
        rows = _with_year(Account.objects.filter(pk__in=ids)).order_by("kind", "id")
        return Response(s.PointsAccountSerializer(rows, many=True).data)


@_detail_schema("entry", "retrieve", "reverse")
class EntryViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """The ledger, newest first (``account`` for one passbook): every entry with its reason,
    source and provenance. Append-only: a mistake is taken back by a reversal."""

    scoped_model = Entry
    serializer_class = s.PointsEntrySerializer
    filterset_class = EntryFilter
    pagination_class = NewestFirst

    def scoped_rows(self) -> Any:
        return HolderRows(Entry, "account_id")

    def refine_queryset(self, queryset: QuerySet[Entry]) -> QuerySet[Entry]:
        return queryset.select_related(*ENTRY_RELATED)

    @extend_schema(request=s.PointsReverseSerializer, responses={201: s.PointsEntrySerializer})
    @action(detail=True, methods=["post"], url_path="reverse")
    def reverse(self, request: Request, pk: str | None = None) -> Response:
        """Take an earning or a deduction back with a reason: a new entry of the opposite sign
        (what is left when part was spent). A reversal, or an entry already reversed, is a 400;
        nobody reverses on her own account."""
        entry = self.get_object()
        _refuse_unless(request.user, "points.post")
        reason = self.validated(s.PointsReverseSerializer)["reason"]
        reversal = manual.entry_reverse(actor=request.user, entry=entry, reason=reason)
        return Response(s.PointsEntrySerializer(self.get_queryset().get(pk=reversal.pk)).data, status=201)


class ManualPostViewSet(ScopedViewSetMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Awarding or deducting by hand (``POST /api/v1/points/manual-posts/``)."""

    scoped_model = Entry
    serializer_class = s.PointsManualPostedSerializer
    pagination_class = None
    filterset_class = None

    @extend_schema(
        request=s.PointsManualPostSerializer,
        responses={201: s.PointsManualPostedSerializer, 200: s.PointsManualPostedSerializer},
    )
    def create(self, request: Request) -> Response:
        """Award (``amount`` > 0) or deduct (< 0) with a reason: an entry at once, or above the
        scheme's threshold a claim for a second reviewer. Nobody posts to her own account or her
        household's (403). 201 with what was made; 200 with what the same ``client_key`` made
        before (a resend)."""
        _refuse_unless(request.user, "points.post")
        data = self.validated(s.PointsManualPostSerializer)
        account = _looked_up(
            Account.objects.visible_to(request.user, "points.post").select_related("org"),
            "account",
            data["account"],
            _("account"),
        )
        key = f"{account.pk}:{data['client_key']}" if data.get("client_key") else None
        known = key is not None and (
            Entry.objects.filter(idempotency_key=f"manual:{key}").exists()
            or Claim.objects.filter(idempotency_key=f"manual:{key}").exists()
        )
        made = manual.manual_post(
            actor=request.user,
            account=account,
            amount=data["amount"],
            reason=data["reason"],
            occurred_on=data.get("occurred_on"),
            key=key,
        )
        entry = claim = None
        if isinstance(made, Entry):
            entry = (
                HolderRows(Entry, "account_id").visible_to(request.user).select_related(*ENTRY_RELATED).get(pk=made.pk)
            )
        else:
            claim = Claim.objects.select_related("account__person", "account__household", "org", "created_by").get(
                pk=made.pk
            )
        body = s.PointsManualPostedSerializer({"entry": entry, "claim": claim}).data
        return Response(body, status=200 if known else 201)


@_detail_schema("claim", "retrieve", "confirm", "refuse")
class ClaimViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Postings waiting for a second reviewer, and those decided, newest first."""

    scoped_model = Claim
    serializer_class = s.PointsClaimSerializer
    filterset_class = ClaimFilter
    pagination_class = NewestFirst

    def refine_queryset(self, queryset: QuerySet[Claim]) -> QuerySet[Claim]:
        return queryset.select_related(
            "account__person", "account__household", "rule", "created_by", "decided_by", "org"
        )

    def _shown(self, claim: Claim) -> Response:
        return Response(s.PointsClaimSerializer(self.get_queryset().get(pk=claim.pk)).data)

    @extend_schema(request=None, responses={200: s.PointsClaimSerializer})
    @action(detail=True, methods=["post"], url_path="confirm")
    def confirm(self, request: Request, pk: str | None = None) -> Response:
        """The second reviewer confirms: the entry is posted. Not who asked, not the holder."""
        claim = self.get_object()
        _refuse_unless(request.user, "points.post")
        manual.claim_confirm(actor=request.user, claim=claim)
        return self._shown(claim)

    @extend_schema(request=s.PointsReverseSerializer, responses={200: s.PointsClaimSerializer})
    @action(detail=True, methods=["post"], url_path="refuse")
    def refuse(self, request: Request, pk: str | None = None) -> Response:
        """The second reviewer refuses, with the reason: nothing is posted."""
        claim = self.get_object()
        _refuse_unless(request.user, "points.post")
        reason = self.validated(s.PointsReverseSerializer)["reason"]
        manual.claim_refuse(actor=request.user, claim=claim, reason=reason)
        return self._shown(claim)


# --- ranks and honours -----------------------------------------------------------------------


class RankPagination(PagePagination):
    """Ranks by page number without a count: one row more than the page says whether there is
    a next (a city's ranking holds every holder who earned in the year)."""

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> list[Any]:
        self.request = request
        size = self.get_page_size(request)
        raw = request.query_params.get(self.page_query_param, "1")
        if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= 100_000:
            raise exceptions.ValidationError({"page": [_("Enter a page number from 1 to 100000.")]})
        self.number, self.size = int(raw), size
        offset = (self.number - 1) * size
        rows = list(queryset[offset : offset + size + 1])
        self.has_next = len(rows) > size
        page = rows[:size]
        for place, row in enumerate(page, start=offset + 1):
            row.rank = place
        return page

    def _link(self, number: int) -> str:
        from rest_framework.utils.urls import replace_query_param

        url = self.request.build_absolute_uri()  # type: ignore[union-attr]
        return replace_query_param(url, self.page_query_param, number)

    def get_paginated_response(self, data: Any) -> Response:
        return Response(
            {
                "next": self._link(self.number + 1) if self.has_next else None,
                "previous": self._link(self.number - 1) if self.number > 1 else None,
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": 100_000}
        return parameters


RANK_PARAMETERS = [
    OpenApiParameter(
        "org",
        {**ORG_PARAMETER_SCHEMA, "description": "The organisation ranked within (id or division code), in your area"},
        required=True,
    ),
    OpenApiParameter("year", OpenApiTypes.INT, description="The year; this year unless given"),
    OpenApiParameter(
        "kind", OpenApiTypes.STR, enum=HolderKind.values, description="person (unless given) or household"
    ),
]


@extend_schema_view(list=extend_schema(parameters=RANK_PARAMETERS))
class RankViewSet(viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Ranks: the holders at or below an organisation of the caller's area by what they earned
    in a year, the most first (``fulian.points.selectors.ranking``)."""

    serializer_class = s.PointsRankSerializer
    pagination_class = RankPagination
    filter_backends: list[Any] = []
    queryset = AccountYear.objects.none()

    def list(self, request: Request) -> Response:
        params = request.query_params
        errors: dict[str, list[str]] = {}
        org = None
        raw_org = params.get("org", "")
        if not raw_org:
            errors["org"] = [_("Name the organisation to rank within (its id or division code).")]
        else:
            try:
                org = resolve_ref(Organisation.objects.visible_to(request.user, "points.view"), raw_org, strict=True)
            except DjangoValidationError as error:
                errors["org"] = error.messages
        raw_year = params.get("year", "") or str(today().year)
        if not (raw_year.isascii() and raw_year.isdigit() and YEAR_MIN <= int(raw_year) <= YEAR_MAX):
            errors["year"] = [_("Enter a year from %(min)d to %(max)d.") % {"min": YEAR_MIN, "max": YEAR_MAX}]
        kind = params.get("kind", "") or HolderKind.PERSON
        if kind not in HolderKind.values:
            errors["kind"] = [_("Enter person or household.")]
        if errors:
            raise exceptions.ValidationError(errors)
        rows = ranking(org=org, year=int(raw_year), kind=kind)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(s.PointsRankSerializer(page, many=True).data)


@_detail_schema("honour", "retrieve")
class HonourViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """礼遇褒奖 given in the caller's area (and her own), newest year first."""

    scoped_model = Honour
    serializer_class = s.PointsHonourSerializer
    filterset_class = HonourFilter
    pagination_class = NewestFirst

    def scoped_rows(self) -> Any:
        return HolderRows(Honour, "account_id")

    def refine_queryset(self, queryset: QuerySet[Honour]) -> QuerySet[Honour]:
        return queryset.select_related("rule", "account__person", "account__household", "within", "org")


# --- the store ---------------------------------------------------------------------------------


@_detail_schema("store", "retrieve")
class StoreViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """The points stores serving the caller's area (and a holder's place)."""

    scoped_model = Store
    serializer_class = s.PointsStoreSerializer
    filterset_class = StoreFilter
    pagination_class = PagePagination

    def scoped_rows(self) -> Any:
        return StoreRows()

    def refine_queryset(self, queryset: QuerySet[Store]) -> QuerySet[Store]:
        return queryset.select_related("org").order_by("org__path", "id")


ITEM_FIELDS = ["name", "description", "price", "per_person_limit", "opens_on", "closes_on", "active", "position"]


@_detail_schema("item", "retrieve", "partial_update", "stock")
class ItemViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """What the stores serving the caller offer; offered, changed and stocked by their staff."""

    scoped_model = Item
    serializer_class = s.PointsItemSerializer
    filterset_class = ItemFilter
    pagination_class = PagePagination

    def scoped_rows(self) -> Any:
        return ThroughRows(Item, "store", visible_stores)

    def refine_queryset(self, queryset: QuerySet[Item]) -> QuerySet[Item]:
        return queryset.select_related("store").order_by("store_id", "position", "id")

    def _shown(self, item: Item, status: int = 200) -> Response:
        return Response(s.PointsItemSerializer(self.get_queryset().get(pk=item.pk)).data, status=status)

    @extend_schema(request=s.PointsItemWriteSerializer, responses={201: s.PointsItemSerializer}, filters=False)
    def create(self, request: Request) -> Response:
        """Offer an item at a store you run: goods with the stock received at first, or an
        honour or a service (no stock)."""
        _refuse_unless(request.user, "points.store")
        data = self.validated(s.PointsItemWriteSerializer)
        found = _looked_up(visible_stores(request.user).select_related("org"), "store", data["store"], _("store"))
        values = {field: data[field] for field in ITEM_FIELDS if field in data}
        made = store_admin.item_create(
            actor=request.user, store=found, kind=data["kind"], stock=data.get("stock"), **values
        )
        return self._shown(made, 201)

    @extend_schema(request=s.PointsItemUpdateSerializer, responses={200: s.PointsItemSerializer})
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        """Change an item: what is left out stays. Its stock changes by ``stock`` moves only."""
        item = self.get_object()
        _refuse_unless(request.user, "points.store")
        data = self.validated(s.PointsItemUpdateSerializer)
        values = {field: data.get(field, getattr(item, field)) for field in ITEM_FIELDS}
        changed = store_admin.item_update(actor=request.user, item=item, kind=data.get("kind", item.kind), **values)
        return self._shown(changed)

    @extend_schema(request=s.PointsStockSerializer, responses={200: s.PointsItemSerializer})
    @action(detail=True, methods=["post"], url_path="stock")
    def stock(self, request: Request, pk: str | None = None) -> Response:
        """Goods received (``receipt``, more than 0) or the stock adjusted (``adjust``, either
        sign, with a reason): a stock move each time; the stock never goes below 0."""
        item = self.get_object()
        _refuse_unless(request.user, "points.store")
        data = self.validated(s.PointsStockSerializer)
        changed = store.stock_change(
            actor=request.user, item=item, delta=data["delta"], kind=data["kind"], reason=data.get("reason", "")
        )
        return self._shown(changed)


@_detail_schema("order", "retrieve", "hand_over", "cancel")
class OrderViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Redemptions, newest first: those of the caller's area, and her own. Placed by a holder on
    her phone or by store staff at the counter; handed over by staff with the pickup code;
    cancelled (the points and the stock return) while waiting."""

    scoped_model = Order
    serializer_class = s.PointsOrderSerializer
    filterset_class = OrderFilter
    pagination_class = NewestFirst

    def scoped_rows(self) -> Any:
        return HolderRows(Order, "account_id")

    def refine_queryset(self, queryset: QuerySet[Order]) -> QuerySet[Order]:
        return queryset.select_related("item", "store", "account__person", "account__household", "org", "closed_by")

    def _shown(self, order: Order, status: int = 200) -> Response:
        return Response(s.PointsOrderSerializer(self.get_queryset().get(pk=order.pk)).data, status=status)

    def _account(self, raw: int | None) -> Account:
        user = self.request.user
        if raw is not None:
            found: Account = _looked_up(
                HolderRows(Account, "pk").visible_to(user).select_related("org", "person"), "account", raw, _("account")
            )
            return found
        own = own_accounts(user)
        if not own:
            raise exceptions.ValidationError(
                {"account": [_("Your login is not a holder's: name the account that pays.")]}
            )
        return own[0]

    @extend_schema(
        request=s.PointsOrderWriteSerializer,
        responses={201: s.PointsOrderSerializer, 200: s.PointsOrderSerializer},
        filters=False,
    )
    def create(self, request: Request) -> Response:
        """Redeem ``quantity`` of an item from an account (yours unless given; store staff name
        the holder's). 201 with the new order and its pickup code; 200 with the order already
        placed when its ``client_key`` was sent before (a double tap, a resend)."""
        data = self.validated(s.PointsOrderWriteSerializer)
        item = _looked_up(
            ThroughRows(Item, "store", visible_stores).visible_to(request.user).select_related("store__org"),
            "item",
            data["item"],
            _("item"),
        )
        account = self._account(data.get("account"))
        key = data.get("client_key")
        with transaction.atomic():
            # The account's row locked first (as the service does): a second send of one key
            # waits, then is told it found the order rather than placed it.
            ledger.lock(account)
            known = key is not None and Order.objects.filter(account=account, client_key=key).exists()
            placed = store.order_place(
                actor=request.user, account=account, item=item, quantity=data["quantity"], client_key=key
            )
        return self._shown(placed, 200 if known else 201)

    @extend_schema(request=s.PointsHandOverSerializer, responses={200: s.PointsOrderSerializer})
    @action(detail=True, methods=["post"], url_path="hand-over", url_name="hand-over")
    def hand_over(self, request: Request, pk: str | None = None) -> Response:
        """Store staff hand a waiting order over: the holder shows its pickup code."""
        order = self.get_object()
        _refuse_unless(request.user, "points.store")
        code = self.validated(s.PointsHandOverSerializer)["pickup_code"]
        try:
            done = store.order_hand_over(actor=request.user, order=order, pickup_code=code)
        except DjangoValidationError as error:
            raise _on_field(error, "status") from None
        return self._shown(done)

    @extend_schema(request=s.PointsCancelSerializer, responses={200: s.PointsOrderSerializer})
    @action(detail=True, methods=["post"], url_path="cancel")
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """Cancel a waiting order (its holder, or store staff): the points and the stock return.
        One handed over, cancelled or expired is a 400."""
        order = self.get_object()
        reason = self.validated(s.PointsCancelSerializer).get("reason", "")
        try:
            done = store.order_cancel(actor=request.user, order=order, reason=reason)
        except DjangoValidationError as error:
            raise _on_field(error, "status") from None
        return self._shown(done)


# --- reconciliation ----------------------------------------------------------------------------


class ReconciliationViewSet(viewsets.GenericViewSet):  # type: ignore[type-arg]
    """The reconciliation (``manage.py reconcile_points``) over the caller's subtree."""

    serializer_class = s.PointsReconciliationSerializer
    pagination_class = None
    filter_backends: list[Any] = []
    queryset = Account.objects.none()

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "org",
                {**ORG_PARAMETER_SCHEMA, "description": "Only this organisation's subtree (id or division code)"},
            )
        ],
        responses={200: s.PointsReconciliationSerializer},
    )
    def retrieve(self, request: Request) -> Response:
        """Whether every balance equals the sum of its entries, every year's earnings the sum of
        its earning entries, and every stock the sum of its moves, over the accounts and stores
        of the caller's subtree (or ``org``'s): the counts checked and every difference. For
        audit officers and administrators; it changes nothing."""
        _refuse_unless(request.user, "points.reconcile")
        raw = request.query_params.get("org", "")
        if raw:
            try:
                orgs = [
                    resolve_ref(Organisation.objects.visible_to(request.user, "points.reconcile"), raw, strict=True)
                ]
            except DjangoValidationError as error:
                raise exceptions.ValidationError({"org": error.messages}) from None
        else:
            ids = [grant.org_id for grant in grants_for(request.user, "points.reconcile")]
            orgs = list(Organisation.objects.filter(pk__in=ids).order_by("path"))
        total = reconcile.Reconciliation()
        for org in orgs:
            part = reconcile.reconcile(org=org)
            total.accounts += part.accounts
            total.entries += part.entries
            total.items += part.items
            total.differences += part.differences
        body = {
            "ok": total.ok,
            "accounts": total.accounts,
            "entries": total.entries,
            "items": total.items,
            "differences": [vars(difference) for difference in total.differences],
        }
        return Response(s.PointsReconciliationSerializer(body).data)
