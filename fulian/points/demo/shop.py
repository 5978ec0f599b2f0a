"""新市镇妇联积分超市: goods with stock received (and one count adjusted), honours and services without
stock, a per-holder limit on some, one item sold out and one whose dates are over; orders by
周桂姣 on her phone and by 新市镇's staff at the counter for others — some handed over against their
pickup code, some waiting, one cancelled. Stock and orders through ``fulian.points.services.store``;
the store and its items are set up as rows (the store's staff keep them on their pages)."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from fulian.accounts.models import User
from fulian.audit.recorder import audit_context
from fulian.orgs.models import Organisation
from fulian.people.models import Person
from fulian.points.choices import ItemKind, OrderStatus, StockKind
from fulian.points.models import Account, Item, Order, Store
from fulian.points.services import ledger, store

NAME = "新市镇妇联积分超市"
ADDRESS = "新市镇人民政府一楼新时代文明实践所（镇妇联办公室隔壁）"
HOURS = "周一至周五 8:30–12:00、14:30–17:30；逢五赶集日上午加开"
KEYS = uuid.UUID("6f1d3c52-3b0e-4b7a-9d55-14a1c0de0014")  # the demo's client keys, one per order


@dataclass(frozen=True)
class Offer:
    """One item of the store: stock received (None: no stock), at most per holder, open dates
    (days before today it opened and closed; None: always open)."""

    name: str
    kind: str
    price: int
    description: str = ""
    received: int | None = None
    limit: int | None = None
    open_days: tuple[int, int] | None = None


OFFERS = (
    Offer("洗衣液（2公斤装）", ItemKind.GOODS, 30, "立白洗衣液一瓶", 40),
    Offer("大米（10斤装）", ItemKind.GOODS, 80, "本地优质籼米", 20, limit=2),
    Offer("食用油（5升装）", ItemKind.GOODS, 100, "菜籽油一桶", 12, limit=1),
    Offer("毛巾", ItemKind.GOODS, 15, "纯棉毛巾一条", 60),
    Offer("保温杯", ItemKind.GOODS, 50, "不锈钢保温杯一个", 3),
    Offer("节日慰问礼包", ItemKind.GOODS, 120, "限时兑换：腊肉、干货、挂面", 0, open_days=(90, 30)),
    Offer("优先推荐评优", ItemKind.HONOUR, 100, "年度“最美家庭”“优秀执委”评选时优先推荐一次", limit=1),
    Offer("免费体检", ItemKind.SERVICE, 80, "镇卫生院妇女健康体检一次（含“两癌”筛查咨询）", limit=1),
    Offer("家风讲堂席位", ItemKind.SERVICE, 10, "新市镇家风家教讲堂预留座位一个", limit=2),
)
ADJUSTED = ("毛巾", -2, "盘点发现两条受潮发霉，报损")

# The orders: (for her, or for the next holder of the township able to pay; the item, how many,
# what becomes of it).
HANDED, WAITING, CANCELLED = "handed", "waiting", "cancelled"
HER, OTHER = "her", "other"
ORDERS = (
    (HER, "毛巾", 1, HANDED),
    (HER, "家风讲堂席位", 1, WAITING),
    (OTHER, "优先推荐评优", 1, HANDED),
    (OTHER, "大米（10斤装）", 1, HANDED),
    (OTHER, "食用油（5升装）", 1, HANDED),
    (OTHER, "保温杯", 1, HANDED),
    (OTHER, "保温杯", 1, HANDED),
    (OTHER, "保温杯", 1, WAITING),  # the last one: sold out
    (OTHER, "洗衣液（2公斤装）", 2, HANDED),
    (OTHER, "免费体检", 1, WAITING),
    (OTHER, "洗衣液（2公斤装）", 1, WAITING),
    (OTHER, "毛巾", 2, CANCELLED),
    (OTHER, "大米（10斤装）", 1, WAITING),
    (OTHER, "家风讲堂席位", 2, HANDED),
)
CANCEL_REASON = "本人改换其他物品"


def load(
    *, township: Organisation, staff: User, her: Person, her_user: User, holders: list[Account], today: datetime.date
) -> list[Order]:
    """The store, its stock and the orders; returns the orders."""
    with audit_context(actor=staff):
        shop = Store.objects.create(org=township, name=NAME, address=ADDRESS, hours=HOURS, pickup_days=14)
        items = {}
        for position, offer in enumerate(OFFERS, start=1):
            opens = closes = None
            if offer.open_days is not None:
                opens, closes = (today - datetime.timedelta(days=d) for d in offer.open_days)
            items[offer.name] = Item.objects.create(
                store=shop,
                name=offer.name,
                kind=offer.kind,
                description=offer.description,
                price=offer.price,
                stock=None if offer.kind != ItemKind.GOODS else 0,
                per_person_limit=offer.limit,
                opens_on=opens,
                closes_on=closes,
                position=position,
            )
            if offer.received:
                store.stock_change(
                    actor=staff,
                    item=items[offer.name],
                    delta=offer.received,
                    kind=StockKind.RECEIPT,
                    reason="县妇联配送",
                )
        name, delta, reason = ADJUSTED
        store.stock_change(actor=staff, item=items[name], delta=delta, kind=StockKind.ADJUST, reason=reason)
    mine = ledger.account_for(person=her)
    orders = []
    used: set[int] = set()
    for number, (who, name, quantity, end) in enumerate(ORDERS, start=1):
        item = Item.objects.get(pk=items[name].pk)
        key = uuid.uuid5(KEYS, str(number))
        placed: Order | None
        if who == HER:
            if Account.objects.get(pk=mine.pk).balance < item.price * quantity:
                continue
            with audit_context(actor=her_user):
                placed = store.order_place(actor=her_user, account=mine, item=item, quantity=quantity, client_key=key)
        else:
            placed = _at_counter(staff, holders, used, item, quantity, key)
        if placed is None:
            continue
        order = placed
        with audit_context(actor=staff):
            if end == HANDED:
                order = store.order_hand_over(actor=staff, order=order, pickup_code=order.pickup_code)
            elif end == CANCELLED:
                order = store.order_cancel(actor=staff, order=order, reason=CANCEL_REASON)
        orders.append(order)
    return orders


def _at_counter(
    staff: User, holders: list[Account], used: set[int], item: Item, quantity: int, key: uuid.UUID
) -> Order | None:
    """Staff redeem at the counter for the first holder not served yet who can pay for it."""
    for account in holders:
        if account.pk in used or Account.objects.get(pk=account.pk).balance < item.price * quantity:
            continue
        used.add(account.pk)
        with audit_context(actor=staff):
            return store.order_place(
                actor=staff, account=account, item=item, quantity=quantity, client_key=key, person=account.person
            )
    return None


def waiting(orders: list[Order]) -> int:
    return sum(1 for order in orders if order.status == OrderStatus.WAITING)
