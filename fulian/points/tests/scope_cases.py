"""Points records of 炎陵县 (a 执委 of 霞阳镇 蔬菜村: her account, her year, an entry, a claim, an
order at 霞阳镇's store, an honour; the county's scheme): 新市镇's staff must never see them.
Each part of the pages and the API adds its routes in its own ``scope_<part>.py``; the records
are made here."""

from __future__ import annotations

import datetime
from typing import Any

from fulian.duties.tests import helpers as h
from fulian.orgs.choices import Level
from fulian.points.choices import HolderKind, HonourBasis
from fulian.points.models import Account, AccountYear, Claim, Entry, Honour, HonourRule, Order, Scheme, Store
from fulian.points.services import ledger, store
from fulian.points.tests.helpers import credit, scheme, shop
from fulian.testing.scope import ScopeCase

OUTSIDER = "xinshi_staff"
INSIDER = "yanling_admin"


def make_person(world: Any) -> Any:
    return h.zhiwei(world, "shucai", "钟桂兰")


def make_account(world: Any) -> Account:
    account = ledger.account_for(person=make_person(world))
    credit(account, 30, "scope:1", on=datetime.date(2026, 5, 1))
    account.refresh_from_db()
    return account


def make_year(world: Any) -> AccountYear:
    return make_account(world).years.get()


def make_entry(world: Any) -> Entry:
    return make_account(world).entries.get()


def make_claim(world: Any) -> Claim:
    account = make_account(world)
    claim = Claim(
        account=account, amount=50, reason="县级表彰", occurred_on=datetime.date(2026, 5, 2), idempotency_key="scope:c"
    )
    claim.place_beside(account)
    claim.save()
    return claim


def make_scheme(world: Any) -> Scheme:
    return scheme(world, "yanling")


def make_store(world: Any) -> Store:
    made, _item = shop(world, "xiayang")
    return made


def make_order(world: Any) -> Order:
    account = make_account(world)
    _store, item = shop(world, "xiayang")
    return store.order_place(actor=world.user("yanling_admin"), account=account, item=item)


def make_honour(world: Any) -> Honour:
    account = make_account(world)
    version = make_scheme(world).versions.get()
    rule = HonourRule.objects.create(
        version=version,
        title="文明实践之星",
        basis=HonourBasis.THRESHOLD,
        holder_kind=HolderKind.PERSON,
        level=Level.VILLAGE,
        threshold=10,
    )
    honour = Honour(rule=rule, account=account, year=2026, earned=30, within=world.org("shucai"))
    honour.place_beside(account)
    honour.save()
    return honour


def _case(model: Any, make: Any, **routes: Any) -> ScopeCase:
    return ScopeCase(model=model, make=make, outsider=OUTSIDER, insider=INSIDER, **routes)


CASES = [
    _case(Account, make_account),
    _case(AccountYear, make_year),
    _case(Entry, make_entry),
    _case(Claim, make_claim),
    _case(Scheme, make_scheme),
    _case(Store, make_store),
    _case(Order, make_order),
    _case(Honour, make_honour),
]

# Each part's routes (pages and API), in its own module, so that parts are written apart.
for _part in ("passbook", "ranks", "schemes", "store", "ledger", "api"):
    try:
        _module = __import__(f"fulian.points.tests.scope_{_part}", fromlist=["CASES"])
    except ModuleNotFoundError:
        continue
    CASES.extend(_module.CASES)
