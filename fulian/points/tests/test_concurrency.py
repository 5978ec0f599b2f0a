"""Many at once: fifty redemptions of one item from one balance, fifty holders after a little
stock, one record confirmed (and posted) twice at once, two hand-overs of one order, a cancel
racing a hand-over, and a redemption that cannot get the lock in time. Real threads on real
connections, on whichever database the suite runs (SQLite and PostgreSQL in CI).

On PostgreSQL the services lock rows (account, then item, then order); on SQLite every
transaction takes the database's write lock at its start (``transaction_mode="IMMEDIATE"``), so
the same calls queue behind one another. Either way: no balance below zero, no stock below zero,
exactly as many orders as the balance and the stock allowed, entries that sum to the balances,
and a reconciliation without differences."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import translation

from fulian.accounts.choices import Role
from fulian.accounts.models import RoleGrant
from fulian.duties.services import review
from fulian.duties.tests import helpers as h
from fulian.grid.choices import DEFAULT_WORK_MODES, RecordStatus
from fulian.grid.models import Contact, WorkMode
from fulian.people.tests.helpers import person
from fulian.points.choices import EntryKind, OrderStatus
from fulian.points.models import Account, Claim, Entry, Item, Order, StockMove, Store
from fulian.points.services import earning, ledger, manual, store
from fulian.points.services.reconcile import reconcile
from fulian.points.tests.helpers import credit, scheme, shop
from fulian.testing.world import World

THREADS = 50


@pytest.fixture
def live_world(live_world: World) -> World:
    """The live world, with the work modes its flush took away (a migration made them)."""
    for position, (name, name_en) in enumerate(DEFAULT_WORK_MODES, start=1):
        WorkMode.objects.get_or_create(name=name, defaults={"name_en": name_en, "position": position * 10})
    return live_world


def _together(*calls: Callable[[], Any]) -> list[Any]:
    """Run each call in its own thread on its own connection, released together; each gives its
    result or the exception it raised (any kind: a test then says none was a server error)."""
    start = threading.Barrier(len(calls), timeout=60)

    def run(call: Callable[[], Any]) -> Any:
        translation.activate("en")  # a thread starts without the test's language
        try:
            start.wait()
            return call()
        except Exception as error:  # the test looks at every outcome
            return error
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def _only_refusals(outcomes: list[Any], kind: type) -> list[ValidationError]:
    """The refusals among ``outcomes``, after checking every other outcome is a ``kind``: no
    database error, no permission error, nothing a page would show as a server error."""
    strays = [o for o in outcomes if not isinstance(o, kind | ValidationError)]
    assert not strays, strays
    return [o for o in outcomes if isinstance(o, ValidationError)]


def _staff(world: World, username: str, org: str = "xinshi") -> Any:
    account = get_user_model().objects.create_user(username=username, password="Test-Passw0rd!", org=world.org(org))
    RoleGrant.objects.create(user=account, org=world.org(org), role=Role.STAFF)
    return account


def _assert_exact() -> None:
    """Nothing overspent or oversold; every balance is the sum of its entries; the
    reconciliation (balances, years, stock, orders against both) finds no difference."""
    assert not Account.objects.filter(balance__lt=0).exists()
    assert not Item.objects.filter(stock__lt=0).exists()
    for account in Account.objects.all():
        assert account.balance == (account.entries.aggregate(s=Sum("amount"))["s"] or 0)
    for item in Item.objects.exclude(stock=None):
        assert item.stock == (StockMove.objects.filter(item=item).aggregate(s=Sum("delta"))["s"] or 0)
    result = reconcile()
    assert result.ok, result.differences


def _redeem(user: Any, account: Account, item: Item) -> Callable[[], Any]:
    # Fresh instances in each thread: nothing read by one thread is trusted by another.
    return lambda: store.order_place(
        actor=get_user_model().objects.get(pk=user.pk),
        account=Account.objects.get(pk=account.pk),
        item=Item.objects.get(pk=item.pk),
        client_key=uuid.uuid4(),
    )


def test_fifty_redemptions_from_one_balance_take_exactly_what_it_holds(live_world: World) -> None:
    world = live_world
    herself = h.zhiwei(world, account=world.user("huilong_zhiwei"))
    account = ledger.account_for(person=herself)
    credit(account, 95, "gift")
    _store, item = shop(world, stock=100, price=10)

    outcomes = _together(*[_redeem(world.user("huilong_zhiwei"), account, item) for _ in range(THREADS)])

    refusals = _only_refusals(outcomes, Order)
    assert Order.objects.count() == 9 == THREADS - len(refusals)  # 95 // 10
    assert {m for r in refusals for m in r.messages} == {"This needs 10 points; the balance is 5."}
    account.refresh_from_db()
    item.refresh_from_db()
    assert (account.balance, account.spent, account.earned) == (5, 90, 95)
    assert item.stock == 91
    assert Entry.objects.filter(kind=EntryKind.REDEEM).count() == 9
    _assert_exact()


def test_fifty_holders_after_a_little_stock_get_exactly_the_stock(live_world: World) -> None:
    world = live_world
    staff = world.user("xinshi_staff")
    accounts = []
    for n in range(THREADS):
        account = ledger.account_for(person=person(world, "huilong", f"持有人{n:02d}"))
        credit(account, 30, f"gift:{n}")
        accounts.append(account)
    _store, item = shop(world, stock=7, price=10)

    outcomes = _together(*[_redeem(staff, account, item) for account in accounts])

    refusals = _only_refusals(outcomes, Order)
    assert Order.objects.count() == 7 == THREADS - len(refusals)
    assert {m for r in refusals for m in r.messages} == {"Sold out."}
    item.refresh_from_db()
    assert item.stock == 0
    balances = sorted(Account.objects.values_list("balance", flat=True))
    assert balances == [20] * 7 + [30] * (THREADS - 7)
    assert {o.account_id for o in outcomes if isinstance(o, Order)} == set(
        Account.objects.filter(balance=20).values_list("pk", flat=True)
    )
    _assert_exact()


def test_one_tap_sent_many_times_at_once_makes_one_order(live_world: World) -> None:
    world = live_world
    herself = h.zhiwei(world, account=world.user("huilong_zhiwei"))
    account = ledger.account_for(person=herself)
    credit(account, 100, "gift")
    _store, item = shop(world, stock=10)
    key = uuid.uuid4()

    def tap() -> Order:
        return store.order_place(
            actor=world.user("huilong_zhiwei"), account=Account.objects.get(pk=account.pk), item=item, client_key=key
        )

    outcomes = _together(*[tap for _ in range(10)])

    assert not _only_refusals(outcomes, Order)
    assert {o.pk for o in outcomes} == set(Order.objects.values_list("pk", flat=True))
    assert Order.objects.count() == 1
    account.refresh_from_db()
    assert account.balance == 90
    _assert_exact()


def test_a_record_confirmed_twice_at_once_posts_its_points_once(live_world: World) -> None:
    world = live_world
    scheme(world)
    herself = h.zhiwei(world, account=world.user("huilong_zhiwei"))
    made = h.record(world, herself, actor=world.user("xinshi_staff"))
    second = _staff(world, "xinshi_staff2")
    third = _staff(world, "xinshi_staff3")

    # Real commits: the points are posted by the receiver once the confirmation commits.
    outcomes = _together(
        lambda: review.record_confirm(actor=second, record=made),
        lambda: review.record_confirm(actor=third, record=made),
    )
    assert len(_only_refusals(outcomes, type(made))) == 1
    # And the record posted again twice at once (the receiver and the daily backlog together).
    again = _together(lambda: earning.contact_post(made), lambda: earning.contact_post(made))
    assert again == [[], []]

    assert Entry.objects.filter(contact=made).count() == 1
    assert Account.objects.get(person=herself).balance == 2
    _assert_exact()


def test_two_postings_of_one_record_at_once_post_it_once(live_world: World) -> None:
    world = live_world
    scheme(world)
    herself = h.zhiwei(world, account=world.user("huilong_zhiwei"))
    made = h.record(world, herself, actor=world.user("xinshi_staff"))
    # Confirmed without its receiver's posting: the postings below race alone.
    Contact.objects.filter(pk=made.pk).update(status=RecordStatus.CONFIRMED, reviewed_by=_staff(world, "x2"))

    outcomes = _together(*[lambda: earning.contact_post(made) for _ in range(5)])

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert sum(len(o) for o in outcomes) == 1
    assert Entry.objects.filter(contact=made).count() == 1
    _assert_exact()


def _waiting_order(world: World) -> tuple[Account, Order]:
    herself = h.zhiwei(world, account=world.user("huilong_zhiwei"))
    account = ledger.account_for(person=herself)
    credit(account, 30, "gift")
    _store, item = shop(world, stock=3)
    order = store.order_place(actor=world.user("huilong_zhiwei"), account=account, item=item)
    return account, order


def test_two_hand_overs_of_one_order_at_once_hand_it_over_once(live_world: World) -> None:
    world = live_world
    _account, order = _waiting_order(world)
    second = _staff(world, "xinshi_staff2")

    def hand_over(actor: Any) -> Callable[[], Any]:
        return lambda: store.order_hand_over(actor=actor, order=order, pickup_code=order.pickup_code)

    outcomes = _together(hand_over(world.user("xinshi_staff")), hand_over(second))

    refusals = _only_refusals(outcomes, Order)
    assert len(refusals) == 1
    assert refusals[0].messages == ["This order is Handed over: nothing was changed."]
    order.refresh_from_db()
    assert order.status == OrderStatus.HANDED_OVER
    winner = next(o for o in outcomes if isinstance(o, Order))
    assert order.closed_by_id == winner.closed_by_id
    _assert_exact()


def _cancel_and_hand_over(world: World, order: Order) -> list[Callable[[], Any]]:
    return [
        lambda: store.order_cancel(actor=world.user("huilong_zhiwei"), order=order, reason="不要了"),
        lambda: store.order_hand_over(actor=world.user("xinshi_staff"), order=order),
    ]


def test_a_cancel_racing_a_hand_over_lets_exactly_one_win(live_world: World) -> None:
    world = live_world
    rounds = 3
    herself = h.zhiwei(world, account=world.user("huilong_zhiwei"))
    account = ledger.account_for(person=herself)
    credit(account, 30, "gift")
    _store, item = shop(world, stock=rounds)
    for _round in range(rounds):
        order = store.order_place(actor=world.user("huilong_zhiwei"), account=account, item=item)
        outcomes = _together(*_cancel_and_hand_over(world, order))
        refusals = _only_refusals(outcomes, Order)
        assert len(refusals) == 1, outcomes
        order.refresh_from_db()
        refunds = Entry.objects.filter(order=order, kind=EntryKind.REFUND).count()
        returns = StockMove.objects.filter(order=order, delta__gt=0).count()
        if order.status == OrderStatus.CANCELLED:
            assert (refunds, returns) == (1, 1)
            assert refusals[0].messages == ["This order is Cancelled: nothing was changed."]
        else:
            assert order.status == OrderStatus.HANDED_OVER
            assert (refunds, returns) == (0, 0)
        _assert_exact()
    account.refresh_from_db()
    item.refresh_from_db()
    handed = Order.objects.filter(status=OrderStatus.HANDED_OVER).count()
    assert (account.balance, item.stock) == (30 - 10 * handed, rounds - handed)


def test_a_redemption_that_cannot_get_the_lock_in_time_is_refused_clearly(
    live_world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Somebody holds the lock longer than the others wait: SQLite's "database is locked" (its
    timeout is 20 s in the settings, a fraction of a second here) and PostgreSQL's lock
    timeout become a refusal that says to try again, with nothing written."""
    world = live_world
    herself = h.zhiwei(world, account=world.user("huilong_zhiwei"))
    account = ledger.account_for(person=herself)
    credit(account, 50, "gift")
    _store, item = shop(world, stock=5)
    options = connection.settings_dict["OPTIONS"]
    if connection.vendor == "sqlite":
        monkeypatch.setitem(options, "timeout", 0.2)
    else:
        monkeypatch.setitem(options, "options", "-c lock_timeout=200")
    before = (Entry.objects.count(), StockMove.objects.count(), Order.objects.count())

    with transaction.atomic():  # the holder's account locked (SQLite: the whole database)
        ledger.lock(account)
        outcomes = _together(*[_redeem(world.user("huilong_zhiwei"), account, item) for _ in range(3)])

    refusals = _only_refusals(outcomes, Order)
    assert len(refusals) == 3, outcomes
    assert {m for r in refusals for m in r.messages} == {
        "Many are using the points at this moment: nothing was changed. Try again in a moment."
    }
    assert (Entry.objects.count(), StockMove.objects.count(), Order.objects.count()) == before
    _assert_exact()


def test_a_claim_tapped_twice_at_once_is_one_claim(live_world: World) -> None:
    world = live_world
    account = ledger.account_for(person=h.zhiwei(world))
    credit(account, 100, "gift")

    def tap() -> Any:
        return manual.manual_post(
            actor=world.user("xinshi_staff"),
            account=Account.objects.get(pk=account.pk),
            amount=50,
            reason="见义勇为",
            key="one-tap",
        )

    outcomes = _together(*[tap for _ in range(5)])

    assert not _only_refusals(outcomes, Claim)
    assert Claim.objects.count() == 1
    assert {o.pk for o in outcomes} == {Claim.objects.get().pk}


def test_a_redemption_does_not_wait_for_its_store_row(live_world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the account, item and order rows are locked: staff editing the store (its row
    locked) do not hold up the counter. PostgreSQL only: SQLite locks the whole database."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite serialises every write")
    world = live_world
    account = ledger.account_for(person=h.zhiwei(world, account=world.user("huilong_zhiwei")))
    credit(account, 30, "gift")
    made, item = shop(world, stock=3)
    monkeypatch.setitem(connection.settings_dict["OPTIONS"], "options", "-c lock_timeout=500")

    with transaction.atomic():  # staff changing the store's hours: its row stays locked till commit
        Store.objects.filter(pk=made.pk).update(hours="8:00-17:00")
        outcomes = _together(_redeem(world.user("huilong_zhiwei"), account, item))

    assert not _only_refusals(outcomes, Order), outcomes
    assert Order.objects.count() == 1
