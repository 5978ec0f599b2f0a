"""Big tables carry their organisation's ancestry, so that a scope is one indexed equality.

DESIGN.md §3: on millions of rows, ``org_id IN (subquery over the tree)`` is a planner trap
(4.2 s measured) where an equality on a denormalised ancestor id takes a fraction of a
millisecond. A model that grows large inherits :class:`AncestryScopedModel`: besides ``org``
(the most specific organisation the row belongs to) it stores the id of that organisation's
ancestor at each level, and a grant at any level becomes ``<level>_id = <grant org id>``.

The columns are derived from ``org`` by :func:`ancestry_of` and never edited on their own;
organisations do not move in the tree (division codes are permanent), so they never go stale.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fulian.core.scoping import Grant

# The level of a grant → the column holding the ancestor at that level.
LEVEL_COLUMNS = {
    "city": "city_id",
    "county": "county_id",
    "township": "township_id",
    "village": "village_id",
    "group": "group_id",
}
ANCESTRY_FIELDS = ("city", "county", "township", "village", "group")


def _ancestor(level_label: Any) -> models.ForeignKey[Any, Any]:
    # No index of its own: each model declares (column, ordering) indexes that serve both the
    # scope filter and the page order.
    return models.ForeignKey(
        "orgs.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        editable=False,
        verbose_name=level_label,
    )


class AncestryScopedModel(models.Model):
    """A row of a big table: its organisation, and that organisation's ancestor per level."""

    scope_view_action: str = ""

    org = models.ForeignKey(
        "orgs.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    city = _ancestor(_("city"))
    county = _ancestor(_("county"))
    township = _ancestor(_("township"))
    village = _ancestor(_("village"))
    group = _ancestor(_("village group"))

    class Meta:
        abstract = True

    @classmethod
    def scope_q(cls, grant: Grant) -> Q:
        column = LEVEL_COLUMNS.get(grant.level)
        if column is None:  # a province grant: the tree above the cities is small
            return Q(org__path__startswith=grant.path)
        return Q(**{column: grant.org_id})

    @classmethod
    def ancestry_indexes(cls, table: str, order: str = "id") -> list[models.Index]:
        """``(level column, order)`` indexes: the scope filter and the page order in one."""
        # Most rows have no group: that index holds only the rows that do (smaller, and one
        # index less to maintain for each household a county imports).
        return [
            models.Index(
                fields=[level, order],
                name=f"{table}_{level}_idx"[:30],
                condition=Q(group__isnull=False) if level == "group" else None,
            )
            for level in ANCESTRY_FIELDS
        ]

    def place(self, org: Any, ancestry: dict[str, int | None] | None = None) -> None:
        """Put the row under ``org`` and fill the ancestor columns (one query unless given)."""
        self.org = org
        for level, org_id in (ancestry or ancestry_of(org)).items():
            setattr(self, f"{level}_id", org_id)

    def place_beside(self, other: AncestryScopedModel) -> None:
        """Put the row where ``other`` is (an entry's result, sheet or award): its organisation
        and ancestor columns, copied without a query."""
        self.org_id = other.org_id  # type: ignore[attr-defined]
        for level, org_id in other.ancestry.items():
            setattr(self, f"{level}_id", org_id)

    @property
    def ancestry(self) -> dict[str, int | None]:
        """This row's ancestor ids, to place a row that belongs with it (a household's member)."""
        return {level: getattr(self, f"{level}_id") for level in ANCESTRY_FIELDS}

    @property
    def audit_org(self) -> Any:
        return self.org


def ancestry_of(org: Any) -> dict[str, int | None]:
    """``{"city": id, "county": id, "township": id, "village": id, "group": id}`` for ``org``
    and the organisations above it (None where it has no ancestor at that level)."""
    return ancestries_of([org])[org.pk]


def ancestries_of(orgs: Iterable[Any]) -> dict[int, dict[str, int | None]]:
    """The ancestry of many organisations in one query (an import places thousands of rows)."""
    orgs = list(orgs)
    codes = {code for org in orgs for code in org.path.strip("/").split("/")}
    rows = apps.get_model("orgs", "Organisation").objects.filter(code__in=codes).values_list("code", "pk", "level")
    by_code = {code: (pk, level) for code, pk, level in rows}
    result: dict[int, dict[str, int | None]] = {}
    for org in orgs:
        ancestry: dict[str, int | None] = dict.fromkeys(ANCESTRY_FIELDS)
        for code in org.path.strip("/").split("/"):
            pk, level = by_code[code]
            if level in ancestry:
                ancestry[level] = pk
        result[org.pk] = ancestry
    return result


def within_q(org: Any) -> Q:
    """Rows at or below ``org`` (an organisation already fetched through ``visible_to``)."""
    return Q(**{LEVEL_COLUMNS[org.level]: org.pk}) if org.level in LEVEL_COLUMNS else Q(org__path__startswith=org.path)
