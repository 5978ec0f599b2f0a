"""Bad input (issue 14): negative prices or points, a rule without caps where the scheme requires
them, redeeming more than the balance, a sold-out or closed item, a double-tapped redemption,
cancelling after hand-over, changing a version in use, a manual award to oneself or outside
one's scope, a reversal of a reversal. Each is a clear message (naming the field where there is
one), and nothing is written: the rows are counted before and after."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from fulian.duties.tests import helpers as h
from fulian.grid.coverage import today
from fulian.grid.models import WorkMode
from fulian.points.choices import Earner, EntryKind, OrderStatus, Source, StockKind
from fulian.points.models import (
    Account,
    AccountYear,
    Claim,
    Entry,
    Item,
    Order,
    Rule,
    SchemeVersion,
    StockMove,
)
from fulian.points.services import ledger, manual, schemes, store
from fulian.points.services.reconcile import reconcile
from fulian.points.tests.helpers import credit, scheme, shop
from fulian.testing.world import World

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _rows() -> tuple[object, ...]:
    """Every row a points service writes, and every figure it changes."""
    return (
        Entry.objects.count(),
        Claim.objects.count(),
        Order.objects.count(),
        StockMove.objects.count(),
        Rule.objects.count(),
        AccountYear.objects.count(),
        sorted(Account.objects.values_list("pk", "balance", "earned", "spent")),
        sorted(Item.objects.values_list("pk", "stock")),
        sorted(Order.objects.values_list("pk", "status")),
    )


@contextmanager
def nothing_written() -> Iterator[None]:
    before = _rows()
    yield
    assert _rows() == before
    assert reconcile().ok


def _holder(world: World) -> tuple[Account, Item]:
    herself = h.zhiwei(world, account=world.user("huilong_zhiwei"))
    account = ledger.account_for(person=herself)
    credit(account, 25, "gift")
    _store, item = shop(world, stock=5, price=10)
    return account, item


# --- negative prices and points ---------------------------------------------------------------


def test_a_rule_of_no_or_negative_points_is_refused_naming_points(world: World) -> None:
    made = scheme(world, adopt=False)
    version = made.versions.get()
    for points in (0, -2):
        with nothing_written(), pytest.raises(ValidationError) as caught:
            schemes.rule_save(
                actor=world.user("city_admin"),
                version=version,
                category=version.categories.first(),
                name="帮扶关爱",
                source=Source.DUTY,
                work_mode=WorkMode.objects.get(name="帮扶关爱"),
                points=points,
                daily_cap=4,
                yearly_cap=100,
                reviews_required=1,
                earner=Earner.PERSON,
            )
        assert caught.value.message_dict["points"] == ["Points must be more than 0 (deduct by hand with a reason)."]


@pytest.mark.parametrize(
    ("values", "constraint"),
    [
        ({"price": 0}, "points_item_price_positive"),
        ({"price": -10}, "price"),
        ({"price": 10, "stock": -1}, "points_item_stock_not_negative"),
    ],
)
def test_the_database_refuses_a_price_of_no_points_and_negative_stock(
    world: World, values: dict[str, int], constraint: str
) -> None:
    made, _item = shop(world)
    with nothing_written(), pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        Item.objects.create(store=made, name="坏数据", **values)


def test_the_database_refuses_an_order_of_no_points(world: World) -> None:
    account, item = _holder(world)
    order = store.order_place(actor=world.user("huilong_zhiwei"), account=account, item=item)
    with nothing_written(), pytest.raises(IntegrityError, match="points_order_points_positive"), transaction.atomic():
        Order.objects.filter(pk=order.pk).update(points=0)


def test_the_database_refuses_negative_balances_and_stock_rules_of_no_points_and_entries_of_zero(
    world: World,
) -> None:
    scheme(world)
    account, _item = _holder(world)
    with nothing_written():
        with pytest.raises(IntegrityError, match="points_account_balance_not_negative"), transaction.atomic():
            Account.objects.filter(pk=account.pk).update(balance=-1)
        with pytest.raises(IntegrityError, match="points_rule_points_positive"), transaction.atomic():
            Rule.objects.update(points=0)
        with pytest.raises(IntegrityError, match="points_entry_not_zero"), transaction.atomic():
            Entry.objects.update(amount=0)
        with pytest.raises(IntegrityError, match="points_entry_balance_not_negative"), transaction.atomic():
            Entry.objects.update(balance_after=-1)
        with pytest.raises(IntegrityError, match="points_account_spent_not_negative"), transaction.atomic():
            Account.objects.filter(pk=account.pk).update(spent=-1)
        with pytest.raises(IntegrityError, match="points_stock_move_not_below_zero"), transaction.atomic():
            StockMove.objects.update(stock_after=-1)
        with pytest.raises(IntegrityError, match="points_item_limit_at_least_one"), transaction.atomic():
            Item.objects.update(per_person_limit=0)


def test_a_manual_posting_of_no_points_is_refused_naming_amount(world: World) -> None:
    account, _item = _holder(world)
    with nothing_written(), pytest.raises(ValidationError) as caught:
        manual.manual_post(actor=world.user("xinshi_staff"), account=account, amount=0, reason="好人好事")
    assert list(caught.value.message_dict) == ["amount"]


def test_a_deduction_past_the_balance_is_refused_naming_amount(world: World) -> None:
    account, _item = _holder(world)
    # Above the second-review threshold (20): refused when asked, not when the claim is confirmed.
    with nothing_written(), pytest.raises(ValidationError) as caught:
        manual.manual_post(actor=world.user("xinshi_staff"), account=account, amount=-30, reason="违反村规")
    assert caught.value.message_dict == {"amount": ["Only 25 points are left: 30 cannot be taken."]}
    manual.manual_post(actor=world.user("xinshi_staff"), account=account, amount=-20, reason="违反村规")
    with nothing_written(), pytest.raises(ValidationError) as caught:
        manual.manual_post(actor=world.user("xinshi_staff"), account=account, amount=-10, reason="违反村规")
    assert caught.value.message_dict == {"amount": ["Only 5 points are left: 10 cannot be taken."]}


def test_stock_adjusted_below_zero_is_refused_naming_delta(world: World) -> None:
    _account, item = _holder(world)
    with nothing_written(), pytest.raises(ValidationError) as caught:
        store.stock_change(actor=world.user("xinshi_staff"), item=item, delta=-6, kind=StockKind.ADJUST, reason="盘点")
    assert caught.value.message_dict == {"delta": ["Only 5 left in stock."]}
    with nothing_written(), pytest.raises(ValidationError) as caught:
        store.stock_change(actor=world.user("xinshi_staff"), item=item, delta=0, kind=StockKind.ADJUST, reason="盘点")
    assert list(caught.value.message_dict) == ["delta"]
    with nothing_written(), pytest.raises(ValidationError) as caught:
        store.stock_change(actor=world.user("xinshi_staff"), item=item, delta=-1, kind=StockKind.RECEIPT, reason="")
    assert list(caught.value.message_dict) == ["delta"]


# --- rules ------------------------------------------------------------------------------------


def test_a_rule_without_caps_is_refused_where_the_scheme_requires_them(world: World) -> None:
    made = scheme(world, adopt=False)
    version = made.versions.get()
    assert version.caps_required
    with nothing_written(), pytest.raises(ValidationError) as caught:
        schemes.rule_save(
            actor=world.user("city_admin"),
            version=version,
            category=version.categories.first(),
            name="帮扶关爱",
            source=Source.DUTY,
            work_mode=WorkMode.objects.get(name="帮扶关爱"),
            points=3,
            daily_cap=None,
            yearly_cap=None,
            reviews_required=1,
            earner=Earner.PERSON,
        )
    assert set(caught.value.message_dict) == {"daily_cap", "yearly_cap"}


def test_a_version_in_use_cannot_change(world: World) -> None:
    made = scheme(world)
    version = made.versions.get()
    rule = version.rules.first()
    assert rule is not None
    message = "Version 1 is adopted and in use: it cannot change. Start a new version from a later date."
    with nothing_written():
        with pytest.raises(ValidationError) as caught:
            schemes.rule_save(
                actor=world.user("city_admin"),
                version=version,
                rule=rule,
                category=rule.category,
                name=rule.name,
                source=rule.source,
                work_mode=rule.work_mode,
                points=50,
                daily_cap=rule.daily_cap,
                yearly_cap=rule.yearly_cap,
                reviews_required=1,
                earner=rule.earner,
            )
        assert caught.value.messages == [message]
        with pytest.raises(ValidationError, match="is adopted and in use"):
            schemes.category_save(actor=world.user("city_admin"), version=version, name="新类别")
        with pytest.raises(ValidationError, match="is adopted and in use"):
            schemes.level_save(actor=world.user("city_admin"), version=version, name="三星", threshold=100)
    rule.refresh_from_db()
    assert rule.points == 2
    assert SchemeVersion.objects.get().frozen


# --- redeeming --------------------------------------------------------------------------------


def test_redeeming_more_than_the_balance_is_refused_naming_quantity(world: World) -> None:
    account, item = _holder(world)
    with nothing_written(), pytest.raises(ValidationError) as caught:
        store.order_place(actor=world.user("huilong_zhiwei"), account=account, item=item, quantity=3)
    assert caught.value.message_dict == {"quantity": ["This needs 30 points; the balance is 25."]}


def test_redeeming_a_sold_out_item_is_refused_naming_quantity(world: World) -> None:
    account, item = _holder(world)
    store.stock_change(actor=world.user("xinshi_staff"), item=item, delta=-5, kind=StockKind.ADJUST, reason="破损")
    with nothing_written(), pytest.raises(ValidationError) as caught:
        store.order_place(actor=world.user("huilong_zhiwei"), account=account, item=item)
    assert caught.value.message_dict == {"quantity": ["Sold out."]}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"active": False}, "This item is no longer on offer."),
        ({"closes_on": datetime.date(2020, 1, 31)}, "This item was on offer until 2020-01-31."),
        ({"opens_on": datetime.date(2099, 1, 1)}, "This item is on offer from 2099-01-01."),
        ({"store_closed": True}, "This store is closed."),
    ],
)
def test_redeeming_a_closed_item_is_refused_naming_item(world: World, change: dict[str, object], message: str) -> None:
    account, item = _holder(world)
    if change.pop("store_closed", False):
        type(item.store).objects.filter(pk=item.store_id).update(active=False)
    Item.objects.filter(pk=item.pk).update(**change)
    item = Item.objects.get(pk=item.pk)
    with nothing_written(), pytest.raises(ValidationError) as caught:
        store.order_place(actor=world.user("huilong_zhiwei"), account=account, item=item)
    assert caught.value.message_dict == {"item": [message]}


def test_a_double_tapped_redemption_makes_one_order(world: World) -> None:
    account, item = _holder(world)
    key = uuid.uuid4()
    first = store.order_place(actor=world.user("huilong_zhiwei"), account=account, item=item, client_key=key)
    with nothing_written():
        again = store.order_place(actor=world.user("huilong_zhiwei"), account=account, item=item, client_key=key)
    assert again == first
    account.refresh_from_db()
    assert (account.balance, Entry.objects.filter(kind=EntryKind.REDEEM).count()) == (15, 1)


def test_cancelling_after_hand_over_is_refused(world: World) -> None:
    account, item = _holder(world)
    order = store.order_place(actor=world.user("huilong_zhiwei"), account=account, item=item)
    store.order_hand_over(actor=world.user("xinshi_staff"), order=order, pickup_code=order.pickup_code)
    with nothing_written():
        with pytest.raises(ValidationError) as caught:
            store.order_cancel(actor=world.user("xinshi_staff"), order=order, reason="弄错了")
        assert caught.value.messages == ["This order is Handed over: nothing was changed."]
        with pytest.raises(ValidationError):
            store.order_hand_over(actor=world.user("xinshi_staff"), order=order)
    order.refresh_from_db()
    assert order.status == OrderStatus.HANDED_OVER


def test_a_wrong_pickup_code_is_refused_naming_it(world: World) -> None:
    account, item = _holder(world)
    order = store.order_place(actor=world.user("huilong_zhiwei"), account=account, item=item)
    wrong = "000000" if order.pickup_code != "000000" else "111111"
    with nothing_written(), pytest.raises(ValidationError) as caught:
        store.order_hand_over(actor=world.user("xinshi_staff"), order=order, pickup_code=wrong)
    assert list(caught.value.message_dict) == ["pickup_code"]


# --- by hand ----------------------------------------------------------------------------------


def test_a_manual_award_to_oneself_or_ones_household_is_refused(world: World) -> None:
    from fulian.accounts.choices import Role
    from fulian.accounts.models import RoleGrant

    staff = world.user("xinshi_staff")
    herself = h.zhiwei(world, "huilong", "刘芳", account=staff)
    own = ledger.account_for(person=herself)
    assert RoleGrant.objects.filter(user=staff, role=Role.STAFF).exists()
    with nothing_written(), pytest.raises(PermissionDenied) as caught:
        manual.manual_post(actor=staff, account=own, amount=5, reason="自己给自己")
    assert str(caught.value) == "Nobody awards or deducts points on her own account or her household's."


def test_a_manual_award_outside_ones_scope_is_refused(world: World) -> None:
    account, _item = _holder(world)  # a holder of 攸县
    with nothing_written(), pytest.raises(PermissionDenied):
        manual.manual_post(actor=world.user("yanling_admin"), account=account, amount=5, reason="好人好事")
    with nothing_written(), pytest.raises(PermissionDenied):
        manual.manual_post(actor=world.user("huilong_zhiwei"), account=account, amount=5, reason="好人好事")


def test_a_manual_award_without_a_reason_or_in_the_future_is_refused_naming_the_field(world: World) -> None:
    account, _item = _holder(world)
    with nothing_written(), pytest.raises(ValidationError) as caught:
        manual.manual_post(actor=world.user("xinshi_staff"), account=account, amount=5, reason="   ")
    assert list(caught.value.message_dict) == ["reason"]
    with nothing_written(), pytest.raises(ValidationError) as caught:
        manual.manual_post(
            actor=world.user("xinshi_staff"),
            account=account,
            amount=5,
            reason="好人好事",
            occurred_on=today() + datetime.timedelta(days=1),
        )
    assert list(caught.value.message_dict) == ["occurred_on"]


def test_a_key_sent_again_for_another_holder_is_refused_naming_it(world: World) -> None:
    account, _item = _holder(world)
    other = ledger.account_for(person=h.zhiwei(world, "huilong", "钟桃华"))
    manual.manual_post(actor=world.user("xinshi_staff"), account=account, amount=5, reason="好人好事", key="k1")
    with nothing_written(), pytest.raises(ValidationError) as caught:
        manual.manual_post(actor=world.user("xinshi_staff"), account=other, amount=5, reason="好人好事", key="k1")
    assert list(caught.value.message_dict) == ["key"]
    big = {"actor": world.user("xinshi_staff"), "amount": 50, "reason": "见义勇为", "key": "k2"}
    manual.manual_post(account=account, **big)  # type: ignore[arg-type]
    with nothing_written(), pytest.raises(ValidationError) as caught:
        manual.manual_post(account=other, **big)  # type: ignore[arg-type]
    assert list(caught.value.message_dict) == ["key"]


# --- reversals --------------------------------------------------------------------------------


def test_a_reversal_of_a_reversal_is_refused(world: World) -> None:
    account, _item = _holder(world)
    entry = Entry.objects.get()
    reversal = manual.entry_reverse(actor=world.user("xinshi_staff"), entry=entry, reason="记错了")
    with nothing_written():
        with pytest.raises(ValidationError) as caught:
            manual.entry_reverse(actor=world.user("xinshi_staff"), entry=reversal, reason="再改回来")
        assert caught.value.messages == ["A reversal cannot be reversed: post a new entry instead."]
        with pytest.raises(ValidationError) as caught:
            manual.entry_reverse(actor=world.user("xinshi_staff"), entry=entry, reason="再冲一次")
        assert caught.value.messages == ["This entry was already reversed."]
        with pytest.raises(ValidationError):
            ledger.reverse(reversal, reason="x")
    account.refresh_from_db()
    assert account.balance == 0


def test_a_redemption_is_not_reversed_but_cancelled(world: World) -> None:
    account, item = _holder(world)
    store.order_place(actor=world.user("huilong_zhiwei"), account=account, item=item)
    redeemed = Entry.objects.get(kind=EntryKind.REDEEM)
    with nothing_written(), pytest.raises(ValidationError) as caught:
        manual.entry_reverse(actor=world.user("xinshi_staff"), entry=redeemed, reason="退回")
    assert caught.value.messages == ["Redemptions are taken back by cancelling their order."]
