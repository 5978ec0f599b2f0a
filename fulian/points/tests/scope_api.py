"""The points API's routes in the scope tests: every route taking an id (a scheme, a version and
its adoption, a rule, an account, an entry and its reversal, a claim and its review, an honour, a
store, an item and its stock, an order, its hand-over and cancelling) answers 404 to 新市镇's staff
for a record of 炎陵县 (before reading the body), and every list leaves it out for them. The
insider's statuses are those of an empty request."""

from __future__ import annotations

from typing import Any

from fulian.points.models import (
    Account,
    AccountYear,
    Claim,
    Entry,
    Honour,
    Item,
    Order,
    Rule,
    Scheme,
    SchemeVersion,
    Store,
)
from fulian.points.tests.helpers import shop
from fulian.points.tests.scope_cases import (
    INSIDER,
    OUTSIDER,
    make_account,
    make_claim,
    make_entry,
    make_honour,
    make_order,
    make_scheme,
    make_store,
    make_year,
)
from fulian.testing.scope import ScopeCase


def _every(_obj: Any) -> dict[str, str]:
    return {}


def make_version(world: Any) -> SchemeVersion:
    return make_scheme(world).versions.get()


def make_rule(world: Any) -> Rule:
    return make_version(world).rules.first()  # type: ignore[return-value]


def make_item(world: Any) -> Item:
    return shop(world, "xiayang")[1]


def _case(model: Any, make: Any, detail: list[Any], lists: list[Any]) -> ScopeCase:
    return ScopeCase(model=model, make=make, outsider=OUTSIDER, insider=INSIDER, detail=detail, lists=lists)


CASES = [
    _case(Scheme, make_scheme, [("api:points-scheme-detail", "get")], [("api:points-scheme-list", _every)]),
    _case(
        SchemeVersion,
        make_version,
        [
            ("api:points-version-detail", "get"),
            ("api:points-version-adopt", "post", 400),  # no day, no decision
        ],
        [],
    ),
    _case(
        Rule,
        make_rule,
        [
            ("api:points-rule-detail", "get"),
            ("api:points-rule-detail", "patch", 400),  # its version is adopted
            ("api:points-rule-detail", "delete", 400),
        ],
        [("api:points-rule-list", lambda r: {"version": r.version_id})],
    ),
    _case(
        Account,
        make_account,
        [("api:points-account-detail", "get"), ("api:points-account-entries", "get")],
        [("api:points-account-list", lambda a: {"kind": a.kind, "search": "钟桂兰"})],
    ),
    _case(
        Entry,
        make_entry,
        [
            ("api:points-entry-detail", "get"),
            ("api:points-entry-reverse", "post", 400),  # no reason
        ],
        [("api:points-entry-list", lambda e: {"account": e.account_id})],
    ),
    _case(
        Claim,
        make_claim,
        [
            ("api:points-claim-detail", "get"),
            ("api:points-claim-confirm", "post", 200),  # the county's administrator is a second reviewer
            ("api:points-claim-refuse", "post", 400),  # no reason
        ],
        [("api:points-claim-list", lambda c: {"status": c.status})],
    ),
    # The ranks of an organisation outside the caller's area: a 400 naming ``org``.
    _case(AccountYear, make_year, [], [("api:points-rank-list", lambda y: {"org": y.org.code, "year": y.year}, 400)]),
    _case(
        Honour,
        make_honour,
        [("api:points-honour-detail", "get")],
        [("api:points-honour-list", lambda h: {"year": h.year})],
    ),
    _case(Store, make_store, [("api:points-store-detail", "get")], [("api:points-store-list", _every)]),
    _case(
        Item,
        make_item,
        [
            ("api:points-item-detail", "get"),
            ("api:points-item-detail", "patch", 200),  # nothing changed
            ("api:points-item-stock", "post", 400),  # how many?
        ],
        [("api:points-item-list", lambda i: {"store": i.store_id})],
    ),
    _case(
        Order,
        make_order,
        [
            ("api:points-order-detail", "get"),
            ("api:points-order-hand-over", "post", 400),  # no pickup code
            ("api:points-order-cancel", "post", 200),  # staff of the county cancel it
        ],
        [("api:points-order-list", lambda o: {"status": o.status})],
    ),
]
