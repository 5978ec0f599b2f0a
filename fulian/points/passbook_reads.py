"""Reads of the passbook, account list and rank pages: the levels of the schemes in force for a
page of accounts at once, a holder's places this year, the competition rank of a ranking page,
and the links of a page of entries to their sources where the reader may open them."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q
from django.urls import NoReverseMatch, reverse

from fulian.campaigns.models import Award
from fulian.core.ancestry import within_q
from fulian.core.scoping import AnyUser
from fulian.grid.models import Contact
from fulian.orgs.models import Organisation
from fulian.points import selectors
from fulian.points.choices import VersionStatus
from fulian.points.models import Account, AccountYear, Entry, PointsLevel, Scheme, SchemeVersion, ancestor_paths
from fulian.points.services import holders


@dataclass
class Standing:
    """Where a holder stands: her level and the next one, and how many points are missing."""

    level: PointsLevel | None
    next_level: PointsLevel | None

    def to_next(self, earned: int) -> int | None:
        return None if self.next_level is None else max(0, self.next_level.threshold - earned)


@dataclass
class SchemeLevels:
    """The levels of every scheme's version in force on a day, read once (a city has a handful of
    schemes): a page of accounts finds each holder's level without a query per row. The scheme
    that applies is the nearest one at or above the holder (as ``earning.version_for``)."""

    on: datetime.date
    by_path: dict[str, list[PointsLevel]] = field(default_factory=dict)

    @classmethod
    def load(cls, on: datetime.date, schemes: Any = None) -> SchemeLevels:
        rows = schemes if schemes is not None else Scheme.objects.all()
        versions = (
            SchemeVersion.objects.filter(scheme__in=rows, status=VersionStatus.ADOPTED, valid_from__lte=on)
            .select_related("scheme__org")
            .prefetch_related(Prefetch("levels", queryset=PointsLevel.objects.order_by("threshold")))
            .order_by("scheme_id", "-valid_from", "-number")
        )
        found = cls(on=on)
        for version in versions:
            path = version.scheme.org.path
            if path not in found.by_path:  # the first of each scheme is the one in force
                found.by_path[path] = list(version.levels.all())
        return found

    def levels_at(self, path: str) -> list[PointsLevel]:
        for above in reversed(ancestor_paths(path)):
            if above in self.by_path:
                return self.by_path[above]
        return []

    def standing(self, path: str, earned: int) -> Standing:
        levels = self.levels_at(path)
        reached = [level for level in levels if level.threshold <= earned]
        ahead = [level for level in levels if level.threshold > earned]
        return Standing(level=reached[-1] if reached else None, next_level=ahead[0] if ahead else None)

    def names(self) -> list[str]:
        """Every level name, lowest threshold first, each once (the list's level filter)."""
        seen: dict[str, int] = {}
        for levels in self.by_path.values():
            for level in levels:
                seen[level.name] = min(seen.get(level.name, level.threshold), level.threshold)
        return sorted(seen, key=lambda name: (seen[name], name))

    def level_q(self, name: str) -> Q:
        """Accounts whose level is ``name`` under the scheme that applies to them: within each
        scheme's organisation (less those under a nearer scheme), earned from the level's
        threshold up to the next level's."""
        orgs = {o.path: o for o in Organisation.objects.filter(path__in=list(self.by_path))}
        condition = Q(pk__in=[])
        for path, levels in self.by_path.items():
            org = orgs.get(path)
            if org is None:
                continue
            for position, level in enumerate(levels):
                if level.name != name:
                    continue
                band = Q(earned__gte=level.threshold)
                if position + 1 < len(levels):
                    band &= Q(earned__lt=levels[position + 1].threshold)
                here = within_q(org) & band
                for deeper, other in orgs.items():
                    if deeper != path and deeper.startswith(path):
                        here &= ~within_q(other)
                condition |= here
        return condition


def year_earned(account: Account, year: int) -> int:
    """What the holder earned in ``year`` (one indexed row; 0 without one)."""
    row = AccountYear.objects.filter(account=account, year=year).values_list("earned", flat=True).first()
    return int(row or 0)


def shared_place(*, org: Any, year: int, kind: str, earned: int) -> int:
    """The competition rank (1, 2, 2, 4) of ``earned`` within ``org``: holders with the same
    points share the place. ``selectors.rank_in`` breaks a tie by the account opened first;
    no account has an id below 1, so asking it for account 0 gives the shared place."""
    return selectors.rank_in(org=org, year=year, kind=kind, earned=earned, account_id=0)


@dataclass
class Place:
    org: Organisation
    rank: int


def places(account: Account, year: int, earned: int) -> list[Place]:
    """Her place this year in her village and her township (none before she earned anything)."""
    if earned <= 0:
        return []
    ids = [pk for pk in (account.village_id, account.township_id) if pk]
    orgs = Organisation.objects.in_bulk(ids)
    return [
        Place(org=orgs[pk], rank=shared_place(org=orgs[pk], year=year, kind=account.kind, earned=earned))
        for pk in ids
        if pk in orgs
    ]


def with_ranks(rows: list[AccountYear], *, org: Any, year: int, kind: str, offset: int) -> list[AccountYear]:
    """A page of a ranking with each row's competition rank (``row.shared_rank``) and whether it shares
    it (``row.tied``): counted from the row above, and for the first row of a later page, one
    count of those ahead of it."""
    previous: AccountYear | None = None
    for position, row in enumerate(rows):
        if previous is not None and previous.earned == row.earned:
            row.shared_rank = previous.shared_rank  # type: ignore[attr-defined]
        elif position == 0 and offset > 0:
            row.shared_rank = shared_place(org=org, year=year, kind=kind, earned=row.earned)  # type: ignore[attr-defined]
        else:
            row.shared_rank = offset + position + 1  # type: ignore[attr-defined]
        previous = row
    for position, row in enumerate(rows):
        before = rows[position - 1] if position else None
        after = rows[position + 1] if position + 1 < len(rows) else None
        row.tied = any(other is not None and other.earned == row.earned for other in (before, after))  # type: ignore[attr-defined]
    return rows


def _url(name: str, pk: int) -> str | None:
    try:
        return reverse(name, kwargs={"pk": pk})
    except NoReverseMatch:  # a page another part of the points area may not have yet
        return None


def counter_url(account: Account) -> str:
    """The store counter's page of an account (what her QR code holds)."""
    return _url("points:counter_account", account.pk) or f"/points/counter/account/{account.pk}/"


def source_links(user: AnyUser, entries: Iterable[Entry]) -> None:
    """``entry.source_url`` for each entry whose source the reader may open (its duty record,
    award or order), ``None`` otherwise: at most one query for records and one for awards."""
    rows = list(entries)
    contacts = {e.contact_id for e in rows if e.contact_id}
    awards = {e.award_id for e in rows if e.award_id}
    seen_contacts = (
        set(Contact.objects.visible_to(user).filter(pk__in=contacts).values_list("pk", flat=True))
        if contacts
        else set()
    )
    seen_awards = (
        set(Award.objects.visible_to(user).filter(pk__in=awards).values_list("pk", flat=True)) if awards else set()
    )
    for entry in rows:
        url = None
        if entry.contact_id in seen_contacts:
            url = _url("grid:contact_detail", entry.contact_id)  # type: ignore[arg-type]
        elif entry.award_id in seen_awards:
            url = _url("campaigns:award_detail", entry.award_id)  # type: ignore[arg-type]
        elif entry.order_id:
            # Her orders are hers to see, and staff who see the account see its orders.
            url = _url("points:order_detail", entry.order_id)
        entry.source_url = url  # type: ignore[attr-defined]


@dataclass
class HomeCard:
    """Her points on the home page: the balance and this year's points of her own account."""

    balance: int
    year: int
    year_earned: int


def home_card(user: AnyUser, on: datetime.date) -> HomeCard | None:
    """For a holder (a login with a person on the books): her balance and this year's points,
    read without opening an account (0 before her first entry). None for everyone else."""
    person = holders.person_of(user)
    if person is None:
        return None
    account = Account.objects.filter(person=person).only("pk", "balance").first()
    if account is None:
        return HomeCard(balance=0, year=on.year, year_earned=0)
    return HomeCard(balance=account.balance, year=on.year, year_earned=year_earned(account, on.year))
