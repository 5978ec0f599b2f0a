"""The store pages in the scope tests: every URL taking the id of a store, an item, an order or
an account (the counter's page her QR code opens) answers 404 to 新市镇's staff for the records of
炎陵县, and the store list leaves 霞阳镇's store out for them. The insider is 炎陵县's
administrator; the statuses of a POST are those of an empty form."""

from __future__ import annotations

from typing import Any

from fulian.points.models import Account, Item, Order, Store
from fulian.points.tests.helpers import shop
from fulian.points.tests.scope_cases import INSIDER, OUTSIDER, make_account, make_order, make_store
from fulian.testing.scope import ScopeCase


def make_item(world: Any) -> Item:
    _store, item = shop(world, "xiayang")
    return item


CASES = [
    ScopeCase(
        model=Store,
        make=make_store,
        outsider=OUTSIDER,
        insider=INSIDER,
        detail=[
            ("points:store_detail", "get"),
            ("points:store_edit", "get"),
            ("points:store_edit", "post", 400),  # no name, no address
            ("points:item_create", "get"),
            ("points:item_create", "post", 400),  # no name, no price
            ("points:store_orders", "get"),
            ("points:counter", "get"),
        ],
        lists=[
            ("points:store_list", lambda s: {}),
            ("points:store_list", lambda s: {"search": "霞阳"}),
        ],
    ),
    ScopeCase(
        model=Item,
        make=make_item,
        outsider=OUTSIDER,
        insider=INSIDER,
        detail=[
            ("points:item_detail", "get"),
            ("points:item_edit", "get"),
            ("points:item_edit", "post", 400),  # no name, no price
            ("points:item_stock", "post", 400),  # no number
            ("points:item_redeem", "post", 403),  # staff redeem at the counter, not as a holder
        ],
    ),
    ScopeCase(
        model=Order,
        make=make_order,
        outsider=OUTSIDER,
        insider=INSIDER,
        detail=[
            ("points:order_detail", "get"),
            ("points:order_cancel", "post", 400),  # staff say why
            ("points:order_hand_over", "post", 302),  # handed over from its page, back to it
        ],
    ),
    ScopeCase(
        model=Account,
        make=make_account,
        outsider=OUTSIDER,
        insider=INSIDER,
        detail=[
            ("points:counter_account", "get"),
            ("points:counter_redeem", "post", 400),  # no item chosen
        ],
    ),
]
