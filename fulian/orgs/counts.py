"""How much a list holds, without counting a million rows (DESIGN.md §3 "Counts and figures").

- Small scopes (a township and below) are counted exactly: a township's households are a few
  thousand index entries (bounded all the same, at ``SMALL_CAP``).
- A city's or county's list, as it stands (no search or filter but the organisation), reads
  "about N" from :class:`~fulian.orgs.models.OrgCount`, the per-organisation summary.
- A city's or county's list narrowed by a search or filter is not counted at all: counting even
  1,000 of a rare category's rows walks a hundred thousand (measured: 100 ms at 200,000
  households, a Seq Scan, where the page took 2 ms). Its total is said when the page shown is
  its last (``Page.seen_total``: known without a query), else "among about N" (the summary of
  the whole list).

Apps say what they count with :func:`register` (in their ``AppConfig.ready``); orgs imports
no app.
"""

from __future__ import annotations

import operator
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import reduce
from typing import Any

from django.contrib.humanize.templatetags.humanize import intcomma
from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from fulian.core.scoping import grants_for
from fulian.orgs.choices import Level
from fulian.orgs.models import Organisation, OrgCount

# A township's households are some thousands (Zhuzhou: 1.2 million in 112 townships); the bound
# is only a guard against a table far beyond that.
SMALL_CAP = 200_000
SMALL_LEVELS = frozenset({Level.TOWNSHIP, Level.VILLAGE, Level.GROUP})

# kind → the current rows of that kind (each with an ``org``), as a function: read when counted.
COUNTED: dict[str, Callable[[], QuerySet[Any]]] = {}


def register(kind: str, rows: Callable[[], QuerySet[Any]]) -> None:
    COUNTED[kind] = rows


def refresh(kinds: Iterable[str] | None = None) -> dict[str, int]:
    """Rebuild the summary of ``kinds`` (all registered by default) from their tables: one
    GROUP BY per kind (about 0.5 s for 10 million rows), swapped in in one transaction."""
    totals: dict[str, int] = {}
    for kind in list(kinds) if kinds is not None else list(COUNTED):
        if kind not in COUNTED:
            continue
        per_org = COUNTED[kind]().order_by().values("org_id").annotate(n=Count("pk")).values_list("org_id", "n")
        rows = [OrgCount(org_id=org_id, kind=kind, count=n) for org_id, n in per_org]
        with transaction.atomic():
            OrgCount.objects.filter(kind=kind).delete()
            OrgCount.objects.bulk_create(rows, batch_size=1000)
        totals[kind] = sum(r.count for r in rows)
    return totals


@dataclass(frozen=True)
class Total:
    """What a list page says of its size: ``n`` and whether it is exact, about, or at least."""

    n: int
    # "exact"; "about" (the summary); "within" (a narrowed list: n is the summary of the whole);
    # "page" (nothing known but what the page shows)
    how: str


# What a list says of its size, by how it knows it and what it lists.
_SAID = {
    ("exact", "households"): _("%(n)s households in all"),
    ("exact", "people"): _("%(n)s people in all"),
    ("about", "households"): _("About %(n)s households"),
    ("about", "people"): _("About %(n)s people"),
    ("within", "households"): _("Matches among about %(n)s households"),
    ("within", "people"): _("Matches among about %(n)s people"),
}


def total_text(total: Total | None, seen_total: int | None, kind: str) -> str:
    """The sentence above a list: exact, about N, or a narrowed list's total when the page shown
    is its last (``seen_total``, known without a query); empty when nothing is known."""
    if total is None:
        return ""
    how, n = total.how, total.n
    if how not in ("exact", "about") and seen_total is not None:
        how, n = "exact", seen_total
    said = _SAID.get((how, kind))
    return str(said) % {"n": intcomma(n)} if said is not None else ""


def _roots(user: Any, action: str, org: Organisation | None) -> list[tuple[str, str]]:
    """(path, level) of the subtrees the list covers: the organisation filter, or the grants."""
    if org is not None:
        return [(org.path, org.level)]
    return [(g.path, g.level) for g in grants_for(user, action)]


def list_total(
    rows: QuerySet[Any], *, kind: str, user: Any, action: str, org: Organisation | None, narrowed: bool
) -> Total | None:
    """The size of a list: ``rows`` as filtered and scoped; ``org`` the organisation filter;
    ``narrowed`` whether any other search or filter applies. One query at most, never an
    unbounded one on a big table."""
    roots = _roots(user, action, org)
    if not roots:
        return None
    # Counted in the list's own order (by id) and bounded: the same (scope column, id) index
    # as the page serves the count, never a plan of its own over a big table.
    if all(level in SMALL_LEVELS for _path, level in roots):
        n = rows[:SMALL_CAP].count()
        return Total(n, "exact") if n < SMALL_CAP else Total(0, "page")
    # One query on the small summary, narrowed or not (the page's query count stays the same).
    about = OrgCount.objects.filter(kind=kind).filter(
        reduce(operator.or_, (Q(org__path__startswith=path) for path, _level in roots))
    )
    summary = about.aggregate(n=Sum("count"), orgs=Count("pk"))
    if not summary["orgs"]:
        return Total(0, "page")  # not summarised yet
    return Total(summary["n"] or 0, "within" if narrowed else "about")


@dataclass(frozen=True)
class Part:
    org: Organisation
    n: int


def breakdown(kind: str, user: Any, action: str) -> list[Part]:
    """A city or county user's list, by the level below their one grant (counties of a city,
    townships of a county), from the summary: two small queries, none on the big table. Empty
    for smaller scopes, for several grants, and before the first count."""
    grants = grants_for(user, action)
    if len(grants) != 1 or grants[0].level not in (Level.CITY, Level.COUNTY, Level.PROVINCE):
        return []
    grant = grants[0]
    parts = list(Organisation.objects.filter(parent_id=grant.org_id).order_by("code"))
    depth = len(grant.path.strip("/").split("/"))
    totals: dict[str, int] = defaultdict(int)
    rows = OrgCount.objects.filter(kind=kind, org__path__startswith=grant.path).values_list("org__path", "count")
    found = False
    for path, n in rows:
        found = True
        codes = path.strip("/").split("/")
        if len(codes) > depth:
            totals[codes[depth]] += n
    return [Part(org, totals.get(org.code, 0)) for org in parts] if found else []


_UNSET: tuple[Any, ...] = (None, "", False, [], ())


def filtered_total(filters: Any, *, kind: str) -> Total | None:
    """:func:`list_total` of a list's FilterSet (``ScopedFilterSet``: scoped ``qs``, ``user``)."""
    if not filters.form.is_valid():
        return None
    cleaned = filters.form.cleaned_data
    narrowed = any(value not in _UNSET for name, value in cleaned.items() if name != "org")
    action = filters.Meta.model.scope_view_action
    return list_total(
        filters.qs, kind=kind, user=filters.user, action=action, org=cleaned.get("org"), narrowed=narrowed
    )
