"""The points demo (``fulian/points/demo/``): 攸县's scheme, the balances posted from the demo's
confirmed records by the rules, the store at 新市镇 with orders in every state, 周桂姣's passbook
from several sources, this year's honours — exact (the reconciliation passes), and a second run
adds nothing."""

from __future__ import annotations

from collections import Counter
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Count, Min, Sum

from fulian.grid import coverage
from fulian.grid.choices import RecordStatus
from fulian.grid.models import Contact, WorkMode
from fulian.orgs.choices import Level
from fulian.people.models import Person
from fulian.points.choices import (
    ClaimStatus,
    Earner,
    EntryKind,
    HolderKind,
    ItemKind,
    OrderStatus,
    Source,
    VersionStatus,
)
from fulian.points.models import Account, Claim, Entry, Honour, Item, Order, Scheme, StockMove
from fulian.points.services import earning
from fulian.points.services.holders import own_accounts
from fulian.points.services.reconcile import reconcile

pytestmark = pytest.mark.django_db

YOUXIAN = "430223"


def test_the_points_demo_keeps_its_promises_exactly() -> None:
    """One load for all the checks (the full demo takes a minute or two), then a second run."""
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert any(line.startswith("Points: 攸悠我行") for line in out.getvalue().splitlines()), out.getvalue()

    _youxian_keeps_an_adopted_scheme_in_force_before_the_first_record()
    _the_confirmed_records_are_posted_and_posting_again_adds_nothing()
    _staff_awarded_deducted_and_reversed_by_hand_one_waits_for_a_second_review()
    _huilong_zhiwei_has_a_passbook_from_several_sources()
    _the_xinshi_store_has_goods_honours_and_orders_in_every_state()
    _this_years_honours_are_given()
    _the_2019_awards_earn_their_households_by_the_citys_scheme()
    result = reconcile()
    assert result.ok, result.differences[:5]
    assert result.entries > 5000

    before = _fingerprint()
    again = StringIO()
    call_command("load_demo", stdout=again)
    assert "Points: already loaded." in again.getvalue()
    assert _fingerprint() == before


def _youxian_keeps_an_adopted_scheme_in_force_before_the_first_record() -> None:
    scheme = Scheme.objects.get(org__code=YOUXIAN)
    assert scheme.name == "攸悠我行·新时代文明实践积分"
    version = scheme.versions.get()
    assert version.number == 1
    assert version.status == VersionStatus.ADOPTED
    assert version.adopted_on is not None
    assert version.decision.startswith(f"{version.adopted_on.year}年12月攸县妇联执委")
    first = Contact.objects.filter(status=RecordStatus.CONFIRMED).aggregate(first=Min("happened_on"))["first"]
    assert version.adopted_on is not None
    assert first is not None
    assert version.adopted_on < version.valid_from <= first
    assert version.second_review_above == 20
    assert list(version.categories.values_list("name", flat=True)) == ["履职尽责", "志愿服务", "表彰奖励"]
    duty = version.rules.filter(source=Source.DUTY)
    assert set(duty.values_list("work_mode__name", flat=True)) == set(WorkMode.objects.values_list("name", flat=True))
    assert not duty.filter(daily_cap__isnull=True).exists()
    assert not duty.filter(yearly_cap__isnull=True).exists()
    visit = duty.get(work_mode__name="入户走访")
    assert (visit.points, visit.per_hour, visit.earner) == (2, False, Earner.PERSON)
    volunteer = duty.get(work_mode__name="志愿服务")
    assert (volunteer.points, volunteer.per_hour, volunteer.earner, volunteer.category.name) == (
        1,
        True,
        Earner.BOTH,
        "志愿服务",
    )
    awards = dict(version.rules.filter(source=Source.AWARD).values_list("award_level", "points"))
    assert awards == {Level.VILLAGE: 5, Level.TOWNSHIP: 10, Level.COUNTY: 20, Level.CITY: 30}
    assert not version.rules.filter(source=Source.AWARD).exclude(earner=Earner.HOUSEHOLD).exists()
    assert list(version.levels.values_list("name", "threshold")) == [
        ("一星", 20),
        ("二星", 50),
        ("三星", 100),
        ("四星", 200),
        ("五星", 400),
    ]
    assert set(version.honour_rules.values_list("title", flat=True)) == {"文明实践之星", "积分达人"}


def _the_confirmed_records_are_posted_and_posting_again_adds_nothing() -> None:
    """Every entry from a record is from a confirmed record of 攸县 (the only scheme), within
    its rule's daily cap; most of 攸县's confirmed records earned; a second backlog finds nothing."""
    from_records = Entry.objects.filter(contact__isnull=False)
    assert not from_records.exclude(contact__status=RecordStatus.CONFIRMED).exclude(kind=EntryKind.REVERSAL).exists()
    assert not from_records.exclude(org__path__startswith=f"/430200/{YOUXIAN}/").exists()
    confirmed = Contact.objects.filter(
        status=RecordStatus.CONFIRMED, person__org__path__startswith=f"/430200/{YOUXIAN}/"
    )
    earned = from_records.filter(account__kind=HolderKind.PERSON).values("contact").distinct().count()
    assert earned > 0.9 * confirmed.count()
    per_day = (
        from_records.values("account", "rule", "occurred_on", "rule__daily_cap")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    assert all(row["total"] <= row["rule__daily_cap"] for row in per_day)
    assert earning.backlog() == 0


def _staff_awarded_deducted_and_reversed_by_hand_one_waits_for_a_second_review() -> None:
    manual = Entry.objects.filter(source=Source.MANUAL)
    assert manual.filter(kind=EntryKind.EARN).count() >= 4
    deduction = manual.get(kind=EntryKind.DEDUCT)
    assert deduction.amount < 0
    assert deduction.reason
    assert deduction.created_by.username == "xinshi_staff"
    reversal = manual.get(kind=EntryKind.REVERSAL)
    assert reversal.reverses is not None
    assert reversal.amount == -reversal.reverses.amount
    assert "冲正" in reversal.reason
    waiting = Claim.objects.get(status=ClaimStatus.PENDING)
    assert waiting.amount > 20
    assert waiting.created_by.username == "xinshi_staff"
    confirmed = Claim.objects.get(status=ClaimStatus.POSTED)
    assert confirmed.decided_by.username == "youxian_admin"
    assert Entry.objects.get(claim=confirmed).confirmed_by.username == "youxian_admin"


def _huilong_zhiwei_has_a_passbook_from_several_sources() -> None:
    her = Person.objects.get(account__username="huilong_zhiwei")
    assert her.account is not None
    accounts = own_accounts(her.account)
    mine = accounts[0]
    assert mine.person == her
    entries = Entry.objects.filter(account=mine)
    assert mine.balance > 0
    assert mine.balance == entries.aggregate(total=Sum("amount"))["total"]
    assert mine.balance == entries.order_by("-id").values_list("balance_after", flat=True)[0]
    volunteer = entries.filter(rule__work_mode__name="志愿服务")
    assert volunteer.exists()
    assert entries.filter(source=Source.DUTY).exclude(rule__work_mode__name="志愿服务").count() >= 5
    assert entries.filter(source=Source.MANUAL, kind=EntryKind.EARN, created_by__username="xinshi_staff").exists()
    assert entries.filter(kind=EntryKind.REDEEM).count() == 2
    # Her household is known: her volunteer hours earned it too (共得共享).
    assert len(accounts) == 2
    household = accounts[1]
    assert household.kind == HolderKind.HOUSEHOLD
    shared = Entry.objects.filter(account=household, contact__in=volunteer.values("contact"))
    assert shared.count() == volunteer.count()
    assert household.balance == Entry.objects.filter(account=household).aggregate(total=Sum("amount"))["total"]


def _the_xinshi_store_has_goods_honours_and_orders_in_every_state() -> None:
    items = Item.objects.filter(store__name="新市镇妇联积分超市", store__org__code="430223123")
    assert items.filter(kind=ItemKind.GOODS, stock__gt=0).count() >= 4
    assert {"洗衣液（2公斤装）", "大米（10斤装）", "食用油（5升装）", "毛巾"} <= set(
        items.values_list("name", flat=True)
    )
    stockless = items.filter(stock__isnull=True)
    assert set(stockless.values_list("name", flat=True)) == {"优先推荐评优", "免费体检", "家风讲堂席位"}
    assert items.filter(per_person_limit__isnull=False).count() >= 3
    assert items.filter(kind=ItemKind.GOODS, stock=0, moves__kind="order").distinct().count() == 1  # sold out
    today = coverage.today()
    assert items.filter(closes_on__lt=today).count() == 1
    for item in items.filter(stock__isnull=False):
        assert item.stock == (StockMove.objects.filter(item=item).aggregate(n=Sum("delta"))["n"] or 0)
    orders = Order.objects.filter(item__in=items)
    statuses = Counter(orders.values_list("status", flat=True))
    assert statuses[OrderStatus.WAITING] >= 4, statuses
    assert statuses[OrderStatus.HANDED_OVER] >= 4, statuses
    assert statuses[OrderStatus.CANCELLED] == 1, statuses
    assert orders.values("account").distinct().count() >= 8
    hers = orders.filter(account__person__account__username="huilong_zhiwei")
    assert set(hers.values_list("status", flat=True)) == {OrderStatus.WAITING, OrderStatus.HANDED_OVER}
    assert not orders.filter(status=OrderStatus.HANDED_OVER, closed_by__isnull=True).exists()
    assert Entry.objects.filter(order__in=orders, kind=EntryKind.REFUND).count() == 1


def _this_years_honours_are_given() -> None:
    year = coverage.today().year
    honours = Honour.objects.filter(year=year)
    stars = honours.filter(rule__title="文明实践之星")
    assert stars.exists()
    per_village = stars.values("within").annotate(n=Count("id"))
    assert max(row["n"] for row in per_village) == 3
    achievers = honours.filter(rule__title="积分达人")
    assert achievers.exists()
    threshold = achievers.first().rule.threshold  # type: ignore[union-attr]
    assert not achievers.filter(earned__lt=threshold).exists()


def _fingerprint() -> tuple[Any, ...]:
    return (
        list(Account.objects.order_by("id").values_list("id", "balance", "earned", "spent")),
        Entry.objects.count(),
        list(Order.objects.order_by("id").values_list("id", "status")),
        Claim.objects.count(),
        Honour.objects.count(),
        StockMove.objects.count(),
    )


def _the_2019_awards_earn_their_households_by_the_citys_scheme() -> None:
    from fulian.campaigns.models import Award
    from fulian.points.models import Entry

    standing = Award.objects.filter(revoked_on__isnull=True)
    assert standing.exists()
    earned = Entry.objects.filter(source=Source.AWARD, kind="earn")
    assert earned.count() == standing.count()
    assert set(earned.values_list("account__household_id", flat=True)) == set(
        standing.values_list("household_id", flat=True)
    )
    assert set(earned.values_list("version__scheme__org__code", flat=True)) == {"430200"}
