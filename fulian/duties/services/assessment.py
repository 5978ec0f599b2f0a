"""The annual assessment of the 执委: a scheme per year kept by the city federation (or a county
for its subtree: the nearest scheme at or above her organisation applies), each 执委 scored from
her records (the figures of her report) and her reviewers' entries for the manual items, graded
by the scheme's thresholds, then the cap on 优秀 per organisation.

The cap: in each organisation (the one her assessment is placed at: her village, or her township
for a township 执委) at most ``excellent_share`` % of those assessed are 优秀, rounded down. They
are taken by score; a tie at the cap is never broken by chance: everyone tied with the first one
over the cap is capped with her (the cap is never exceeded). Those capped are graded 称职 with
``capped=True``.

A scheme freezes once assessments are computed from it: a change then is refused."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fulian.core.ancestry import ancestries_of, within_q
from fulian.core.scoping import AnyUser, require
from fulian.duties.choices import Grade, ItemSection, Measure
from fulian.duties.models import Assessment, Entry, Report, ReportRun, Scheme, SchemeItem
from fulian.duties.services.reports import batches, figures_of, members_of, posts_in_year
from fulian.orgs.models import Organisation
from fulian.people.models import Person

ASSESS = "duties.assess"
CONFIGURE = "duties.configure"
TENTH = Decimal("0.1")

# The default scheme: 60 points of basics, 40 of bonuses, deductions entered by reviewers.
# (section, name, measure, points per unit, at most)
DEFAULT_ITEMS: list[tuple[str, str, str, str, str]] = [
    (ItemSection.BASE, "参加妇联会议", Measure.MANUAL, "5", "20"),
    (ItemSection.BASE, "履职档案（经审核的履职记录）", Measure.RECORDS, "1", "20"),
    (ItemSection.BASE, "年度述职报告", Measure.REPORT, "20", "20"),
    (ItemSection.BONUS, "履职记录多于档案要求", Measure.RECORDS, "0.5", "10"),
    (ItemSection.BONUS, "履职时长（每小时）", Measure.HOURS, "0.2", "10"),
    (ItemSection.BONUS, "她代表诉求得到答复", Measure.REQUESTS, "2", "10"),
    (ItemSection.BONUS, "参与评选入户评分", Measure.CAMPAIGN, "0.5", "10"),
    (ItemSection.DEDUCTION, "无故缺席会议或活动", Measure.MANUAL, "2", "10"),
    (ItemSection.DEDUCTION, "违反纪律或群众有效投诉", Measure.MANUAL, "5", "20"),
]


def ancestor_paths(path: str) -> list[str]:
    codes = path.strip("/").split("/")
    return ["/" + "/".join(codes[:n]) + "/" for n in range(1, len(codes) + 1)]


def scheme_for(org: Organisation, year: int) -> Scheme | None:
    """The nearest scheme at or above ``org`` for ``year``."""
    schemes = Scheme.objects.filter(year=year, org__path__in=ancestor_paths(org.path)).select_related("org")
    return max(schemes, key=lambda s: len(s.org.path), default=None)


def is_frozen(scheme: Scheme) -> bool:
    return Assessment.objects.filter(scheme=scheme, computed_at__isnull=False).exists()


def _refuse_if_frozen(scheme: Scheme) -> None:
    if is_frozen(scheme):
        raise ValidationError(
            _(
                "Assessments of %(year)s have been computed with this scheme: it can no longer be "
                "changed. Make next year's scheme instead."
            )
            % {"year": scheme.year}
        )


@transaction.atomic
def scheme_create_default(*, actor: AnyUser, org: Organisation, year: int) -> Scheme:
    """The default scheme for ``org`` and ``year`` (to be edited before it is used)."""
    require(actor, CONFIGURE, org)
    if Scheme.objects.filter(org=org, year=year).exists():
        raise ValidationError({"year": _("%(org)s already has a scheme for %(year)s.") % {"org": org, "year": year}})
    scheme = Scheme.objects.create(org=org, year=year, name=_("Annual assessment of executive members"))
    for position, (section, name, measure, points, most) in enumerate(DEFAULT_ITEMS):
        SchemeItem.objects.create(
            scheme=scheme,
            section=section,
            name=name,
            measure=measure,
            points=Decimal(points),
            max_points=Decimal(most),
            position=position,
        )
    return scheme


SCHEME_FIELDS = ("name", "excellent_min", "competent_min", "basic_min", "excellent_share")
ITEM_FIELDS = ("section", "name", "measure", "points", "max_points", "position")


@transaction.atomic
def scheme_update(*, actor: AnyUser, scheme: Scheme, fields: dict[str, Any], items: Sequence[dict[str, Any]]) -> Scheme:
    """Change a scheme and its items at once: ``items`` are the items it keeps (``id`` for one
    kept, none for a new one); an item left out is removed, unless reviewers entered units for it."""
    require(actor, CONFIGURE, scheme.org)
    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
    _refuse_if_frozen(scheme)
    for name in SCHEME_FIELDS:
        if name in fields:
            setattr(scheme, name, fields[name])
    if not (scheme.excellent_min > scheme.competent_min > scheme.basic_min >= 0):
        raise ValidationError(
            {"excellent_min": _("The thresholds must go down: excellent above competent above basically competent.")}
        )
    if not 0 <= scheme.excellent_share <= 100:
        raise ValidationError({"excellent_share": _("A share is between 0 and 100 percent.")})
    scheme.save()
    current = {item.pk: item for item in scheme.items.all()}
    kept: set[int] = set()
    for row, data in enumerate(items, start=1):
        if (data.get("points") is not None and data["points"] < 0) or (
            data.get("max_points") is not None and data["max_points"] < 0
        ):
            raise ValidationError(
                _("Item %(n)s: points are never negative (a deduction takes them away).") % {"n": row}
            )
        item_id = data.get("id")
        if item_id:
            item = current.get(int(item_id))
            if item is None:
                raise ValidationError(_("Item %(n)s is not an item of this scheme.") % {"n": row})
            kept.add(item.pk)
        else:
            item = SchemeItem(scheme=scheme)
        for name in ITEM_FIELDS:
            if name in data:
                setattr(item, name, data[name])
        item.save()
    gone = [item for pk, item in current.items() if pk not in kept]
    used = set(Entry.objects.filter(item__in=gone).values_list("item_id", flat=True))
    if used:
        names = "、".join(item.name for item in gone if item.pk in used)
        raise ValidationError(_("Reviewers have entered units for %(items)s: it cannot be removed.") % {"items": names})
    for item in gone:
        item.delete()
    return scheme


@transaction.atomic
def entry_set(*, actor: AnyUser, person: Person, year: int, item: SchemeItem, units: Decimal, note: str = "") -> Entry:
    """A reviewer's units for a manual item of her assessment (made if not yet computed)."""
    assessment = Assessment.objects.filter(person=person, year=year).select_related("scheme").first()
    org = assessment.org if assessment is not None else _home(person, year)
    require(actor, ASSESS, org)
    scheme = assessment.scheme if assessment is not None else scheme_for(org, year)
    if scheme is None or item.scheme_id != scheme.pk:
        raise ValidationError({"item": _("This item is not part of the scheme that applies to her.")})
    if item.measure != Measure.MANUAL:
        raise ValidationError({"item": _("This item is counted from her records, not entered.")})
    if units is None or units < 0 or units > 999:
        raise ValidationError({"units": _("Enter a number of units from 0 to 999.")})
    if assessment is None:
        assessment = Assessment(person=person, year=year, scheme=scheme)
        assessment.place(org)
        assessment.save()
    entry, _created = Entry.objects.update_or_create(
        assessment=assessment,
        item=item,
        defaults={"units": units, "note": note.strip()[:500], "entered_by": _author(actor)},
    )
    return entry


def _author(actor: AnyUser) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _home(person: Person, year: int) -> Organisation:
    rows = list(posts_in_year(year).filter(person=person).select_related("org"))
    if not rows:
        return person.org
    return max(rows, key=lambda p: (len(p.org.path), -p.org_id)).org


def units_of(measure: str, figures: dict[str, Any], narrative: str) -> Decimal:
    """What an item counts, from a report's figures."""
    if measure == Measure.RECORDS:
        return Decimal(figures.get("records", 0))
    if measure == Measure.HOURS:
        return Decimal(figures.get("half_hours", 0)) / 2
    if measure == Measure.HOUSEHOLDS:
        return Decimal(figures.get("households", 0))
    if measure == Measure.REQUESTS:
        return Decimal(figures.get("requests", {}).get("answered", 0))
    if measure == Measure.REPORT:
        return Decimal(1 if narrative.strip() else 0)
    if measure == Measure.CAMPAIGN:
        return Decimal(figures.get("campaign_sheets", 0))
    return Decimal(0)


def score_of(
    items: Sequence[SchemeItem], figures: dict[str, Any], narrative: str, entered: dict[int, Decimal]
) -> tuple[Decimal, dict[str, Any]]:
    """The score and each item's units and points."""
    total = Decimal(0)
    details: dict[str, Any] = {}
    for item in items:
        units = (
            entered.get(item.pk, Decimal(0))
            if item.measure == Measure.MANUAL
            else units_of(item.measure, figures, narrative)
        )
        points = min(units * item.points, item.max_points).quantize(TENTH, ROUND_HALF_UP)
        total += -points if item.section == ItemSection.DEDUCTION else points
        details[str(item.pk)] = {"units": str(units.normalize()), "points": str(points)}
    return max(total, Decimal(0)), details


def grade_of(scheme: Scheme, score: Decimal) -> str:
    if score >= scheme.excellent_min:
        return Grade.EXCELLENT
    if score >= scheme.competent_min:
        return Grade.COMPETENT
    if score >= scheme.basic_min:
        return Grade.BASIC
    return Grade.INCOMPETENT


def schemes_under(org: Organisation, year: int) -> list[Scheme]:
    """Every scheme of ``year`` that may apply in ``org``'s subtree (above it, at it, below it)."""
    return list(
        Scheme.objects.filter(Q(org__path__in=ancestor_paths(org.path)) | Q(org__path__startswith=org.path), year=year)
        .select_related("org")
        .prefetch_related("items")
    )


def assessments_compute(*, org: Organisation, year: int, run: ReportRun | None = None) -> int:
    """Score and grade every 执委 with a post in ``org``'s subtree in ``year`` (batched like the
    reports: a few queries per batch), then apply the cap on 优秀 per organisation. Returns how
    many were assessed."""
    placed = members_of(org, year)
    schemes = sorted(schemes_under(org, year), key=lambda s: len(s.org.path), reverse=True)
    if not schemes:
        raise ValidationError(
            _(
                "No assessment scheme for %(year)s applies to %(org)s: the city federation makes one on "
                "the assessment schemes page, then generate again."
            )
            % {"year": year, "org": org.display_name}
        )
    orgs = {o.pk: o for o in Organisation.objects.filter(pk__in=set(placed.values()))}
    ancestry = ancestries_of(orgs.values())

    def applying(org_id: int) -> Scheme | None:
        path = orgs[org_id].path
        return next((s for s in schemes if path.startswith(s.org.path)), None)

    for scheme in schemes:
        scheme.sorted_items = sorted(scheme.items.all(), key=lambda i: (i.position, i.pk))  # type: ignore[attr-defined]
    computed: list[int] = []
    now = timezone.now()
    for batch in batches([pid for pid in placed if applying(placed[pid]) is not None]):
        with transaction.atomic():
            reports = {
                r["person_id"]: r
                for r in Report.objects.filter(person_id__in=batch, year=year).values(
                    "person_id", "figures", "narrative"
                )
            }
            missing = [pid for pid in batch if pid not in reports]
            if missing:
                for pid, figures in figures_of(missing, year).items():
                    reports[pid] = {"person_id": pid, "figures": figures, "narrative": ""}
            existing = {a.person_id: a for a in Assessment.objects.filter(person_id__in=batch, year=year)}
            entered: dict[int, dict[int, Decimal]] = defaultdict(dict)
            for person_id, item_id, units in Entry.objects.filter(
                assessment__person_id__in=batch, assessment__year=year
            ).values_list("assessment__person_id", "item_id", "units"):
                entered[person_id][item_id] = units
            changed, new = [], []
            for pid in batch:
                applied = applying(placed[pid])
                assert applied is not None
                report = reports[pid]
                score, details = score_of(
                    applied.sorted_items,  # type: ignore[attr-defined]
                    report["figures"] or {},
                    report["narrative"] or "",
                    entered[pid],
                )
                assessment = existing.get(pid)
                if assessment is None:
                    assessment = Assessment(person_id=pid, year=year)
                    new.append(assessment)
                else:
                    changed.append(assessment)
                assessment.place(orgs[placed[pid]], ancestry[placed[pid]])
                assessment.scheme = applied
                assessment.score, assessment.details = score, details
                assessment.grade, assessment.capped, assessment.computed_at = grade_of(applied, score), False, now
            fields = ["scheme", "score", "details", "grade", "capped", "computed_at", "org", *ANCESTRY]
            if changed:
                Assessment.objects.bulk_update(changed, fields)
            if new:
                Assessment.objects.bulk_create(new)
            computed.extend(batch)
        if run is not None:
            ReportRun.objects.filter(pk=run.pk).update(message=_("Scoring: %(n)s assessed") % {"n": len(computed)})
    with transaction.atomic():
        apply_cap(org, year)
    return len(computed)


ANCESTRY = ["city", "county", "township", "village", "group"]


def apply_cap(org: Organisation, year: int) -> int:
    """Grade 称职 (``capped``) those 优秀 by score beyond each organisation's share; returns how
    many were capped."""
    rows = (
        Assessment.objects.filter(within_q(org), year=year, computed_at__isnull=False)
        .values_list("pk", "org_id", "score", "grade", "scheme__excellent_share")
        .order_by("org_id", "-score", "pk")
    )
    groups: dict[int, list[tuple[int, Decimal, str, int]]] = defaultdict(list)
    for pk, org_id, score, grade, share in rows:
        groups[org_id].append((pk, score, grade, share))
    capped: list[int] = []
    for members in groups.values():
        allowed = math.floor(len(members) * members[0][3] / 100)
        excellent = [(pk, score) for pk, score, grade, _share in members if grade == Grade.EXCELLENT]
        if len(excellent) <= allowed:
            continue
        cut = excellent[allowed][1]  # the score of the first one over the cap
        capped += [pk for pk, score in excellent if score <= cut]
    for ids in batches(capped):
        Assessment.objects.filter(pk__in=ids).update(grade=Grade.COMPETENT, capped=True)
    return len(capped)
