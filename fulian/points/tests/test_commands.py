"""The daily commands: ``reconcile_points`` (exit 1 and every difference named when a stored
figure is not the sum of its entries), ``post_points`` (the backlog, idempotent) and
``expire_orders`` (points and stock return)."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from fulian.duties.services.review import record_confirm
from fulian.duties.tests import helpers as h
from fulian.grid.coverage import today
from fulian.points.choices import OrderStatus
from fulian.points.models import Account, Entry, Item, Order
from fulian.points.services import ledger, store
from fulian.points.services.reconcile import reconcile
from fulian.points.tests.helpers import credit, scheme, shop
from fulian.testing.world import World

pytestmark = pytest.mark.django_db(transaction=False)


def _run(name: str, *args: str) -> tuple[int, str]:
    """The command's exit status and what it printed."""
    out = io.StringIO()
    try:
        call_command(name, *args, stdout=out)
    except SystemExit as e:
        return int(e.code or 0), out.getvalue()
    return 0, out.getvalue()


def test_reconcile_points_exits_0_on_a_clean_ledger(world: World) -> None:
    account = ledger.account_for(person=h.zhiwei(world))
    credit(account, 12, "t1")
    shop(world)
    status, out = _run("reconcile_points")
    assert status == 0
    assert "Checked 1 accounts, 1 entries and 1 stocked items" in out
    assert "No difference." in out


def test_reconcile_points_exits_1_and_names_the_account_after_a_corruption(world: World) -> None:
    account = ledger.account_for(person=h.zhiwei(world, name="周桂姣"))
    credit(account, 12, "t1")
    Account.objects.filter(pk=account.pk).update(balance=40)
    _store, item = shop(world)
    Item.objects.filter(pk=item.pk).update(stock=9)
    status, out = _run("reconcile_points")
    assert status == 1
    assert f"DIFFERENCE balance account {account.pk} (周桂姣" in out
    assert "stored 40, sum of entries 12 (+28)" in out
    assert f"DIFFERENCE stock item {item.pk} 洗衣液: stored 9, sum of entries 5" in out
    assert "2 difference(s)." in out


def test_reconcile_points_checks_only_the_subtree_asked_for(world: World) -> None:
    youxian = ledger.account_for(person=h.zhiwei(world, "huilong"))
    credit(youxian, 5, "t1")
    yanling = ledger.account_for(person=h.zhiwei(world, "shucai", "钟桂兰"))
    credit(yanling, 5, "t2")
    Account.objects.filter(pk=yanling.pk).update(balance=1)
    assert _run("reconcile_points", "--org", "430223")[0] == 0
    status, out = _run("reconcile_points", "--org", "430225")
    assert status == 1
    assert "钟桂兰" in out
    with pytest.raises(CommandError):
        call_command("reconcile_points", "--org", "999999")


def test_post_points_posts_the_backlog_once(world: World) -> None:
    scheme(world)
    herself = h.zhiwei(world, account=world.user("huilong_zhiwei"))
    old = h.record(world, herself, actor=world.user("xinshi_staff"), on=today() - datetime.timedelta(days=40))
    new = h.record(world, herself, actor=world.user("xinshi_staff"))
    # Confirmed without the on-commit receiver running: the points are not yet posted.
    record_confirm(actor=world.user("youxian_admin"), record=old)
    record_confirm(actor=world.user("youxian_admin"), record=new)
    assert not Entry.objects.exists()
    assert _run("post_points", "--since", (today() - datetime.timedelta(days=5)).isoformat()) == (
        0,
        "Posted 1 entries.\n",
    )
    assert _run("post_points") == (0, "Posted 1 entries.\n")
    assert _run("post_points") == (0, "Posted 0 entries.\n")  # a rerun posts nothing
    assert Account.objects.get(person=herself).balance == 4
    assert reconcile().ok
    with pytest.raises(CommandError):
        call_command("post_points", "--since", "2026-13-01")


def test_expire_orders_returns_the_points_and_the_stock(world: World) -> None:
    account = ledger.account_for(person=h.zhiwei(world, account=world.user("huilong_zhiwei")))
    credit(account, 30, "t1")
    _store, item = shop(world)
    late = store.order_place(actor=world.user("huilong_zhiwei"), account=account, item=item, quantity=2)
    waiting = store.order_place(actor=world.user("huilong_zhiwei"), account=account, item=item)
    Order.objects.filter(pk=late.pk).update(expires_on=today() - datetime.timedelta(days=1))
    assert _run("expire_orders") == (0, "Expired 1 orders; their points and stock are back.\n")
    late.refresh_from_db()
    waiting.refresh_from_db()
    account.refresh_from_db()
    item.refresh_from_db()
    assert (late.status, waiting.status) == (OrderStatus.EXPIRED, OrderStatus.WAITING)
    assert (account.balance, item.stock) == (20, 4)
    assert _run("expire_orders")[1].startswith("Expired 0 orders")
    assert reconcile().ok


def test_the_daily_unit_runs_the_three_commands_with_the_reconciliation_last() -> None:
    unit = (Path(__file__).resolve().parents[3] / "deploy/systemd/fulian-points.service").read_text()
    commands = [line.split("manage.py ")[1] for line in unit.splitlines() if line.startswith("ExecStart=")]
    assert commands == ["post_points", "expire_orders", "reconcile_points"]
    timer = (Path(__file__).resolve().parents[3] / "deploy/systemd/fulian-points.timer").read_text()
    assert "OnCalendar=" in timer
    assert "Persistent=true" in timer
