"""The store's core beyond redeeming: limits and areas, stock received, orders expired, the
caller's account instance kept current, the reconciliation of orders, and honours given by the
nearest scheme."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from fulian.duties.tests import helpers as h
from fulian.grid.coverage import today
from fulian.orgs.choices import Level
from fulian.points.choices import HolderKind, HonourBasis, OrderStatus, StockKind
from fulian.points.models import HonourRule, Order, StockMove
from fulian.points.services import ledger, store
from fulian.points.services.honours import honours_grant
from fulian.points.services.reconcile import reconcile
from fulian.points.tests.helpers import credit, scheme, shop
from fulian.testing.world import World

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def test_a_posting_updates_the_callers_account_instance(world: World) -> None:
    account = ledger.account_for(person=h.zhiwei(world))
    credit(account, 7, "gift")
    assert (account.balance, account.earned) == (7, 7)


def test_the_per_holder_limit_counts_live_orders_only(world: World) -> None:
    account = ledger.account_for(person=h.zhiwei(world, account=world.user("huilong_zhiwei")))
    credit(account, 100, "gift")
    _store, item = shop(world, per_person_limit=2)
    zhiwei = world.user("huilong_zhiwei")
    first = store.order_place(actor=zhiwei, account=account, item=item)
    store.order_place(actor=zhiwei, account=account, item=item)
    with pytest.raises(ValidationError) as caught:
        store.order_place(actor=zhiwei, account=account, item=item)
    assert caught.value.message_dict == {"quantity": ["At most 2 per holder; 2 already redeemed."]}
    store.order_cancel(actor=zhiwei, order=first)
    store.order_place(actor=zhiwei, account=account, item=item)
    assert Order.objects.filter(status=OrderStatus.WAITING).count() == 2


def test_a_store_serves_only_its_own_area(world: World) -> None:
    account = ledger.account_for(person=h.zhiwei(world, "shucai", "李秀英"))
    credit(account, 100, "gift")
    _store, item = shop(world)  # 新市镇's store; she lives in 炎陵县
    with pytest.raises(ValidationError) as caught:
        store.order_place(actor=world.user("xinshi_staff"), account=account, item=item)
    assert caught.value.message_dict == {"item": ["This store serves another area."]}


def test_stock_received_and_adjusted_is_written_as_moves(world: World) -> None:
    _store, item = shop(world, stock=5)
    staff = world.user("xinshi_staff")
    store.stock_change(actor=staff, item=item, delta=10, kind=StockKind.RECEIPT, reason="")
    store.stock_change(actor=staff, item=item, delta=-2, kind=StockKind.ADJUST, reason="破损")
    item.refresh_from_db()
    assert item.stock == 13
    assert list(StockMove.objects.order_by("id").values_list("delta", "stock_after")) == [(5, 5), (10, 15), (-2, 13)]
    with pytest.raises(ValidationError) as caught:
        store.stock_change(actor=staff, item=item, delta=1_000_000, kind=StockKind.RECEIPT, reason="")
    assert list(caught.value.message_dict) == ["delta"]
    assert reconcile().ok


def test_orders_not_picked_up_in_time_expire_and_give_back_points_and_stock(world: World) -> None:
    account = ledger.account_for(person=h.zhiwei(world, account=world.user("huilong_zhiwei")))
    credit(account, 30, "gift")
    _store, item = shop(world, stock=3)
    order = store.order_place(actor=world.user("huilong_zhiwei"), account=account, item=item)
    assert store.orders_expire(on=order.expires_on) == 0
    assert store.orders_expire(on=order.expires_on + datetime.timedelta(days=1)) == 1
    assert store.orders_expire(on=order.expires_on + datetime.timedelta(days=1)) == 0
    order.refresh_from_db()
    account.refresh_from_db()
    item.refresh_from_db()
    assert (order.status, account.balance, account.spent, item.stock) == (OrderStatus.EXPIRED, 30, 0, 3)
    assert Order.objects.get().pk == order.pk
    with pytest.raises(ValidationError):
        store.order_hand_over(actor=world.user("xinshi_staff"), order=order)
    assert reconcile().ok


def test_the_reconciliation_finds_an_order_that_disagrees_with_the_ledger(world: World) -> None:
    account = ledger.account_for(person=h.zhiwei(world, account=world.user("huilong_zhiwei")))
    credit(account, 30, "gift")
    _store, item = shop(world, stock=3)
    order = store.order_place(actor=world.user("huilong_zhiwei"), account=account, item=item)
    assert reconcile().ok
    # A cancellation written by hand, past the services: no refund, no stock returned.
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.CANCELLED)
    assert sorted(d.what for d in reconcile().differences) == ["order points", "order stock"]
    assert reconcile(org=world.org("yanling")).ok  # another county's books are not hers


def test_a_countys_own_scheme_gives_its_holders_honours_and_the_citys_does_not(world: World) -> None:
    county = scheme(world, "youxian")
    city = scheme(world, "city")
    for made in (county, city):
        HonourRule.objects.create(
            version=made.versions.get(),
            title=f"{made.org.name}文明实践之星",
            basis=HonourBasis.RANK,
            holder_kind=HolderKind.PERSON,
            level=Level.VILLAGE,
            top=1,
        )
    youxian = ledger.account_for(person=h.zhiwei(world, "huilong", "周桂姣"))
    yanling = ledger.account_for(person=h.zhiwei(world, "shucai", "李秀英"))
    day = datetime.date(today().year - 1, 6, 1)
    credit(youxian, 5, "a", on=day)
    credit(yanling, 9, "b", on=day)
    assert honours_grant(year=day.year) == 2
    assert list(youxian.honours.values_list("rule__version__scheme", flat=True)) == [county.pk]
    assert list(yanling.honours.values_list("rule__version__scheme", flat=True)) == [city.pk]
