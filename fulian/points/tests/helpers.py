"""Schemes, accounts and stores for the points tests, made through the services."""

from __future__ import annotations

import datetime
from typing import Any

from fulian.grid.models import WorkMode
from fulian.orgs.choices import Level
from fulian.points.choices import Earner, ItemKind, Source, StockKind
from fulian.points.models import Account, Item, Scheme, Store
from fulian.points.services import ledger, schemes, store
from fulian.points.services.ledger import Posting
from fulian.testing.world import World

START = datetime.date(2020, 1, 1)


def scheme(world: World, org: str = "youxian", *, adopt: bool = True, **rule_values: Any) -> Scheme:
    """攸县's scheme (or ``org``'s): 入户走访 2 points a visit (6 a day, 300 a year), 志愿服务 1 a
    hour for the person and her household, 县级表彰 20 points; levels 一星 (10) and 二星 (50);
    adopted from 2020 unless ``adopt`` is False."""
    admin = world.user("city_admin")
    made = schemes.scheme_create(actor=admin, org=world.org(org), name="攸悠我行积分", valid_from=START)
    version = made.versions.get()
    duty = schemes.category_save(actor=admin, version=version, name="履职尽责", position=1)
    honours = schemes.category_save(actor=admin, version=version, name="表彰奖励", position=2)
    visit = {
        "name": "入户走访",
        "source": Source.DUTY,
        "work_mode": WorkMode.objects.get(name="入户走访"),
        "points": 2,
        "daily_cap": 6,
        "yearly_cap": 300,
        "reviews_required": 1,
        "earner": Earner.PERSON,
        **rule_values,
    }
    schemes.rule_save(actor=admin, version=version, category=duty, **visit)
    schemes.rule_save(
        actor=admin,
        version=version,
        category=duty,
        name="志愿服务",
        source=Source.DUTY,
        work_mode=WorkMode.objects.get(name="志愿服务"),
        points=1,
        per_hour=True,
        daily_cap=8,
        yearly_cap=500,
        reviews_required=1,
        earner=Earner.BOTH,
    )
    schemes.rule_save(
        actor=admin,
        version=version,
        category=honours,
        name="县级表彰",
        source=Source.AWARD,
        award_level=Level.COUNTY,
        points=20,
        reviews_required=1,
        earner=Earner.HOUSEHOLD,
    )
    schemes.level_save(actor=admin, version=version, name="一星", threshold=10)
    schemes.level_save(actor=admin, version=version, name="二星", threshold=50)
    if adopt:
        schemes.version_adopt(actor=admin, version=version, adopted_on=START, decision="2019年12月村民代表大会表决通过")
    return made


def credit(account: Account, amount: int, key: str, on: datetime.date | None = None) -> None:
    """Points on an account as staff would award them (no scheme needed)."""
    ledger.post(
        account,
        amount,
        Posting(kind="earn", reason="测试", occurred_on=on or datetime.date.today(), key=key, source=Source.MANUAL),
    )


def shop(world: World, org: str = "xinshi", *, stock: int | None = 5, **item_values: Any) -> tuple[Store, Item]:
    """新市镇妇联's store with one item: 洗衣液 for 10 points, ``stock`` received (None: no stock)."""
    made = Store.objects.create(org=world.org(org), name="新市镇积分超市")
    values = {"name": "洗衣液", "kind": ItemKind.GOODS, "price": 10, **item_values}
    item = Item.objects.create(store=made, stock=None if stock is None else 0, **values)
    if stock:
        store.stock_change(actor=world.user("city_admin"), item=item, delta=stock, kind=StockKind.RECEIPT, reason="")
    item.refresh_from_db()
    return made, item
