"""Reads of the points area used by more than one caller (pages, API, exports, bench)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from fulian.core.ancestry import within_q
from fulian.points.models import AccountYear, PointsLevel, SchemeVersion


def ranking(*, org: Any, year: int, kind: str) -> QuerySet[AccountYear]:
    """The holders of ``kind`` at or below ``org`` by what they earned in ``year``, the most
    first (ties: the account opened first). One indexed range of ``points_accountyear``:
    ``(<org's level>_id, year, kind, -earned, account)``; slice it for a page."""
    return (
        AccountYear.objects.filter(within_q(org), year=year, kind=kind)
        .select_related("account__person", "account__household", "org")
        .order_by("-earned", "account_id")
    )


def rank_in(*, org: Any, year: int, kind: str, earned: int, account_id: int) -> int:
    """The place (1 = top) of a holder who earned ``earned`` in ``year`` within ``org``."""
    ahead = AccountYear.objects.filter(within_q(org), year=year, kind=kind, earned__gt=earned).count()
    tied_before = AccountYear.objects.filter(
        within_q(org), year=year, kind=kind, earned=earned, account_id__lt=account_id
    ).count()
    return ahead + tied_before + 1


def level_for(version: SchemeVersion | None, earned: int) -> PointsLevel | None:
    """The highest level of the scheme version reached with ``earned`` points in all."""
    if version is None:
        return None
    return version.levels.filter(threshold__lte=earned).order_by("-threshold").first()
