"""Rubrics: the ready-made examples shipped with the project, and how one sheet is scored.

The examples follow the criteria DESIGN.md §2 records from Zhuzhou: 最美庭院 on 居室美、
厨卫美、庭院美、身心美 plus 家风 (family relations, neighbourly relations, 家规家训), and the
2021 Zhuzhou variant 居室美、环境美、绿化美、布局美、家风美. The wording of the items and their
points are ours (an editable starting point), not an official text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fulian.campaigns.choices import CampaignKind, ItemKind

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
HALF = Decimal("0.5")

# name, kind, max points, per fault, may be N/A, what to look for
Item = tuple[str, str, str, str | None, bool, str]

TEMPLATES: dict[str, dict[str, Any]] = {
    "courtyard": {
        "name": "最美庭院评分表",
        "label": gettext_lazy("Most beautiful courtyard: 居室美、厨卫美、庭院美、身心美 and 家风"),
        "kind": CampaignKind.COURTYARD,
        "sections": [
            (
                "居室美",
                [
                    ("室内整洁，物品摆放有序", ItemKind.POINTS, "10", None, False, "床铺、桌椅、衣物整齐，无积灰"),
                    ("墙面地面干净，无乱贴乱画", ItemKind.DEDUCTION, "10", "0.5", False, "每发现一处扣0.5分，扣完为止"),
                ],
            ),
            (
                "厨卫美",
                [
                    ("厨房灶台干净，餐具整齐", ItemKind.POINTS, "10", None, False, "无油污、无异味，生熟分开"),
                    ("卫生厕所达标，无异味", ItemKind.POINTS, "10", None, False, "改厕达标，勤打扫"),
                ],
            ),
            (
                "庭院美",
                [
                    ("庭院整洁，无垃圾杂物乱堆", ItemKind.DEDUCTION, "10", "0.5", False, "每发现一处扣0.5分，扣完为止"),
                    ("绿化美化，种花种草", ItemKind.POINTS, "10", None, True, "无庭院空间的可选“不适用”"),
                    ("垃圾分类投放", ItemKind.POINTS, "5", None, False, "分类桶齐全，按时投放"),
                ],
            ),
            (
                "身心美",
                [("家庭成员身心健康，崇尚科学，积极向上", ItemKind.POINTS, "15", None, False, "")],
            ),
            (
                "家风",
                [
                    ("家庭关系和睦，孝老爱亲", ItemKind.POINTS, "8", None, False, ""),
                    ("邻里关系融洽，互帮互助", ItemKind.POINTS, "6", None, False, ""),
                    ("有家规家训，传承好家风", ItemKind.POINTS, "6", None, False, ""),
                ],
            ),
            (
                "一票否决",
                [("家庭成员有违法犯罪、涉黄赌毒等行为", ItemKind.VETO, "0", None, False, "有则一票否决")],
            ),
        ],
    },
    "courtyard_2021": {
        "name": "最美庭院评分表（2021株洲版）",
        "label": gettext_lazy("Most beautiful courtyard, Zhuzhou 2021: 居室美、环境美、绿化美、布局美、家风美"),
        "kind": CampaignKind.COURTYARD,
        "sections": [
            (
                "居室美",
                [
                    ("室内干净整洁", ItemKind.POINTS, "10", None, False, ""),
                    ("物品摆放有序", ItemKind.POINTS, "10", None, False, ""),
                ],
            ),
            (
                "环境美",
                [
                    ("房前屋后无垃圾、无杂物", ItemKind.DEDUCTION, "10", "0.5", False, "每发现一处扣0.5分，扣完为止"),
                    ("无乱搭乱建、无乱堆乱放", ItemKind.DEDUCTION, "10", "0.5", False, "每发现一处扣0.5分，扣完为止"),
                ],
            ),
            (
                "绿化美",
                [
                    ("种花种草，绿化覆盖", ItemKind.POINTS, "10", None, True, ""),
                    ("花木修剪养护得当", ItemKind.POINTS, "10", None, True, ""),
                ],
            ),
            (
                "布局美",
                [
                    ("庭院布局合理，功能分区清楚", ItemKind.POINTS, "10", None, False, ""),
                    ("菜园、果园整齐美观", ItemKind.POINTS, "10", None, True, ""),
                ],
            ),
            (
                "家风美",
                [
                    ("家庭和睦，孝老爱亲", ItemKind.POINTS, "10", None, False, ""),
                    ("邻里和谐，家规家训传承", ItemKind.POINTS, "10", None, False, ""),
                ],
            ),
            (
                "一票否决",
                [("家庭成员有违法犯罪、涉黄赌毒等行为", ItemKind.VETO, "0", None, False, "有则一票否决")],
            ),
        ],
    },
}


@dataclass(frozen=True)
class SheetTotals:
    """A scored sheet: the points, the points possible, the percentage, whether a veto was hit,
    and each item's stored value."""

    raw: Decimal
    possible: Decimal
    score: Decimal
    vetoed: bool
    items: dict[str, dict[str, Any]]


def _decimal(value: Any) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return number if number.is_finite() else None


def percentage(raw: Decimal, possible: Decimal) -> Decimal:
    if possible <= 0:
        return Decimal(0)
    return (raw * HUNDRED / possible).quantize(CENT, rounding=ROUND_HALF_UP)


def score_sheet(items: Iterable[Any], values: Mapping[str, Any]) -> SheetTotals:
    """Score one sheet against the rubric's ``items`` from ``values`` (item id → ``{"v": points}``,
    ``{"faults": n}``, ``{"hit": bool}`` or ``{"na": true}``). A points item must be given (0 to
    its maximum, in half points); a deduction item without faults keeps its full points; a
    veto item not hit is the default. Every problem names its item; nothing is scored on error."""
    errors: list[ValidationError] = []
    known: dict[str, Any] = {str(item.pk): item for item in items}
    unknown = [key for key in values if str(key) not in known]
    if unknown:
        errors.append(
            ValidationError(_("These items are not on the rubric: %(ids)s.") % {"ids": ", ".join(map(str, unknown))})
        )
    raw = possible = Decimal(0)
    vetoed = False
    stored: dict[str, dict[str, Any]] = {}
    for key, item in known.items():
        value = values.get(key) or {}
        if not isinstance(value, Mapping):
            errors.append(ValidationError(_("%(item)s: the value is not readable.") % {"item": item.name}))
            continue
        maximum = Decimal(item.max_points)
        if value.get("na"):
            if not item.allow_na:
                errors.append(ValidationError(_("%(item)s cannot be marked not applicable.") % {"item": item.name}))
            else:
                stored[key] = {"na": True}
            continue
        if item.kind == ItemKind.VETO:
            hit = value.get("hit", False)
            if not isinstance(hit, bool):
                errors.append(ValidationError(_("%(item)s: answer yes or no.") % {"item": item.name}))
                continue
            vetoed = vetoed or hit
            stored[key] = {"hit": hit}
        elif item.kind == ItemKind.DEDUCTION:
            faults = value.get("faults", 0)
            if isinstance(faults, bool) or not isinstance(faults, int) or not 0 <= faults <= 999:
                errors.append(ValidationError(_("%(item)s: give the number of faults found.") % {"item": item.name}))
                continue
            points = max(Decimal(0), maximum - Decimal(item.per_fault or 0) * faults)
            raw += points
            possible += maximum
            stored[key] = {"faults": faults, "v": str(points)}
        else:
            if "v" not in value or value["v"] in (None, ""):
                errors.append(ValidationError(_("%(item)s has no score yet.") % {"item": item.name}))
                continue
            given = _decimal(value["v"])
            points = given if given is not None else Decimal(-1)
            if points < 0 or points > maximum or (points / HALF) % 1 != 0:
                errors.append(
                    ValidationError(
                        _("%(item)s: the score must be between 0 and %(max)s, in half points.")
                        % {"item": item.name, "max": f"{maximum.normalize():f}"}
                    )
                )
                continue
            raw += points
            possible += maximum
            stored[key] = {"v": str(points)}
    if errors:
        raise ValidationError(errors)
    return SheetTotals(raw=raw, possible=possible, score=percentage(raw, possible), vetoed=vetoed, items=stored)
