"""礼遇褒奖 given automatically: each year, every honour rule of the scheme version in force at
the year's end goes to the holders at the top of each organisation of its level (``top``), or to
those who earned its threshold in the year. Run after the year closes (``manage.py
grant_honours --year``), and again safely: an honour is given once (a unique row per rule, holder
and year); one given stays given when points change later."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction

from fulian.core.ancestry import LEVEL_COLUMNS, within_q
from fulian.orgs.models import Organisation
from fulian.points.choices import HonourBasis, VersionStatus
from fulian.points.models import AccountYear, Honour, HonourRule, Scheme, SchemeVersion


def _version_at_year_end(scheme: Scheme, year: int) -> SchemeVersion | None:
    return (
        scheme.versions.filter(status=VersionStatus.ADOPTED, valid_from__lte=datetime.date(year, 12, 31))
        .order_by("-valid_from", "-number")
        .first()
    )


def _given(rule: HonourRule, rows: list[tuple[int | None, AccountYear]], year: int, within: dict[int, int]) -> int:
    honours = []
    for rank, row in rows:
        honour = Honour(
            rule=rule, account_id=row.account_id, year=year, earned=row.earned, rank=rank, within_id=within[row.pk]
        )
        honour.place_beside(row)
        honours.append(honour)
    before = Honour.objects.filter(rule=rule, year=year).count()
    Honour.objects.bulk_create(honours, ignore_conflicts=True)
    return Honour.objects.filter(rule=rule, year=year).count() - before


@transaction.atomic
def honours_grant(*, year: int, scheme: Scheme | None = None) -> int:
    """Give the year's honours of every scheme (or one); returns how many were new."""
    new = 0
    schemes = [scheme] if scheme is not None else list(Scheme.objects.select_related("org"))
    for each in schemes:
        version = _version_at_year_end(each, year)
        if version is None:
            continue
        nearer = _nearer_schemes(each, year)
        for rule in version.honour_rules.all():
            new += _grant_rule(rule, each.org, year, nearer)
    return new


def _nearer_schemes(scheme: Scheme, year: int) -> list[Any]:
    """The organisations below ``scheme``'s with a scheme of their own in force at the year's
    end: the nearest scheme applies to a holder (``earning.version_for``), so the city's
    honours are not given again to a county's holders that the county's honour rules judge."""
    below = Scheme.objects.filter(org__path__startswith=scheme.org.path).exclude(pk=scheme.pk).select_related("org")
    return [other.org for other in below if _version_at_year_end(other, year) is not None]


def _grant_rule(rule: HonourRule, top_org: Any, year: int, nearer: list[Any]) -> int:
    column = LEVEL_COLUMNS.get(rule.level)
    if column is None:
        return 0
    rows = AccountYear.objects.filter(within_q(top_org), year=year, kind=rule.holder_kind, earned__gt=0)
    for org in nearer:
        rows = rows.exclude(within_q(org))
    chosen: list[tuple[int | None, AccountYear]] = []
    within: dict[int, int] = {}
    if rule.basis == HonourBasis.THRESHOLD:
        for row in rows.filter(earned__gte=rule.threshold or 0).order_by("-earned", "account_id"):
            org_id = getattr(row, column)
            if org_id is None:
                continue
            chosen.append((None, row))
            within[row.pk] = org_id
    else:
        orgs = Organisation.objects.filter(path__startswith=top_org.path, level=rule.level).values_list("pk", flat=True)
        for org_id in orgs:
            top = list(rows.filter(**{column: org_id}).order_by("-earned", "account_id")[: rule.top or 0])
            for rank, row in enumerate(top, start=1):
                chosen.append((rank, row))
                within[row.pk] = org_id
    return _given(rule, chosen, year, within)
