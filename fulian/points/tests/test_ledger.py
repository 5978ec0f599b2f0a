"""The ledger and the store's core: earning from a confirmed record, idempotency, reversal,
redemption, cancellation, and the reconciliation."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from fulian.duties.services.review import record_confirm
from fulian.duties.tests import helpers as h
from fulian.points.choices import EntryKind, OrderStatus
from fulian.points.models import Account, Entry, StockMove
from fulian.points.services import earning, ledger, store
from fulian.points.services.reconcile import reconcile
from fulian.points.tests.helpers import credit, scheme, shop
from fulian.testing.world import World

pytestmark = pytest.mark.django_db(transaction=False)


def test_a_confirmed_record_earns_its_rule_once(world: World, django_capture_on_commit_callbacks) -> None:
    scheme(world)
    herself = h.zhiwei(world, account=world.user("huilong_zhiwei"))
    record = h.record(world, herself, actor=world.user("xinshi_staff"))
    with django_capture_on_commit_callbacks(execute=True):
        record_confirm(actor=world.user("youxian_admin"), record=record)
    account = Account.objects.get(person=herself)
    assert account.balance == 2
    assert earning.contact_post(record) == []  # posted already: nothing new
    assert Entry.objects.get().contact == record
    assert earning.backlog() == 0
    account.refresh_from_db()
    assert (account.balance, account.earned, account.years.get().earned) == (2, 2, 2)
    assert reconcile().ok


def test_a_redemption_takes_points_and_stock_and_a_cancel_gives_both_back(world: World) -> None:
    herself = h.zhiwei(world, account=world.user("huilong_zhiwei"))
    account = ledger.account_for(person=herself)
    credit(account, 25, "t1")
    _store, item = shop(world)
    order = store.order_place(actor=world.user("huilong_zhiwei"), account=account, item=item, quantity=2)
    account.refresh_from_db()
    item.refresh_from_db()
    assert (account.balance, item.stock, order.status) == (5, 3, OrderStatus.WAITING)
    with pytest.raises(ValidationError):
        store.order_place(actor=world.user("huilong_zhiwei"), account=account, item=item)
    store.order_cancel(actor=world.user("huilong_zhiwei"), order=order, reason="不要了")
    account.refresh_from_db()
    item.refresh_from_db()
    assert (account.balance, account.spent, item.stock) == (25, 0, 5)
    assert list(StockMove.objects.values_list("delta", flat=True).order_by("id")) == [5, -2, 2]
    assert reconcile().ok


def test_a_reversal_is_posted_once_and_never_reversed(world: World) -> None:
    herself = h.zhiwei(world)
    account = ledger.account_for(person=herself)
    credit(account, 7, "t1")
    entry = Entry.objects.get()
    reversal = ledger.reverse(entry, reason="错记")
    assert reversal is not None
    assert reversal.kind == EntryKind.REVERSAL
    assert ledger.reverse(entry, reason="again") == reversal
    with pytest.raises(ValidationError):
        ledger.reverse(reversal, reason="x")
    account.refresh_from_db()
    assert account.balance == 0
    Account.objects.filter(pk=account.pk).update(balance=3)
    assert [d.what for d in reconcile().differences] == ["balance"]


def test_honours_go_to_the_top_of_each_village_once(world: World) -> None:
    from fulian.orgs.choices import Level
    from fulian.points.choices import HolderKind, HonourBasis
    from fulian.points.models import HonourRule
    from fulian.points.services.honours import honours_grant

    made = scheme(world)
    version = made.versions.get()
    HonourRule.objects.create(
        version=version,
        title="文明实践之星",
        basis=HonourBasis.RANK,
        holder_kind=HolderKind.PERSON,
        level=Level.VILLAGE,
        top=1,
    )
    first = ledger.account_for(person=h.zhiwei(world, "huilong", "周桂姣"))
    second = ledger.account_for(person=h.zhiwei(world, "huilong", "钟桃华"))
    credit(first, 5, "a", on=datetime.date(2026, 3, 1))
    credit(second, 9, "b", on=datetime.date(2026, 3, 1))
    assert honours_grant(year=2026) == 1
    assert honours_grant(year=2026) == 0
    assert list(second.honours.values_list("rank", "within__code")) == [(1, "430223123215")]
