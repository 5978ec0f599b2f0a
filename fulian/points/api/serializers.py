"""What the points API reads and writes: schemes and their versions (categories, rules, levels,
honours), balances and the ledger's entries, claims waiting for a second review, ranks and
honours, stores, items and orders, and the reconciliation. Writes are checked here for their
shape only; the rules are the services' (``fulian.points.services``)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from fulian.core.api_fields import IdField, ModelSerializer, RequiredBooleanField, Serializer
from fulian.grid.api.serializers import ClientKeyField, ReviewerSerializer
from fulian.orgs.choices import Level
from fulian.points.choices import Earner, HolderKind, ItemKind, Source, StockKind
from fulian.points.models import (
    NAME_MAX_LENGTH,
    REASON_MAX_LENGTH,
    Account,
    Category,
    Claim,
    Entry,
    Honour,
    HonourRule,
    Item,
    Order,
    PointsLevel,
    Rule,
    Scheme,
    SchemeVersion,
    Store,
)
from fulian.points.services.manual import AMOUNT_MAX

# Points, prices and stock in a request body: far beyond any real figure, within the database's.
NUMBER_MAX = 1_000_000_000


def _holder_name(account: Account) -> str:
    holder = account.person if account.kind == HolderKind.PERSON else account.household
    return str(holder) if holder is not None else ""


# --- schemes -------------------------------------------------------------------------------


class PointsVersionBriefSerializer(ModelSerializer[SchemeVersion]):
    """A version in its scheme's list: open ``/versions/{id}/`` for its rules."""

    class Meta:
        model = SchemeVersion
        fields = ["id", "number", "status", "valid_from", "adopted_on", "decision"]
        read_only_fields = fields


class PointsSchemeSerializer(ModelSerializer[Scheme]):
    """A federation's points scheme (a county's or the city's 积分制) and its versions, newest
    first; the one in force for a holder is the latest adopted from a day before the deed."""

    org = serializers.CharField(source="org.code", read_only=True)
    org_name = serializers.CharField(source="org.display_name", read_only=True)
    versions = PointsVersionBriefSerializer(many=True, read_only=True)

    class Meta:
        model = Scheme
        fields = ["id", "name", "org", "org_name", "versions", "created_at"]
        read_only_fields = fields


class PointsCategorySerializer(ModelSerializer[Category]):
    class Meta:
        model = Category
        fields = ["id", "name", "position"]
        read_only_fields = fields


class PointsRuleSerializer(ModelSerializer[Rule]):
    """One item of a version: what earns (``source``: the work mode of a confirmed duty record,
    the level of a campaign award…), how many points (each time, or each hour), the caps, the
    photo and reviews it needs, and who earns (the person, her household, or both)."""

    work_mode_name = serializers.CharField(source="work_mode.label", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Rule
        fields = [
            "id",
            "version",
            "category",
            "name",
            "source",
            "work_mode",
            "work_mode_name",
            "award_level",
            "points",
            "per_hour",
            "daily_cap",
            "yearly_cap",
            "photo_required",
            "reviews_required",
            "two_reviews_above",
            "earner",
            "position",
        ]
        read_only_fields = fields


class PointsLevelSerializer(ModelSerializer[PointsLevel]):
    class Meta:
        model = PointsLevel
        fields = ["id", "name", "threshold"]
        read_only_fields = fields


class PointsHonourRuleSerializer(ModelSerializer[HonourRule]):
    class Meta:
        model = HonourRule
        fields = ["id", "title", "basis", "holder_kind", "level", "top", "threshold", "benefit"]
        read_only_fields = fields


class PointsVersionSerializer(ModelSerializer[SchemeVersion]):
    """A version of a scheme with everything it holds. A draft changes freely; an adopted one
    (``status``: adopted, with the day and the decision) is frozen."""

    scheme_name = serializers.CharField(source="scheme.name", read_only=True)
    org = serializers.CharField(source="scheme.org.code", read_only=True)
    categories = PointsCategorySerializer(many=True, read_only=True)
    rules = PointsRuleSerializer(many=True, read_only=True)
    levels = PointsLevelSerializer(many=True, read_only=True)
    honour_rules = PointsHonourRuleSerializer(many=True, read_only=True)

    class Meta:
        model = SchemeVersion
        fields = [
            "id",
            "scheme",
            "scheme_name",
            "org",
            "number",
            "status",
            "valid_from",
            "adopted_on",
            "decision",
            "caps_required",
            "second_review_above",
            "categories",
            "rules",
            "levels",
            "honour_rules",
            "created_at",
        ]
        read_only_fields = fields


class PointsRuleWriteSerializer(Serializer[Any]):
    """A rule as sent. On a change (PATCH) what is left out stays as it was; ``version`` is
    given when the rule is added only."""

    version = IdField(help_text="A draft version of a scheme you keep")
    category = IdField(help_text="A category of that version")
    name = serializers.CharField(max_length=NAME_MAX_LENGTH)
    source = serializers.ChoiceField(choices=Source.choices)  # type: ignore[assignment]
    work_mode = IdField(required=False, allow_null=True, help_text="For a duty rule: the work mode of the records")
    award_level = serializers.ChoiceField(
        choices=Level.choices, required=False, allow_blank=True, help_text="For an award rule: the awards' level"
    )
    points = serializers.IntegerField(min_value=-NUMBER_MAX, max_value=NUMBER_MAX)
    per_hour = RequiredBooleanField(required=False)
    daily_cap = serializers.IntegerField(min_value=1, max_value=NUMBER_MAX, required=False, allow_null=True)
    yearly_cap = serializers.IntegerField(min_value=1, max_value=NUMBER_MAX, required=False, allow_null=True)
    photo_required = RequiredBooleanField(required=False)
    reviews_required = serializers.IntegerField(min_value=1, max_value=2, required=False)
    two_reviews_above = serializers.IntegerField(min_value=1, max_value=NUMBER_MAX, required=False, allow_null=True)
    earner = serializers.ChoiceField(choices=Earner.choices, required=False)
    position = serializers.IntegerField(min_value=0, max_value=32767, required=False)


class PointsRuleUpdateSerializer(PointsRuleWriteSerializer):
    version = None  # type: ignore[assignment]
    category = IdField(required=False, help_text="A category of the rule's version")
    name = serializers.CharField(max_length=NAME_MAX_LENGTH, required=False)
    source = serializers.ChoiceField(choices=Source.choices, required=False)
    points = serializers.IntegerField(min_value=-NUMBER_MAX, max_value=NUMBER_MAX, required=False)


class PointsAdoptSerializer(Serializer[Any]):
    adopted_on = serializers.DateField(help_text="The day of the decision (on or before the day it is in force from)")
    decision = serializers.CharField(
        max_length=REASON_MAX_LENGTH, help_text="The decision that adopted it (a meeting, a document)"
    )


# --- accounts and the ledger --------------------------------------------------------------


class PointsAccountSerializer(ModelSerializer[Account]):
    """A holder's balance, read from her one row (never summed): what she may spend
    (``balance``), earned in all, spent in all, and earned this year (the ranks' figure)."""

    holder_name = serializers.SerializerMethodField()
    earned_this_year = serializers.IntegerField(read_only=True, help_text="Earned this calendar year")
    org = serializers.CharField(source="org.code", read_only=True)
    org_name = serializers.CharField(source="org.display_name", read_only=True)

    class Meta:
        model = Account
        fields = [
            "id",
            "kind",
            "person",
            "household",
            "holder_name",
            "balance",
            "earned",
            "spent",
            "earned_this_year",
            "org",
            "org_name",
            "updated_at",
        ]
        read_only_fields = fields

    def get_holder_name(self, account: Account) -> str:
        return _holder_name(account)


class PointsEntrySerializer(ModelSerializer[Entry]):
    """One line of the passbook: the points (signed), the balance after, why, and where it came
    from. ``verified``: posted from a verified record (a confirmed duty record, an award), not
    entered by staff. ``reversed_by``: the reversal that took it back, if any."""

    holder_name = serializers.SerializerMethodField()
    rule_name = serializers.CharField(source="rule.name", read_only=True, allow_null=True, default=None)
    verified = serializers.BooleanField(read_only=True)
    reversed_by = serializers.SerializerMethodField()
    created_by = ReviewerSerializer(read_only=True, allow_null=True, help_text="Who entered it (staff)")
    confirmed_by = ReviewerSerializer(read_only=True, allow_null=True, help_text="Who reviewed it")
    has_evidence = serializers.SerializerMethodField()
    org = serializers.CharField(source="org.code", read_only=True)

    class Meta:
        model = Entry
        fields = [
            "id",
            "account",
            "holder_name",
            "kind",
            "amount",
            "balance_after",
            "occurred_on",
            "year",
            "posted_at",
            "reason",
            "source",
            "verified",
            "rule",
            "rule_name",
            "version",
            "contact",
            "award",
            "claim",
            "order",
            "reverses",
            "reversed_by",
            "has_evidence",
            "created_by",
            "confirmed_by",
            "org",
        ]
        read_only_fields = fields

    def get_holder_name(self, entry: Entry) -> str:
        return _holder_name(entry.account)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_reversed_by(self, entry: Entry) -> int | None:
        reversal = getattr(entry, "reversed_by", None)
        return reversal.pk if reversal is not None else None

    def get_has_evidence(self, entry: Entry) -> bool:
        return bool(entry.evidence)


class PointsReverseSerializer(Serializer[Any]):
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH, help_text="Why (it shows in the passbook)")


class PointsClaimSerializer(ModelSerializer[Claim]):
    """A posting waiting for a second reviewer (a manual award or deduction above the scheme's
    threshold, or a rule's posting above its two-review threshold), or decided."""

    holder_name = serializers.SerializerMethodField()
    rule_name = serializers.CharField(source="rule.name", read_only=True, allow_null=True, default=None)
    created_by = ReviewerSerializer(read_only=True, allow_null=True, help_text="Who asked (empty: a rule's posting)")
    decided_by = ReviewerSerializer(read_only=True, allow_null=True)
    org = serializers.CharField(source="org.code", read_only=True)

    class Meta:
        model = Claim
        fields = [
            "id",
            "account",
            "holder_name",
            "amount",
            "reason",
            "occurred_on",
            "rule",
            "rule_name",
            "contact",
            "status",
            "created_by",
            "decided_by",
            "decided_at",
            "refuse_reason",
            "org",
            "created_at",
        ]
        read_only_fields = fields

    def get_holder_name(self, claim: Claim) -> str:
        return _holder_name(claim.account)


class PointsManualPostSerializer(Serializer[Any]):
    """An award (``amount`` > 0) or a deduction (< 0) by hand."""

    account = IdField(help_text="The account (a person's or a household's) in your area")
    amount = serializers.IntegerField(
        min_value=-NUMBER_MAX, max_value=NUMBER_MAX, help_text=f"Points: 1 to {AMOUNT_MAX}, or a deduction (negative)"
    )
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH, help_text="Why (it shows in the passbook)")
    occurred_on = serializers.DateField(required=False, help_text="The day of the deed; today unless given")
    client_key = ClientKeyField(
        required=False, help_text="The client's key for this posting: sent again, what was posted the first time (200)"
    )


class PointsManualPostedSerializer(Serializer[Any]):
    """What a manual posting made: an entry at once, or a claim waiting for a second reviewer
    (above the scheme's threshold); the other is null."""

    entry = PointsEntrySerializer(allow_null=True)
    claim = PointsClaimSerializer(allow_null=True)


# --- ranks and honours ---------------------------------------------------------------------


class PointsRankSerializer(Serializer[Any]):
    """One place of a ranking: ``id`` is the holder's year row."""

    id = serializers.IntegerField()
    rank = serializers.IntegerField(help_text="1 = the top")
    account = serializers.IntegerField(source="account_id")
    kind = serializers.ChoiceField(choices=HolderKind.choices)
    holder_name = serializers.SerializerMethodField()
    year = serializers.IntegerField()
    earned = serializers.IntegerField(help_text="Earned in the year (less deductions and reversals)")
    org = serializers.CharField(source="org.code")
    org_name = serializers.CharField(source="org.display_name")

    def get_holder_name(self, row: Any) -> str:
        return _holder_name(row.account)


class PointsHonourSerializer(ModelSerializer[Honour]):
    """A 礼遇褒奖 given for a year: to the top of an organisation (``rank``), or from a threshold."""

    title = serializers.CharField(source="rule.title", read_only=True)
    benefit = serializers.CharField(source="rule.benefit", read_only=True)
    holder_name = serializers.SerializerMethodField()
    within = serializers.CharField(source="within.code", read_only=True)
    within_name = serializers.CharField(source="within.display_name", read_only=True)
    org = serializers.CharField(source="org.code", read_only=True)

    class Meta:
        model = Honour
        fields = [
            "id",
            "rule",
            "title",
            "benefit",
            "account",
            "holder_name",
            "year",
            "earned",
            "rank",
            "within",
            "within_name",
            "org",
            "created_at",
        ]
        read_only_fields = fields

    def get_holder_name(self, honour: Honour) -> str:
        return _holder_name(honour.account)


# --- the store -----------------------------------------------------------------------------


class PointsStoreSerializer(ModelSerializer[Store]):
    """A points store (积分超市) an organisation runs for the holders of its subtree."""

    org = serializers.CharField(source="org.code", read_only=True)
    org_name = serializers.CharField(source="org.display_name", read_only=True)

    class Meta:
        model = Store
        fields = ["id", "name", "org", "org_name", "address", "hours", "pickup_days", "active"]
        read_only_fields = fields


class PointsItemSerializer(ModelSerializer[Item]):
    """What a store offers: goods with a stock, or an honour or a service without one (``stock``
    null); a limit per holder, the days it is on offer."""

    store_name = serializers.CharField(source="store.name", read_only=True)

    class Meta:
        model = Item
        fields = [
            "id",
            "store",
            "store_name",
            "name",
            "kind",
            "description",
            "price",
            "stock",
            "per_person_limit",
            "opens_on",
            "closes_on",
            "active",
            "position",
        ]
        read_only_fields = fields


class PointsItemWriteSerializer(Serializer[Any]):
    """An item as sent by the store's staff. On a change (PATCH) what is left out stays."""

    store = IdField(help_text="A store you run")
    name = serializers.CharField(max_length=NAME_MAX_LENGTH)
    kind = serializers.ChoiceField(choices=ItemKind.choices, default=ItemKind.GOODS)
    description = serializers.CharField(max_length=REASON_MAX_LENGTH, required=False, allow_blank=True)
    price = serializers.IntegerField(min_value=-NUMBER_MAX, max_value=NUMBER_MAX, help_text="Points, more than 0")
    stock = serializers.IntegerField(
        min_value=-NUMBER_MAX,
        max_value=NUMBER_MAX,
        required=False,
        allow_null=True,
        help_text="Goods: how many were received at first (changed later by stock moves only)",
    )
    per_person_limit = serializers.IntegerField(
        min_value=-NUMBER_MAX, max_value=NUMBER_MAX, required=False, allow_null=True
    )
    opens_on = serializers.DateField(required=False, allow_null=True)
    closes_on = serializers.DateField(required=False, allow_null=True)
    active = RequiredBooleanField(required=False)
    position = serializers.IntegerField(min_value=0, max_value=32767, required=False)


class PointsItemUpdateSerializer(PointsItemWriteSerializer):
    store = None  # type: ignore[assignment]
    stock = None  # type: ignore[assignment]
    name = serializers.CharField(max_length=NAME_MAX_LENGTH, required=False)
    kind = serializers.ChoiceField(choices=ItemKind.choices, required=False)
    price = serializers.IntegerField(min_value=-NUMBER_MAX, max_value=NUMBER_MAX, required=False)


class PointsStockSerializer(Serializer[Any]):
    kind = serializers.ChoiceField(
        choices=[(StockKind.RECEIPT.value, StockKind.RECEIPT.label), (StockKind.ADJUST.value, StockKind.ADJUST.label)],
        help_text="receipt: goods received (more than 0); adjust: counted, broken… (either sign, with a reason)",
    )
    delta = serializers.IntegerField(min_value=-NUMBER_MAX, max_value=NUMBER_MAX)
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH, required=False, allow_blank=True)


class PointsOrderSerializer(ModelSerializer[Order]):
    """A redemption: the points are taken when it is placed; it waits with its pickup code until
    it is handed over, or is cancelled or expires (the points and the stock return)."""

    item_name = serializers.CharField(source="item.name", read_only=True)
    store_name = serializers.CharField(source="store.name", read_only=True)
    holder_name = serializers.SerializerMethodField()
    org = serializers.CharField(source="org.code", read_only=True)
    closed_by = ReviewerSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Order
        fields = [
            "id",
            "store",
            "store_name",
            "item",
            "item_name",
            "account",
            "holder_name",
            "quantity",
            "points",
            "status",
            "pickup_code",
            "expires_on",
            "client_key",
            "created_at",
            "closed_by",
            "closed_at",
            "close_reason",
            "org",
        ]
        read_only_fields = fields

    def get_holder_name(self, order: Order) -> str:
        return _holder_name(order.account)


class PointsOrderWriteSerializer(Serializer[Any]):
    item = IdField(help_text="An item of a store serving the holder")
    account = IdField(
        required=False, help_text="The paying account: yours unless given (store staff redeem for a holder)"
    )
    quantity = serializers.IntegerField(min_value=-NUMBER_MAX, max_value=NUMBER_MAX, default=1)
    client_key = ClientKeyField(
        required=False, help_text="The phone's key for this redemption: sent again, the order already placed (200)"
    )


class PointsHandOverSerializer(Serializer[Any]):
    pickup_code = serializers.CharField(max_length=8, help_text="The code the holder shows")


class PointsCancelSerializer(Serializer[Any]):
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH, required=False, allow_blank=True)


# --- reconciliation ------------------------------------------------------------------------


class PointsDifferenceSerializer(Serializer[Any]):
    what = serializers.ChoiceField(
        choices=["balance", "earned", "spent", "year", "stock"], help_text="Which stored figure differs"
    )
    id = serializers.IntegerField(help_text="The account's, year row's or item's id")
    label = serializers.CharField()  # type: ignore[assignment]
    stored = serializers.IntegerField()
    summed = serializers.IntegerField(help_text="The sum of its entries or stock moves")


class PointsReconciliationSerializer(Serializer[Any]):
    """The check of ``manage.py reconcile_points`` over the caller's subtree."""

    ok = serializers.BooleanField(help_text="Every figure equals the sum of its entries")
    accounts = serializers.IntegerField(help_text="Accounts checked")
    entries = serializers.IntegerField(help_text="Entries summed")
    items = serializers.IntegerField(help_text="Stocked items checked")
    differences = PointsDifferenceSerializer(many=True)
