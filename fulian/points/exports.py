"""The points exports to .xlsx: the account list (registered with ``fulian.exports``: exactly the
rows the list shows, through its FilterSet, at once or in the background) and one passbook (a
holder's entries, a year or all, small enough to write at once). Names only: no phone or ID."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from fulian.core.exports import spreadsheet_response
from fulian.exports.kinds import ExportKind, register
from fulian.grid import coverage
from fulian.points.choices import HolderKind
from fulian.points.models import Account, Entry, Scheme
from fulian.points.passbook_filters import AccountFilter
from fulian.points.passbook_reads import SchemeLevels


def holder_name(account: Account) -> str:
    """The holder's name: hers, or her household's head's."""
    holder = account.person if account.kind == HolderKind.PERSON else account.household
    return str(holder) if holder is not None else ""


def account_headers(*, members: bool = False) -> list[str]:
    return [
        _("No."),
        _("Holder"),
        _("Holder kind"),
        _("Organisation"),
        _("Division code"),
        _("Level"),
        _("Balance"),
        _("Points this year"),
        _("Points in all"),
        _("Spent in all"),
        _("Last entry"),
    ]


def account_rows(records: Iterable[Any], *, full: bool, members: bool = False) -> Iterator[list[Any]]:
    levels = SchemeLevels.load(coverage.today(), Scheme.objects.all())
    iterator = iter(records)
    while chunk := list(islice(iterator, 1_000)):
        # The records may come without their holders (an export prepared in the background).
        by_id = Account.objects.select_related("person", "household", "org").in_bulk([a.pk for a in chunk])
        for each in chunk:
            a = by_id[each.pk]
            level = levels.standing(a.org.path, a.earned).level
            yield [
                a.pk,
                holder_name(a),
                a.get_kind_display(),
                a.org.display_name,
                a.org.code,
                level.name if level else "",
                a.balance,
                getattr(each, "year_earned", 0) or 0,
                a.earned,
                a.spent,
                timezone.localtime(a.updated_at).strftime("%Y-%m-%d %H:%M") if a.updated_at else "",
            ]


ACCOUNTS = register(
    ExportKind(
        name="points_accounts",
        filterset=AccountFilter,
        view="points.view",
        # Names and balances only: nothing to reveal beyond what the list shows.
        reveal="people.reveal",
        rows_of=account_rows,
        headers=account_headers,
        basename=pgettext_lazy("file name", "points accounts"),
        title=gettext_lazy("Points accounts"),
        list_url_name="points:account_list",
        text_columns=(4,),
    )
)


def passbook_headers() -> list[str]:
    return [_("Date"), _("Reason"), _("Points"), _("Balance after"), _("Kind"), _("Provenance"), _("Posted at")]


def passbook_rows(entries: Sequence[Entry]) -> Iterator[list[Any]]:
    for e in entries:
        yield [
            e.occurred_on.isoformat(),
            e.reason,
            e.amount,
            e.balance_after,
            e.get_kind_display(),
            _("Verified record") if e.verified else _("Entered by staff"),
            timezone.localtime(e.posted_at).strftime("%Y-%m-%d %H:%M"),
        ]


def passbook_response(account: Account, entries: Sequence[Entry], *, year: int | None) -> HttpResponse:
    """One passbook as .xlsx: its entries oldest first, as a paper passbook reads."""
    name = holder_name(account)
    title = _("Points passbook of %(name)s (%(org)s)") % {"name": name, "org": account.org.display_name}
    if year:
        title = f"{title} {year}"
    return spreadsheet_response(
        fmt="xlsx",
        basename=str(pgettext_lazy("file name", "points passbook")),
        title=title,
        headers=passbook_headers(),
        rows=passbook_rows(entries),
        name_parts=[name, str(year or "")],
    )
