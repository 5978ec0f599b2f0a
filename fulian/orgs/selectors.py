"""Reads of the organisation tree used by pages, the API and other apps."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from fulian.core.scoping import AnyUser, grants_for
from fulian.orgs.choices import Level
from fulian.orgs.models import Organisation

COUNTED_LEVELS = [Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE, Level.GROUP]


def subtree_counts(org: Organisation) -> dict[str, int]:
    """How many organisations of each level lie below ``org`` (one query)."""
    rows = (
        Organisation.objects.filter(path__startswith=org.path, depth__gt=org.depth)
        .values("level")
        .annotate(n=Count("id"))
        .order_by()
    )
    found = {row["level"]: row["n"] for row in rows}
    return {level: found.get(level, 0) for level in COUNTED_LEVELS if level != org.level and _below(level, org.level)}


def _below(level: str, than: str) -> bool:
    order = list(Level)
    return order.index(Level(level)) > order.index(Level(than))


def tree_roots(user: AnyUser) -> QuerySet[Organisation]:
    """The top organisations of the user's visible subtrees."""
    ids = [g.org_id for g in grants_for(user, "orgs.view")]
    return with_child_counts(Organisation.objects.filter(pk__in=ids))


def with_child_counts(queryset: QuerySet[Organisation]) -> QuerySet[Organisation]:
    return queryset.annotate(child_count=Count("children")).order_by("code")


def ancestors(org: Organisation, user: AnyUser) -> list[tuple[Organisation, bool]]:
    """The chain above ``org``, root first, each with whether the user may open it."""
    chain = list(Organisation.objects.filter(code__in=org.ancestor_codes()).order_by("depth"))
    visible = set(
        Organisation.objects.filter(pk__in=[o.pk for o in chain]).visible_to(user).values_list("pk", flat=True)
    )
    return [(o, o.pk in visible) for o in chain]


def labelled_counts(counts: dict[str, int]) -> list[tuple[str, int]]:
    """Counts with their level's display label, for pages."""
    return [(str(Level(level).label), n) for level, n in counts.items()]
