"""The reconciliation (``manage.py reconcile_points``, run daily; the auditors' API): every
balance equals the sum of its entries, every year's earnings the sum of that year's earning
entries, and every stock level equals receipts and adjustments less what orders took plus what
cancelled and expired orders returned; and every order agrees with the ledger and the stock (a
waiting or handed-over order took its points and its goods once, a cancelled or expired one
gave both back). Read-only: it reports differences, it never fixes one."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, Sum

from fulian.core.ancestry import within_q
from fulian.points.choices import EARNING_KINDS, EntryKind, OrderStatus
from fulian.points.models import Account, AccountYear, Entry, Item, Order, StockMove


@dataclass
class Difference:
    """One row whose stored figure is not the sum of its entries."""

    what: str  # "balance", "earned", "spent", "year", "stock", "order points", "order stock"
    id: int
    label: str
    stored: int
    summed: int


@dataclass
class Reconciliation:
    """What was checked, and every difference found (none: ``ok``)."""

    accounts: int = 0
    entries: int = 0
    items: int = 0
    orders: int = 0
    differences: list[Difference] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences


def reconcile(*, org: Any = None) -> Reconciliation:
    """Check the accounts (and stores' items) at or below ``org``, or everywhere."""
    accounts = Account.objects.all()
    entries = Entry.objects.all()
    years = AccountYear.objects.all()
    items = Item.objects.filter(stock__isnull=False)
    if org is not None:
        where = within_q(org)
        accounts, entries, years = accounts.filter(where), entries.filter(where), years.filter(where)
        items = items.filter(store__org__path__startswith=org.path)
    result = Reconciliation()
    sums = {
        row["account_id"]: row
        for row in entries.values("account_id").annotate(
            balance=Sum("amount"),
            earned=Sum("amount", filter=Q(kind__in=EARNING_KINDS)),
            spent=Sum("amount", filter=Q(kind__in=(EntryKind.REDEEM, EntryKind.REFUND))),
        )
    }
    result.entries = entries.count()
    for pk, balance, earned, spent in accounts.values_list("pk", "balance", "earned", "spent").iterator():
        result.accounts += 1
        row: Any = sums.get(pk, {})
        for what, stored, summed in (
            ("balance", balance, row.get("balance") or 0),
            ("earned", earned, row.get("earned") or 0),
            ("spent", spent, -(row.get("spent") or 0)),
        ):
            if stored != summed:
                result.differences.append(Difference(what, pk, f"account {pk}", stored, summed))
    year_sums = {
        (row["account_id"], row["year"]): row["total"]
        for row in entries.filter(kind__in=EARNING_KINDS).values("account_id", "year").annotate(total=Sum("amount"))
    }
    for pk, account_id, year, earned in years.values_list("pk", "account_id", "year", "earned").iterator():
        summed = year_sums.pop((account_id, year), 0)
        if earned != summed:
            result.differences.append(Difference("year", pk, f"account {account_id} {year}", earned, summed))
    for (account_id, year), summed in year_sums.items():
        if summed:
            result.differences.append(Difference("year", account_id, f"account {account_id} {year}", 0, summed))
    moves = {
        row["item_id"]: row["total"]
        for row in StockMove.objects.filter(item__in=items).values("item_id").annotate(total=Sum("delta"))
    }
    for pk, name, stock in items.values_list("pk", "name", "stock"):
        result.items += 1
        if stock != moves.get(pk, 0):
            result.differences.append(Difference("stock", pk, name, stock or 0, moves.get(pk, 0)))
    _orders(result, entries, org)
    return result


def _orders(result: Reconciliation, entries: Any, org: Any) -> None:
    """Each order against its entries and its stock moves."""
    orders = Order.objects.all() if org is None else Order.objects.filter(within_q(org))
    paid = {
        row["order_id"]: row["total"]
        for row in entries.filter(order__isnull=False).values("order_id").annotate(total=Sum("amount"))
    }
    moved = {
        row["order_id"]: row["total"]
        for row in StockMove.objects.filter(order__in=orders).values("order_id").annotate(total=Sum("delta"))
    }
    live = (OrderStatus.WAITING, OrderStatus.HANDED_OVER)
    for pk, status, points, quantity, stock in orders.values_list(
        "pk", "status", "points", "quantity", "item__stock"
    ).iterator():
        result.orders += 1
        taken = status in live
        if paid.get(pk, 0) != (-points if taken else 0):
            result.differences.append(
                Difference("order points", pk, f"order {pk}", -points if taken else 0, paid.get(pk, 0))
            )
        if stock is not None and moved.get(pk, 0) != (-quantity if taken else 0):
            result.differences.append(
                Difference("order stock", pk, f"order {pk}", -quantity if taken else 0, moved.get(pk, 0))
            )
