"""The reconciliation's differences as a person reads them (the page and ``reconcile_points``):
what differs, which account (with its holder's name) or item, the stored figure and the sum."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from fulian.points.models import Account
from fulian.points.services.reconcile import Difference

_ACCOUNT = re.compile(r"^account (\d+)")


@dataclass(frozen=True)
class DifferenceRow:
    """One difference, named."""

    what: str
    what_label: str
    which: str
    stored: int
    summed: int

    @property
    def difference(self) -> int:
        return self.stored - self.summed


def _what(what: str) -> str:
    return {
        "balance": _("Balance"),
        "earned": _("Earned in all"),
        "spent": _("Spent in all"),
        "year": _("Earned in a year"),
        "stock": _("Stock"),
    }.get(what, what)


def difference_rows(differences: list[Difference]) -> list[DifferenceRow]:
    """The differences, each account named by its holder (one query for them all)."""
    ids: dict[int, int] = {}  # the difference's position → its account's id
    for position, difference in enumerate(differences):
        found = _ACCOUNT.match(difference.label) if difference.what != "stock" else None
        if found:
            ids[position] = int(found.group(1))
    holders: dict[int, Any] = {
        account.pk: account
        for account in Account.objects.filter(pk__in=set(ids.values())).select_related("person", "household")
    }
    rows = []
    for position, difference in enumerate(differences):
        which = difference.label
        account = holders.get(ids.get(position, 0))
        if account is not None:
            which = f"{difference.label} ({account}, {account.get_kind_display()})"
        elif difference.what == "stock":
            which = _("item %(id)s %(name)s") % {"id": difference.id, "name": difference.label}
        rows.append(DifferenceRow(difference.what, _what(difference.what), which, difference.stored, difference.summed))
    return rows
