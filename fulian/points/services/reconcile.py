"""The reconciliation (``manage.py reconcile_points``, run daily; the auditors' API): every
balance equals the sum of its entries, every year's earnings the sum of that year's earning
entries, and every stock level equals receipts and adjustments less what orders took plus what
cancelled and expired orders returned. Read-only: it reports differences, it never fixes one."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, Sum

from fulian.core.ancestry import within_q
from fulian.points.choices import EARNING_KINDS, EntryKind
from fulian.points.models import Account, AccountYear, Entry, Item, StockMove


@dataclass
class Difference:
    """One row whose stored figure is not the sum of its entries."""

    what: str  # "balance", "earned", "spent", "year", "stock"
    id: int
    label: str
    stored: int
    summed: int


@dataclass
class Reconciliation:
    accounts: int = 0
    entries: int = 0
    items: int = 0
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
    return result
