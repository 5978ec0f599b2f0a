"""Points (新时代文明实践积分): the schemes that turn confirmed service into points, the
append-only ledger with one balance row per holder, and the points store (积分超市) with its
stock and orders.

Exactness (DESIGN.md §3 "Ledgers"): a balance and a stock level are columns changed only by
``fulian.points.services`` under a row lock, each change written as an entry (``Entry``,
``StockMove``) in the same transaction; the database refuses a negative balance or stock
(check constraints), and every posting carries an idempotency key that is unique.
``manage.py reconcile_points`` proves the columns equal the sums of their entries.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fulian.audit.models import AuditedModel
from fulian.core.ancestry import ANCESTRY_FIELDS, AncestryScopedModel
from fulian.core.scoping import Grant, PathScopedModel, ScopedQuerySet
from fulian.orgs.choices import Level
from fulian.points.choices import (
    ClaimStatus,
    Earner,
    EntryKind,
    HolderKind,
    HonourBasis,
    ItemKind,
    OrderStatus,
    Source,
    StockKind,
    VersionStatus,
)

NAME_MAX_LENGTH = 100
REASON_MAX_LENGTH = 200
TEXT_MAX_LENGTH = 1000
KEY_MAX_LENGTH = 80


def _user_field(label: Any = None) -> Any:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=label or _("by"),
    )


def _org_field() -> Any:
    return models.ForeignKey(
        "orgs.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )


def ancestor_paths(path: str) -> list[str]:
    """``/430200/430223/`` → ``["/430200/", "/430200/430223/"]``: the paths above and at a node."""
    codes = path.strip("/").split("/")
    return ["/" + "/".join(codes[: i + 1]) + "/" for i in range(len(codes))]


class AppliesDownModel(PathScopedModel):
    """A small table of things a federation keeps for those below it: a grant sees the rows of
    its subtree and the rows of the organisations above it (whose rules apply to it)."""

    class Meta:
        abstract = True

    @classmethod
    def scope_q(cls, grant: Grant) -> Q:
        return Q(**{f"{cls.scope_path_field}__startswith": grant.path}) | Q(
            **{f"{cls.scope_path_field}__in": ancestor_paths(grant.path)}
        )


class Scheme(AppliesDownModel, AuditedModel):
    """A federation's points scheme (a county's or the city's 积分制): its versions hold the
    rules. The scheme of the nearest federation above a holder applies to her."""

    scope_view_action = "points.view"

    org = _org_field()
    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("points scheme")
        verbose_name_plural = _("points schemes")
        ordering = ["org__path", "id"]
        constraints = [models.UniqueConstraint(fields=["org"], name="points_scheme_one_per_org")]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_org(self) -> Any:
        return self.org


class SchemeVersion(AuditedModel):
    """One version of a scheme, in force from ``valid_from`` until the next adopted version.
    Adopted with the date and the decision it came from (积分制 rules are adopted by a
    democratic procedure); an adopted version is frozen: a change is a new version."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="versions", verbose_name=_("scheme"))
    number = models.PositiveSmallIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    valid_from = models.DateField(_("in force from"))
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    decision = models.CharField(_("decision adopting it"), max_length=REASON_MAX_LENGTH, blank=True)
    caps_required = models.BooleanField(_("every rule needs a daily and a yearly cap"), default=True)
    second_review_above = models.PositiveIntegerField(
        _("a manual award or deduction above this needs a second reviewer"), default=20
    )
    created_by = _user_field()
    adopted_by = _user_field(_("adopted by"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("scheme version")
        verbose_name_plural = _("scheme versions")
        ordering = ["scheme", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "number"], name="points_version_number"),
            models.UniqueConstraint(
                fields=["scheme", "valid_from"],
                condition=Q(status=VersionStatus.ADOPTED),
                name="points_version_one_per_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scheme} v{self.number}"

    @property
    def frozen(self) -> bool:
        return self.status == VersionStatus.ADOPTED

    @property
    def audit_org(self) -> Any:
        return self.scheme.org


class Category(AuditedModel):
    """A heading of a scheme version's rules (履职尽责, 志愿服务, 表彰奖励 …)."""

    version = models.ForeignKey(
        SchemeVersion, on_delete=models.CASCADE, related_name="categories", verbose_name=_("version")
    )
    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("rule category")
        verbose_name_plural = _("rule categories")
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["version", "name"], name="points_category_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_org(self) -> Any:
        return self.version.scheme.org


class Rule(AuditedModel):
    """One item of a scheme version: what earns (``source`` and what it names), how many points
    (for each record or award, or for each hour), the caps, whether a photo is needed, how many
    reviews (two above ``two_reviews_above``), and who earns."""

    version = models.ForeignKey(
        SchemeVersion, on_delete=models.CASCADE, related_name="rules", verbose_name=_("version")
    )
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="rules", verbose_name=_("category"))
    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH)
    source = models.CharField(_("earned by"), max_length=10, choices=Source.choices)
    work_mode = models.ForeignKey(
        "grid.WorkMode",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("work mode"),
    )
    award_level = models.CharField(_("award level"), max_length=10, choices=Level.choices, blank=True)
    points = models.PositiveIntegerField(_("points"))
    per_hour = models.BooleanField(_("for each hour"), default=False)
    daily_cap = models.PositiveIntegerField(_("at most a day"), null=True, blank=True)
    yearly_cap = models.PositiveIntegerField(_("at most a year"), null=True, blank=True)
    photo_required = models.BooleanField(_("photo required"), default=False)
    reviews_required = models.PositiveSmallIntegerField(_("reviews"), default=1)
    two_reviews_above = models.PositiveIntegerField(_("two reviews above"), null=True, blank=True)
    earner = models.CharField(_("who earns"), max_length=10, choices=Earner.choices, default=Earner.PERSON)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("points rule")
        verbose_name_plural = _("points rules")
        ordering = ["category__position", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(points__gt=0), name="points_rule_points_positive"),
            models.CheckConstraint(condition=Q(reviews_required__in=(1, 2)), name="points_rule_reviews"),
            models.UniqueConstraint(
                fields=["version", "work_mode"],
                condition=Q(source=Source.DUTY),
                name="points_rule_one_per_mode",
            ),
            models.UniqueConstraint(
                fields=["version", "award_level"],
                condition=Q(source=Source.AWARD),
                name="points_rule_one_per_award_level",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_org(self) -> Any:
        return self.version.scheme.org


class PointsLevel(AuditedModel):
    """A named level of a scheme version (一星 … 五星): reached with ``threshold`` points
    earned in all (earnings less deductions, never less what was spent)."""

    version = models.ForeignKey(
        SchemeVersion, on_delete=models.CASCADE, related_name="levels", verbose_name=_("version")
    )
    name = models.CharField(_("name"), max_length=30)
    threshold = models.PositiveIntegerField(_("from points"))

    class Meta:
        verbose_name = _("points level")
        verbose_name_plural = _("points levels")
        ordering = ["threshold"]
        constraints = [models.UniqueConstraint(fields=["version", "threshold"], name="points_level_threshold")]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_org(self) -> Any:
        return self.version.scheme.org


class HonourRule(AuditedModel):
    """A 礼遇褒奖 of a scheme version, given each year to the holders at the top of an
    organisation of ``level`` (``top``) or to those who earned ``threshold`` points."""

    version = models.ForeignKey(
        SchemeVersion, on_delete=models.CASCADE, related_name="honour_rules", verbose_name=_("version")
    )
    title = models.CharField(_("title"), max_length=NAME_MAX_LENGTH)
    basis = models.CharField(_("given to"), max_length=10, choices=HonourBasis.choices)
    holder_kind = models.CharField(_("holders"), max_length=10, choices=HolderKind.choices, default=HolderKind.PERSON)
    level = models.CharField(_("within each"), max_length=10, choices=Level.choices, default=Level.VILLAGE)
    top = models.PositiveSmallIntegerField(_("how many at the top"), null=True, blank=True)
    threshold = models.PositiveIntegerField(_("from points in the year"), null=True, blank=True)
    benefit = models.CharField(_("what it brings"), max_length=REASON_MAX_LENGTH, blank=True)

    class Meta:
        verbose_name = _("honour rule")
        verbose_name_plural = _("honour rules")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title

    @property
    def audit_org(self) -> Any:
        return self.version.scheme.org


class Account(AncestryScopedModel):
    """The balance of one holder (a person or a household), placed where she is kept on the
    books. ``balance`` is what she may spend, ``earned`` what she earned in all (less
    deductions and reversals), ``spent`` what she redeemed (less refunds). They change only in
    ``fulian.points.services.ledger`` under this row's lock, with an entry each time; reading a
    balance is reading this row, never a sum over entries."""

    scope_view_action = "points.view"

    kind = models.CharField(_("holder"), max_length=10, choices=HolderKind.choices)
    person = models.OneToOneField(
        "people.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="points_account",
        verbose_name=_("person"),
    )
    household = models.OneToOneField(
        "households.Household",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="points_account",
        verbose_name=_("household"),
    )
    balance = models.BigIntegerField(_("balance"), default=0)
    earned = models.BigIntegerField(_("earned in all"), default=0)
    spent = models.BigIntegerField(_("spent in all"), default=0)
    updated_at = models.DateTimeField(_("last entry"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("points account")
        verbose_name_plural = _("points accounts")
        ordering = ["id"]
        indexes = AncestryScopedModel.ancestry_indexes("points_account")
        constraints = [
            models.CheckConstraint(condition=Q(balance__gte=0), name="points_account_balance_not_negative"),
            # balance = earned - spent, both never below zero: a refund never exceeds what was redeemed.
            models.CheckConstraint(condition=Q(spent__gte=0), name="points_account_spent_not_negative"),
            models.CheckConstraint(condition=Q(earned__gte=0), name="points_account_earned_not_negative"),
            models.CheckConstraint(
                condition=(Q(kind=HolderKind.PERSON, person__isnull=False, household__isnull=True))
                | Q(kind=HolderKind.HOUSEHOLD, household__isnull=False, person__isnull=True),
                name="points_account_one_holder",
            ),
        ]

    def __str__(self) -> str:
        holder = self.person if self.kind == HolderKind.PERSON else self.household
        return str(holder)


class AccountYear(AncestryScopedModel):
    """What a holder earned in one year (earnings less deductions and reversals), kept with the
    account's entries: the ranks and honours read it, one indexed range per organisation."""

    scope_view_action = "points.view"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="years", verbose_name=_("account"))
    kind = models.CharField(_("holder"), max_length=10, choices=HolderKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    earned = models.BigIntegerField(_("earned"), default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("points year")
        verbose_name_plural = _("points years")
        ordering = ["-earned", "account_id"]
        constraints = [models.UniqueConstraint(fields=["account", "year"], name="points_year_one_per_account")]
        indexes = [
            models.Index(fields=[level, "year", "kind", "-earned", "account"], name=f"points_year_{level}_rank")
            for level in ANCESTRY_FIELDS
        ]


class Claim(AncestryScopedModel, AuditedModel):
    """A posting that waits for a second reviewer before it reaches the ledger: a manual award
    or deduction above the scheme's threshold, or a rule's posting above its two-review
    threshold. Posted or refused by someone other than who asked (and never the holder)."""

    scope_view_action = "points.view"
    audit_exclude = frozenset({"created_at"})

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="claims", verbose_name=_("account"))
    amount = models.IntegerField(_("points"))
    reason = models.CharField(_("reason"), max_length=REASON_MAX_LENGTH)
    evidence = models.ImageField(_("evidence"), upload_to="points/evidence/%Y/%m/", blank=True)
    occurred_on = models.DateField(_("on"))
    rule = models.ForeignKey(Rule, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    contact = models.ForeignKey(
        "grid.Contact", on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    idempotency_key = models.CharField(max_length=KEY_MAX_LENGTH, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.PENDING)
    created_by = _user_field(_("asked by"))
    decided_by = _user_field(_("second reviewer"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    refuse_reason = models.CharField(_("reason for refusing"), max_length=REASON_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("points claim")
        verbose_name_plural = _("points claims")
        ordering = ["-id"]
        indexes = AncestryScopedModel.ancestry_indexes("points_claim")
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="points_claim_not_zero")]


class Entry(AncestryScopedModel):
    """One line of the ledger: append-only, never edited or deleted. ``amount`` is signed;
    ``balance_after`` is the account's balance once it was posted (the passbook's column).
    ``idempotency_key`` is unique: a source posts once however often it is processed; a
    correction is a reversal (``reverses``), itself never reversed. Placed with its account.

    Not an audited model: the ledger is its own record of who posted what, when and why."""

    scope_view_action = "points.view"

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries", verbose_name=_("account"))
    kind = models.CharField(_("kind"), max_length=10, choices=EntryKind.choices)
    amount = models.IntegerField(_("points"))
    balance_after = models.BigIntegerField(_("balance after"))
    occurred_on = models.DateField(_("on"))
    year = models.PositiveSmallIntegerField(_("year"))
    posted_at = models.DateTimeField(_("posted at"), auto_now_add=True)
    reason = models.CharField(_("reason"), max_length=REASON_MAX_LENGTH)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, blank=True)
    rule = models.ForeignKey(
        Rule, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False, verbose_name=_("rule")
    )
    version = models.ForeignKey(
        SchemeVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("scheme version"),
    )
    contact = models.ForeignKey(
        "grid.Contact",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("duty record"),
    )
    award = models.ForeignKey(
        "campaigns.Award",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("award"),
    )
    claim = models.ForeignKey(
        Claim,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("claim"),
    )
    order = models.ForeignKey(
        "points.Order",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("order"),
    )
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("reverses"),
    )
    evidence = models.ImageField(_("evidence"), upload_to="points/evidence/%Y/%m/", blank=True)
    idempotency_key = models.CharField(max_length=KEY_MAX_LENGTH, unique=True)
    created_by = _user_field(_("entered by"))
    confirmed_by = _user_field(_("second reviewer"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("points entry")
        verbose_name_plural = _("points entries")
        ordering = ["-id"]
        indexes = [
            *AncestryScopedModel.ancestry_indexes("points_entry"),
            models.Index(fields=["account", "-id"], name="points_entry_passbook"),
            models.Index(fields=["contact"], name="points_entry_contact", condition=Q(contact__isnull=False)),
            models.Index(fields=["award"], name="points_entry_award", condition=Q(award__isnull=False)),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="points_entry_not_zero"),
            models.CheckConstraint(condition=Q(balance_after__gte=0), name="points_entry_balance_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.amount:+d} {self.reason}"

    @property
    def verified(self) -> bool:
        """Posted from a verified record (a confirmed duty, an award), not entered by staff."""
        return self.source in (Source.DUTY, Source.AWARD, Source.VOLUNTEER)


class Store(AppliesDownModel, AuditedModel):
    """A points store (积分超市) an organisation runs for the holders of its subtree."""

    scope_view_action = "points.view"

    org = _org_field()
    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH)
    address = models.CharField(_("where to pick up"), max_length=REASON_MAX_LENGTH, blank=True)
    hours = models.CharField(_("opening hours"), max_length=NAME_MAX_LENGTH, blank=True)
    pickup_days = models.PositiveSmallIntegerField(_("days to pick up an order"), default=14)
    active = models.BooleanField(_("open"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("points store")
        verbose_name_plural = _("points stores")
        ordering = ["org__path", "id"]
        constraints = [models.CheckConstraint(condition=Q(pickup_days__gte=1), name="points_store_pickup_days")]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_org(self) -> Any:
        return self.org


class Item(AuditedModel):
    """What a store offers for points: goods with a stock, or an honour or service without one
    (``stock`` is None). A per-person limit counts her orders that were not cancelled."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="items", verbose_name=_("store"))
    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH)
    kind = models.CharField(_("kind"), max_length=10, choices=ItemKind.choices, default=ItemKind.GOODS)
    description = models.CharField(_("description"), max_length=REASON_MAX_LENGTH, blank=True)
    price = models.PositiveIntegerField(_("price in points"))
    stock = models.IntegerField(_("in stock"), null=True, blank=True)
    per_person_limit = models.PositiveSmallIntegerField(_("at most per holder"), null=True, blank=True)
    opens_on = models.DateField(_("open from"), null=True, blank=True)
    closes_on = models.DateField(_("open until"), null=True, blank=True)
    active = models.BooleanField(_("on offer"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("store item")
        verbose_name_plural = _("store items")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="points_item_price_positive"),
            models.CheckConstraint(
                condition=Q(stock__isnull=True) | Q(stock__gte=0), name="points_item_stock_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(per_person_limit__isnull=True) | Q(per_person_limit__gte=1),
                name="points_item_limit_at_least_one",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_org(self) -> Any:
        return self.store.org

    @property
    def stocked(self) -> bool:
        return self.stock is not None


class StockMove(models.Model):
    """One movement of an item's stock, append-only: the item's ``stock`` always equals the sum
    of its moves (received and adjusted by staff, taken by orders, returned by cancelled or
    expired ones)."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="moves", verbose_name=_("item"))
    kind = models.CharField(_("kind"), max_length=10, choices=StockKind.choices)
    delta = models.IntegerField(_("quantity"))
    stock_after = models.IntegerField(_("stock after"))
    reason = models.CharField(_("reason"), max_length=REASON_MAX_LENGTH, blank=True)
    order = models.ForeignKey(
        "points.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    created_by = _user_field()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(delta=0), name="points_stock_move_not_zero"),
            models.CheckConstraint(condition=Q(stock_after__gte=0), name="points_stock_move_not_below_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.delta:+d} {self.get_kind_display()}"


class Order(AncestryScopedModel, AuditedModel):
    """A redemption: the points are taken (and the stock reserved) when it is placed; it waits
    with a pickup code until staff hand it over, or is cancelled or expires, which returns both.
    Placed with the paying account, so the store's federation (above the holder) sees it."""

    scope_view_action = "points.view"
    audit_exclude = frozenset({"created_at", "client_key"})

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="orders", verbose_name=_("store"))
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="orders", verbose_name=_("item"))
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="orders", verbose_name=_("account"))
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("redeemed by"),
    )
    quantity = models.PositiveSmallIntegerField(_("quantity"), default=1)
    points = models.PositiveIntegerField(_("points"))
    status = models.CharField(_("status"), max_length=12, choices=OrderStatus.choices, default=OrderStatus.WAITING)
    pickup_code = models.CharField(_("pickup code"), max_length=8)
    expires_on = models.DateField(_("pick up by"))
    client_key = models.UUIDField(null=True, blank=True, editable=False)
    created_by = _user_field(_("placed by"))
    created_at = models.DateTimeField(_("placed at"), auto_now_add=True)
    closed_by = _user_field(_("closed by"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    close_reason = models.CharField(_("reason"), max_length=REASON_MAX_LENGTH, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-id"]
        indexes = [
            *AncestryScopedModel.ancestry_indexes("points_order"),
            models.Index(fields=["account", "-id"], name="points_order_account"),
            models.Index(fields=["store", "status", "-id"], name="points_order_store"),
            models.Index(fields=["item", "account"], name="points_order_limit"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="points_order_quantity"),
            models.CheckConstraint(condition=Q(points__gt=0), name="points_order_points_positive"),
            models.UniqueConstraint(
                fields=["store", "pickup_code"],
                condition=Q(status=OrderStatus.WAITING),
                name="points_order_pickup_code",
            ),
            models.UniqueConstraint(
                fields=["account", "client_key"],
                condition=Q(client_key__isnull=False),
                name="points_order_client_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} × {self.quantity}"


class Honour(AncestryScopedModel, AuditedModel):
    """A 礼遇褒奖 given for a year by an honour rule, listed on the organisation's page."""

    scope_view_action = "points.view"
    audit_exclude = frozenset({"created_at"})

    rule = models.ForeignKey(HonourRule, on_delete=models.PROTECT, related_name="honours", verbose_name=_("honour"))
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="honours", verbose_name=_("account"))
    year = models.PositiveSmallIntegerField(_("year"))
    earned = models.BigIntegerField(_("points in the year"))
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    within = models.ForeignKey(
        "orgs.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("ranked within")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("honour")
        verbose_name_plural = _("honours")
        ordering = ["-year", "rule", "rank", "id"]
        indexes = AncestryScopedModel.ancestry_indexes("points_honour")
        constraints = [models.UniqueConstraint(fields=["rule", "account", "year"], name="points_honour_once")]
